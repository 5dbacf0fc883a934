"""Lowering a checked policy to the plan of :mod:`jhdsl.ir`: the interpreter's meaning, step
by step, as column computations that any SQL engine can run for all units at once.

Each function here mirrors the interpreter's function of the same purpose (a leaf, a group, a
section, the total), so that the two can be read side by side; the differential tests hold
them to the same numbers. Parameters are fixed for a plan, so conditions on them are decided
here and only the rules that apply are compiled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from jhdsl import ast
from jhdsl.errors import JhdslError
from jhdsl.facts import FRACTION_DIGITS, INTEGER_DIGITS, Value
from jhdsl.interpreter import rate_fractions, resolve_params
from jhdsl.ir import (
    BOOL,
    DIVISION_SCALE,
    MAX_PRECISION,
    TEXT,
    Binding,
    Call,
    Column,
    Const,
    Node,
    Output,
    Plan,
    Rank,
    Type,
    Window,
    decimal_type,
)
from jhdsl.numbers import CONTEXT, ZERO, divide, multiply

_LARGEST = Decimal(10) ** INTEGER_DIGITS - Decimal(1).scaleb(-FRACTION_DIGITS)
FACT_TYPES = {
    ast.BOOL: BOOL,
    ast.CHOICE: TEXT,
    ast.COUNT: decimal_type(INTEGER_DIGITS, 0, low=ZERO, high=_LARGEST.to_integral_value(rounding="ROUND_FLOOR")),
    ast.PERCENT: decimal_type(INTEGER_DIGITS, FRACTION_DIGITS, low=ZERO, high=Decimal(100)),
    ast.NUMBER: decimal_type(INTEGER_DIGITS, FRACTION_DIGITS, low=-_LARGEST, high=_LARGEST),
    ast.MONEY: decimal_type(INTEGER_DIGITS, FRACTION_DIGITS, low=-_LARGEST, high=_LARGEST),
}
"""How each kind of fact is held, and the values facts.py accepts for it: at most 12 integer
digits and 6 decimals, a count ≥ 0, a percentage from 0 to 100."""

GROUP_COLUMN = "所属县区"
UNIT_COLUMN = "单位"


class CompileError(JhdslError):
    """A policy (or a part of it) that the compiled engines cannot run; the interpreter can."""


def fact_columns(policy: ast.Policy) -> dict[str, Type]:
    """The facts table's columns a policy reads: one per fact, one per member of a keyed fact."""
    lists = {li.name: li.members for li in policy.lists}
    columns = {}
    for fact in policy.facts:
        kind = FACT_TYPES[fact.type.kind]
        if kind.kind == "decimal" and (fact.low is not None or fact.high is not None):  # 范围: checked too
            low = max(kind.low, fact.low.value) if fact.low is not None else kind.low
            high = min(kind.high, fact.high.value) if fact.high is not None else kind.high
            kind = decimal_type(kind.digits, kind.scale, low=low, high=high)
        if fact.keyed_by:
            columns.update({f"{fact.name}[{m}]": kind for m in lists.get(fact.keyed_by, ())})
        else:
            columns[fact.name] = kind
    return columns


# ---- building typed nodes -----------------------------------------------------------------


def _digits(value: Decimal) -> tuple[int, int]:
    """Integer digits and decimal places of a literal: 2.5 → (1, 1), 100 → (3, 0)."""
    value = value.normalize(CONTEXT)
    sign, digits, exponent = value.as_tuple()
    scale = max(0, -exponent)
    return max(1, len(digits) + exponent), scale


def const(value: Value) -> Const:
    if isinstance(value, bool):
        return Const(value, BOOL)
    if isinstance(value, str):
        return Const(value, TEXT)
    digits, scale = _digits(value)
    return Const(value, decimal_type(digits, scale, low=value, high=value))


TRUE, FALSE, ZERO_NODE = const(True), const(False), const(ZERO)


def _nullable(*nodes: Node) -> bool:
    return any(n.type.nullable for n in nodes)


def _unify(*nodes: Node) -> Type:
    """The type that holds every one of ``nodes``' values exactly (any of them, on any row)."""
    kinds = {n.type.kind for n in nodes}
    if kinds != {"decimal"}:
        return Type(nodes[0].type.kind, nullable=_nullable(*nodes))
    lows, highs = [n.type.low for n in nodes], [n.type.high for n in nodes]
    return decimal_type(max(n.type.digits for n in nodes), max(n.type.scale for n in nodes), _nullable(*nodes),
                        None if None in lows else min(lows), None if None in highs else max(highs))


def _known(*values: Decimal | None) -> bool:
    return all(v is not None for v in values)


def _is_const(*nodes: Node) -> bool:
    return all(isinstance(n, Const) for n in nodes)


def add(a: Node, b: Node) -> Node:
    if _is_const(a, b):
        return const(a.value + b.value)
    if a == ZERO_NODE:
        return b
    if b == ZERO_NODE:
        return a
    kind, x, y = _unify(a, b), a.type, b.type
    low = x.low + y.low if _known(x.low, y.low) else None
    high = x.high + y.high if _known(x.high, y.high) else None
    return Call("+", (a, b), decimal_type(kind.digits + 1, kind.scale, kind.nullable, low, high))


def total_of(nodes: Sequence[Node]) -> Node:
    """The sum of ``nodes``, added as a balanced tree so that no intermediate type grows wider
    than the sum needs."""
    nodes = [n for n in nodes if n != ZERO_NODE]
    if not nodes:
        return ZERO_NODE
    if len(nodes) == 1:
        return nodes[0]
    middle = len(nodes) // 2
    return add(total_of(nodes[:middle]), total_of(nodes[middle:]))


def neg(a: Node) -> Node:
    if _is_const(a):
        return const(-a.value)
    low, high = a.type.low, a.type.high
    return Call("neg", (a,), attrs.evolve(a.type, low=-high if high is not None else None,
                                          high=-low if low is not None else None))


def sub(a: Node, b: Node) -> Node:
    if b == ZERO_NODE:
        return a
    return add(a, neg(b))


def mul(a: Node, b: Node) -> Node:
    if _is_const(a, b):
        return const(multiply(a.value, b.value))
    for one, other in ((a, b), (b, a)):
        if isinstance(one, Const) and one.value == 1:
            return other
        if isinstance(one, Const) and one.value == -1:
            return neg(other)
        if isinstance(one, Const) and one.value == 0:
            return ZERO_NODE if not other.type.nullable else Call("null_if_any", (ZERO_NODE, other), ZERO_NODE.type.may_be_null(True))
    scale = a.type.scale + b.type.scale
    if scale > MAX_PRECISION - 4:
        raise CompileError("乘积的小数位过多，编译引擎无法精确计算")
    x, y = a.type, b.type
    products = [multiply(p, q) for p in (x.low, x.high) for q in (y.low, y.high)] if _known(
        x.low, x.high, y.low, y.high) else None
    return Call("*", (a, b), decimal_type(x.digits + y.digits, scale, _nullable(a, b),
                                          min(products) if products else None, max(products) if products else None))


def _terminating_reciprocal(value: Decimal) -> Decimal | None:
    """1 ÷ value when it has a finite decimal expansion (value = 2^i 5^j 10^k), else None."""
    digits, _ = value.as_tuple().digits, None
    number = int("".join(map(str, digits)))
    for prime in (2, 5):
        while number % prime == 0:
            number //= prime
    if number != 1:
        return None
    return CONTEXT.divide(Decimal(1), value)


def div(a: Node, b: Node) -> Node:
    """a ÷ b rounded half-up at the division scale, as numbers.divide; NULL when b is 0."""
    if _is_const(a, b) and b.value != 0:
        return const(divide(a.value, b.value))
    if isinstance(b, Const) and b.value != 0:
        reciprocal = _terminating_reciprocal(abs(b.value))
        if reciprocal is not None:
            exact = mul(a, const(reciprocal if b.value > 0 else -reciprocal))
            if exact.type.scale <= DIVISION_SCALE:
                return exact
            # one more digit: rounding up can carry past the exact value's bounds (9.99…975 → 10)
            return Call("round", (exact,), decimal_type(exact.type.digits + 1, DIVISION_SCALE, exact.type.nullable))
    nullable = _nullable(a, b) or not (isinstance(b, Const) and b.value != 0)
    return Call("div", (a, b), decimal_type(a.type.digits + b.type.scale + 1, DIVISION_SCALE, nullable))


def steps(quantity: Node, step: Node) -> Node:
    """⌊quantity ÷ step⌋ for quantity ≥ 0 and a step > 0: the whole steps of 每满. (On a row
    where the quantity is negative, and the steps are not used, the SQL gives ⌊|quantity| ÷ step⌋.)"""
    if _is_const(quantity, step):
        return const(CONTEXT.divide_int(quantity.value, step.value))
    low, high, most = quantity.type.low, quantity.type.high, None
    if _known(low, high) and isinstance(step, Const):
        most = CONTEXT.divide_int(max(abs(low), abs(high)), step.value)
    return Call("steps", (quantity, step), decimal_type(quantity.type.digits + step.type.scale, 0,
                                                        quantity.type.nullable, ZERO, most))


def null_if_any(value: Node, *guards: Node) -> Node:
    """``value``, or NULL when one of ``guards`` (computed by the interpreter first) failed."""
    guards = tuple(g for g in guards if g.type.nullable)
    if not guards:
        return value
    return Call("null_if_any", (value, *guards), value.type.may_be_null(True))


def minimum(*nodes: Node) -> Node:
    return _extreme("min", nodes)


def maximum(*nodes: Node) -> Node:
    return _extreme("max", nodes)


def within(node: Node, high: Decimal) -> Node:
    """``node``, known to lie in [0, high] on every row (a score held to its points, of rules
    that only add), typed so: narrow types keep the engine on 64-bit decimals."""
    kind = node.type
    if kind.kind != "decimal":
        return node
    low = max(kind.low, ZERO) if kind.low is not None else ZERO
    high = min(kind.high, high) if kind.high is not None else high
    narrow = decimal_type(kind.digits, kind.scale, kind.nullable, low, high)
    if narrow == kind:
        return node
    if isinstance(node, Call):
        return Call(node.op, node.args, narrow)
    return Call("max", (node, ZERO_NODE), narrow)


def _never_picked(op: str, node: Node, other: Node) -> bool:
    """Whether ``other`` is on every row at most (min) or at least (max) ``node``, so that the
    extreme never needs ``node``: 分值 in LEAST(score, 分值) when the score cannot exceed it."""
    if op == "min":
        return _known(other.type.high, node.type.low) and other.type.high <= node.type.low
    return _known(other.type.low, node.type.high) and other.type.low >= node.type.high


def _extreme(op: str, nodes: Sequence[Node]) -> Node:
    """LEAST or GREATEST of ``nodes``, without the operands that the bounds show never decide it."""
    given = list(dict.fromkeys(nodes))
    kept = list(given)
    for node in given:
        if len(kept) > 1 and any(_never_picked(op, node, other) for other in kept if other is not node):
            kept.remove(node)
    if len(kept) == 1:
        return null_if_any(kept[0], *(n for n in given if n is not kept[0]))
    kind = _unify(*kept).may_be_null(False)
    lows, highs = [n.type.low for n in kept], [n.type.high for n in kept]
    if op == "min":
        low = None if None in lows else min(lows)
        high = min([h for h in highs if h is not None], default=None)
    else:
        low = max([lo for lo in lows if lo is not None], default=None)
        high = None if None in highs else max(highs)
    call = Call(op, tuple(kept), decimal_type(kind.digits, kind.scale, False, low, high) if kind.kind == "decimal" else kind)
    return null_if_any(call, *given)  # LEAST/GREATEST skip NULLs; the interpreter would have failed


def if_(condition: Node, then: Node, otherwise: Node) -> Node:
    if isinstance(condition, Const):
        return then if condition.value else otherwise
    if then == otherwise and not condition.type.nullable:
        return then
    kind = _unify(then, otherwise)
    return Call("if", (condition, then, otherwise), kind.may_be_null(condition.type.nullable))


def compare(op: str, a: Node, b: Node) -> Node:
    if _is_const(a, b):
        from jhdsl.interpreter import _compare

        return const(_compare(op, a.value, b.value))
    return Call(op, (a, b), BOOL.may_be_null(_nullable(a, b)))


def both(a: Node, b: Node) -> Node:
    """a 且 b, decided left to right as the interpreter does: a failing a fails the whole."""
    if isinstance(a, Const):
        return b if a.value else FALSE
    if isinstance(b, Const) and not a.type.nullable:
        return a if b.value else FALSE
    if a.type.nullable:
        return if_(a, b, FALSE)
    return Call("and", (a, b), BOOL.may_be_null(b.type.nullable))


def either(a: Node, b: Node) -> Node:
    """a 或 b, decided left to right."""
    if isinstance(a, Const):
        return TRUE if a.value else b
    if isinstance(b, Const) and not a.type.nullable:
        return TRUE if b.value else a
    if a.type.nullable:
        return if_(a, TRUE, b)
    return Call("or", (a, b), BOOL.may_be_null(b.type.nullable))


def negation(a: Node) -> Node:
    if isinstance(a, Const):
        return const(not a.value)
    return Call("not", (a,), a.type)


# ---- the plan -----------------------------------------------------------------------------


class Lowering:
    """Builds one policy's plan; ``prefix`` keeps the names of another policy's values apart
    when it is compiled into the same plan (组成 … 按 政策文件)."""

    def __init__(self, policy: ast.Policy, params: Mapping[str, Value], columns: Mapping[str, Type],
                 bindings: list[Binding], prefix: str = "") -> None:
        self.policy = policy
        self.params = params
        self.columns = columns
        self.bindings = bindings
        self.prefix = prefix
        self.kinds = {f.name: f.type.kind for f in policy.facts} | {p.name: p.type.kind for p in policy.params}
        self.keyed = {f.name for f in policy.facts if f.keyed_by}
        self.lists = {li.name: li.members for li in policy.lists}
        self.base: Node | None = None
        self.items: list[Node] = []  # every item's score, in the order of ast.all_items
        self.sections: list[Node] = []  # every section's amount, in the order of ast.all_sections
        self.components_shown: list[Node] = []  # each 组成 line's amount, NULL where it does not apply

    def bind(self, node: Node, label: str) -> Node:
        """Name a value so that later steps read it instead of computing it again."""
        if isinstance(node, Const | Column):
            return node
        name = f"{self.prefix}{label}{len(self.bindings)}"
        self.bindings.append(Binding(name, node))
        return Column(name, node.type)

    # expressions
    def expr(self, expr: ast.Expr, member: str | None = None) -> Node:
        match expr:
            case ast.Quantity():
                return const(expr.value)
            case ast.Boolean():
                return const(expr.value)
            case ast.Ref():
                return self.ref(expr.name, member)
            case ast.Subscript():
                return self.column(f"{expr.name}[{expr.key}]")
            case ast.BaseRef():
                return self.base
            case ast.Aggregate():
                return self.aggregate(expr)
            case ast.Not():
                return negation(self.expr(expr.operand, member))
            case ast.Logic():
                combine = both if expr.op == "and" else either
                result = self.expr(expr.operands[0], member)
                for operand in expr.operands[1:]:
                    result = combine(result, self.expr(operand, member))
                return result
            case ast.Negate():
                return neg(self.expr(expr.operand, member))
            case ast.Arith():
                return self.arith(expr, member)
            case ast.Compare():
                return compare(expr.op, self.expr(expr.left, member), self.expr(expr.right, member))
        raise CompileError(f"编译引擎不支持在评分中使用「{ast.expr_text(expr)}」")

    def ref(self, name: str, member: str | None) -> Node:
        if name in self.kinds and name not in self.params:
            return self.column(f"{name}[{member}]" if name in self.keyed else name)
        if name in self.params:
            return const(self.params[name])
        return const(name)  # a choice of an enumeration

    def column(self, name: str) -> Node:
        if name not in self.columns:
            raise CompileError(f"事实表中没有「{name}」这一列")
        return Column(name, self.columns[name])

    def arith(self, expr: ast.Arith, member: str | None) -> Node:
        left, right = self.expr(expr.left, member), self.expr(expr.right, member)
        hundred = const(Decimal(100))
        left_fraction, right_fraction = rate_fractions(self.policy, expr)  # 85% × 200 is 0.85 × 200
        if left_fraction:
            left = self.divide(left, hundred)
        if right_fraction:
            right = self.divide(right, hundred)
        if expr.op == "+":
            return add(left, right)
        if expr.op == "-":
            return sub(left, right)
        if expr.op == "*":
            return mul(left, right)
        return self.divide(left, right)

    def divide(self, a: Node, b: Node) -> Node:
        """a ÷ b; a division that needs the long way round reads its operands once, by name."""
        quotient = div(a, b)
        if isinstance(quotient, Call) and quotient.op == "div":
            quotient = Call("div", (self.bind(a, "被除数"), self.bind(b, "除数")), quotient.type)
        return quotient

    def aggregate(self, expr: ast.Aggregate) -> Node:
        value = self.column(expr.fact)
        if expr.function == "平均":
            total = self.bind(Window("sum", value, decimal_type(value.type.digits + 8, value.type.scale)), "合计")
            count = self.bind(Window("count", value, decimal_type(10, 0)), "个数")
            return self.bind(self.divide(total, count), "平均")
        if expr.function == "名次":
            return self.bind(Window("rank_desc", value, decimal_type(10, 0)), "名次")
        function = "max" if expr.function == "最高" else "min"
        return self.bind(Window(function, value, value.type), expr.function)

    # rules
    def rules(self, rules: Sequence[ast.Rule], item_points: Decimal | None, member: str | None = None,
              path: Node = TRUE) -> tuple[list[Node], list[tuple[Node, bool]]]:
        """The signed amounts of the lines the rules write, in order (0 where a rule does not
        apply on this unit's path), and the overrides (condition, to full points) in order."""
        amounts: list[Node] = []
        overrides: list[tuple[Node, bool]] = []
        for rule in rules:
            match rule:
                case ast.Fixed():
                    amounts.append(if_(path, self.fixed(rule, member), ZERO_NODE))
                case ast.PerUnit():
                    amounts.append(if_(path, self.per_unit(rule, member), ZERO_NODE))
                case ast.RateScale():
                    amounts.append(if_(path, self.rate(rule, item_points, member), ZERO_NODE))
                case ast.Tiers():
                    amounts.append(if_(path, self.tiers(rule, member), ZERO_NODE))
                case ast.Override():
                    overrides.append((both(path, self.expr(rule.condition, member)), rule.full))
                case ast.Each():
                    for each in self.lists[rule.list_name]:
                        more, more_overrides = self.rules([rule.rule], item_points, each, path)
                        amounts += more
                        overrides += more_overrides
                case ast.When():
                    condition = self.bind(self.expr(rule.condition, member), "当")
                    for branch, holds in ((rule.then, condition), (rule.otherwise, negation(condition))):
                        more, more_overrides = self.rules(branch, item_points, member, both(path, holds))
                        amounts += more
                        overrides += more_overrides
        return amounts, overrides

    def multiplied(self, rule: ast.Fixed | ast.PerUnit, amount: Node, member: str | None) -> Node:
        for multiplier in rule.multipliers:
            holds = self.expr(multiplier.condition, member)
            amount = if_(holds, mul(amount, const(multiplier.factor)), amount)
        return amount

    def fixed(self, rule: ast.Fixed, member: str | None) -> Node:
        amount = self.multiplied(rule, const(rule.points.value), member)
        signed = amount if rule.sign == ast.AWARD else neg(amount)
        if rule.condition is None:
            return signed
        return if_(self.expr(rule.condition, member), signed, ZERO_NODE)

    def per_unit(self, rule: ast.PerUnit, member: str | None) -> Node:
        measure = maximum(self.expr(rule.measure, member), ZERO_NODE)
        step, amount = const(rule.step.value), const(rule.points.value)
        raw = mul(steps(measure, step), amount) if rule.whole_steps else self.divide(mul(measure, amount), step)
        raw = self.multiplied(rule, raw, member)
        if rule.cap is not None:
            raw = within(minimum(raw, const(rule.cap.value)), rule.cap.value)
        signed = raw if rule.sign == ast.AWARD else neg(raw)
        if rule.condition is None:
            return signed
        return if_(self.expr(rule.condition, member), signed, ZERO_NODE)

    def rate(self, rule: ast.RateScale, item_points: Decimal | None, member: str | None) -> Node:
        full = const(rule.full.value if rule.full is not None else (item_points or ZERO))
        rate = self.bind(self.expr(rule.measure, member), "率")
        target = const(rule.target.value)
        gap = sub(target, rate)  # used only below the target, where it is > 0
        step, slope = const(rule.step.value), const(rule.slope.value)
        deduction = mul(steps(gap, step), slope) if rule.whole_steps else self.divide(mul(gap, slope), step)
        scaled = maximum(sub(full, deduction), ZERO_NODE)
        if rule.floor is not None:
            scaled = if_(compare("<", rate, const(rule.floor.value)), ZERO_NODE, scaled)
        return if_(compare(">=", rate, target), full, scaled)

    def tiers(self, rule: ast.Tiers, member: str | None) -> Node:
        value = self.bind(self.expr(rule.measure, member), "档")
        result: Node = ZERO_NODE
        for tier in reversed(rule.tiers):
            amount = ZERO_NODE if tier.sign == 0 else const(tier.points.value * tier.sign)
            if tier.op is None:
                result = amount
            else:
                result = if_(compare(tier.op, value, self.expr(tier.bound, member)), amount, result)
        return null_if_any(result, value)

    # items
    def item(self, item: ast.Item) -> tuple[Node, Node]:
        """An item's score and the points of its leaves that do not apply (不适用)."""
        index = len(self.items)
        self.items.append(ZERO_NODE)
        if item.children:
            scored = [self.item(child) for child in item.children]
            score = minimum(total_of([s for s, _ in scored]), const(item.points.value))
            if not any(child.negative for child in ast.all_items(item.children)):
                score = within(score, item.points.value)
            left_out = total_of([lo for _, lo in scored])
        else:
            score, left_out = self.leaf(item)
        score = self.bind(score, "项")
        self.items[index] = score
        return score, left_out

    def leaf(self, item: ast.Item) -> tuple[Node, Node]:
        full = const(item.points.value)
        if ast.leaf_starts_full(item):
            start = full
        else:
            start = const(item.start.value) if item.start is not None else ZERO_NODE
        amounts, overrides = self.rules([r for r in item.rules if not isinstance(r, ast.NotApplicable)],
                                        item.points.value)
        raw = self.bind(total_of([start, *amounts]), "计")
        score = minimum(raw, full)
        if not item.negative:
            score = within(maximum(score, ZERO_NODE), item.points.value)
        for condition, to_full in reversed(overrides):
            score = if_(condition, full if to_full else ZERO_NODE, score)
        score = null_if_any(score, raw, *(condition for condition, _ in overrides))
        not_applicable: Node = FALSE
        for rule in item.rules:
            if isinstance(rule, ast.NotApplicable):
                not_applicable = either(not_applicable, self.expr(rule.condition))
        if not_applicable == FALSE:
            return score, ZERO_NODE
        not_applicable = self.bind(not_applicable, "不适用")
        return if_(not_applicable, ZERO_NODE, score), if_(not_applicable, full, ZERO_NODE)

    # sections
    def section(self, section: ast.Section) -> Node:
        index = len(self.sections)
        self.sections.append(ZERO_NODE)
        amounts, _ = self.rules(section.rules, None)
        children = [self.section(child) for child in section.children]
        sign = const(Decimal(section.sign))
        if section.highest_only:
            parts = [mul(sign, a) for a in amounts] + children
            raw = maximum(*parts) if parts else ZERO_NODE
        else:
            raw = add(mul(sign, total_of(amounts)), total_of(children))
        amount = minimum(raw, const(section.cap.value)) if section.cap is not None else raw
        signs = {sign for part in ast.all_sections([section]) for sign in ast.rule_signs(part.rules)}
        if section.cap is not None and signs <= {section.sign}:  # every rule adds to it: 0 ≤ amount ≤ cap
            amount = within(amount, section.cap.value)
        if section.gate is not None:
            amount = if_(self.expr(section.gate), amount, ZERO_NODE)
        amount = self.bind(amount, "部")
        self.sections[index] = amount
        return amount

    # the unit
    def total(self) -> dict[str, Node]:
        """Every value of a unit's result that is not a rank: total, base, … as nodes."""
        policy = self.policy
        full = policy.full_marks
        scored = [self.item(item) for item in policy.items]
        base = total_of([s for s, _ in scored])
        left_out = total_of([lo for _, lo in scored])
        if left_out != ZERO_NODE:
            left_out = self.bind(left_out, "不适用分")
            rescale = both(compare("!=", left_out, ZERO_NODE), compare(">", const(full), left_out))
            base = if_(rescale, self.divide(mul(base, const(full)), sub(const(full), left_out)), base)
        base = minimum(base, const(full))
        if not any(item.negative for item in ast.all_items(policy.items)):
            base = within(base, full)
        base = self.bind(base, "基础分")
        self.base = base
        sections = [self.section(s) for s in policy.sections]
        bonus = self.bind(total_of([a for s, a in zip(policy.sections, sections, strict=True)
                                    if s.sign == ast.AWARD]), "加分")
        penalty = self.bind(total_of([a for s, a in zip(policy.sections, sections, strict=True)
                                      if s.sign == ast.DEDUCT]), "减分")
        running = sub(add(base, bonus), penalty)
        cuts = []
        for rule in policy.share_cuts:
            running = self.bind(running, "扣减前")
            cut = self.divide(mul(maximum(running, ZERO_NODE), const(rule.share.value)), const(Decimal(100)))
            cut = self.bind(if_(self.expr(rule.condition), cut, ZERO_NODE), "扣减")
            cuts.append(cut)
            running = sub(running, cut)
        total = self.bind(running, "总分")
        total = self.bind(self.components(total), "合成")
        return {"total": total, "base": base, "bonus": bonus, "penalty": penalty,
                "cut": self.bind(total_of(cuts), "扣减合计")}

    def components(self, own_total: Node) -> Node:
        combination = self.policy.combination
        if combination is None:
            return own_total
        parts, any_applies = [], FALSE
        for component in combination.components:
            if component.period is not None:
                raise CompileError(f"编译引擎不支持「{component.name}」按本办法另一期的事实得分，请用 --engine interp")
            if component.policy is not None:
                other = Lowering(component.policy, resolve_params(component.policy, {}), self.columns,
                                 self.bindings, f"{self.prefix}{component.name}_")
                value, full = other.total()["total"], component.policy.full_marks
            elif component.source is None:
                value, full = own_total, self.policy.full_marks
            else:
                value = self.ref(component.source, None)
                fact = next(f for f in self.policy.facts if f.name == component.source)
                full = fact.high.value if fact.high is not None else None
            if component.share is not None:
                amount = self.divide(mul(value, const(component.share.value)), const(Decimal(100)))
            elif component.rescale is not None:
                if full is None:
                    raise CompileError(f"「{component.name}」折合时不知道满分")
                amount = self.divide(mul(value, const(component.rescale.value)), const(full))
            else:
                amount = value
            applies = TRUE if component.condition is None else self.bind(self.expr(component.condition), "若")
            parts.append(if_(applies, amount, ZERO_NODE))
            self.components_shown.append(if_(applies, amount, Const(None, amount.type.may_be_null(True))))
            any_applies = either(any_applies, applies)
        return if_(any_applies, total_of(parts), own_total)

    def grade(self, total: Node, vetoed: Node) -> Node:
        otherwise = next((b.name for b in self.policy.bands if b.otherwise), None)
        result: Node = Const(otherwise, TEXT) if otherwise is not None else Const(None, TEXT)
        for band in reversed([b for b in self.policy.bands if not b.otherwise]):
            inside: Node = TRUE
            if band.low is not None:
                inside = both(inside, compare(">=" if band.low.inclusive else ">", total, const(band.low.value)))
            if band.high is not None:
                inside = both(inside, compare("<=" if band.high.inclusive else "<", total, const(band.high.value)))
            result = if_(inside, const(band.name), result)
        return if_(vetoed, Const(None, TEXT), result)


def compile_policy(policy: ast.Policy, params: Mapping[str, Value] | None = None) -> Plan:
    """The plan of ``policy`` under one set of parameters (defaults when None)."""
    params = dict(params) if params is not None else resolve_params(policy, {})
    columns = fact_columns(policy)
    lowering = Lowering(policy, params, columns, [])
    values = lowering.total()
    outputs = [(values[role], role, 0) for role in values]
    outputs += [(score, "item", index) for index, score in enumerate(lowering.items)]
    outputs += [(amount, "section", index) for index, amount in enumerate(lowering.sections)]
    hits = [lowering.bind(lowering.expr(veto.condition), "否决") for veto in ast.all_vetoes(policy)]
    outputs += [(hit, "veto", index) for index, hit in enumerate(hits)]
    if policy.bands:
        vetoed = Call("or", tuple(hits), BOOL) if len(hits) > 1 else (hits[0] if hits else FALSE)
        outputs.append((lowering.bind(lowering.grade(values["total"], vetoed), "等次"), "grade", 0))
    if policy.eligibility is not None:
        conditions = [lowering.expr(c.expr) for c in policy.eligibility.requirements]
        conditions += [negation(lowering.expr(c.expr)) for c in policy.eligibility.exclusions]
        eligible = Call("and", tuple(conditions), BOOL) if len(conditions) > 1 else (conditions or [TRUE])[0]
        outputs.append((lowering.bind(null_if_any(eligible, *conditions), "资格"), "eligible", 0))
    failed = lowering.bind(Call("any_null", tuple(node for node, _, _ in outputs if node.type.nullable), BOOL)
                           if any(node.type.nullable for node, _, _ in outputs) else FALSE, "失败")
    outputs.append((failed, "failed", 0))
    outputs += [(lowering.bind(amount, "组成"), "component", index)
                for index, amount in enumerate(lowering.components_shown)]
    for index, ranking in enumerate(policy.rankings):
        keys = [(_ranking_key(lowering, values, ranking.key), ranking.ascending)]
        if ranking.has_tie_break:
            keys.append((_ranking_key(lowering, values, ranking.tie_break), ranking.ascending))
        groups = (failed, Column(GROUP_COLUMN, TEXT)) if ranking.in_group else (failed,)
        for what in ("rank", "size", "tied"):
            node = Rank(tuple(keys), groups, what, BOOL if what == "tied" else decimal_type(10, 0))
            outputs.append((lowering.bind(node, "名"), f"rank_{what}", index))
    labels = _labels(policy)
    named, seen = [], set()
    for node, role, index in outputs:
        label = labels[role](index) if callable(labels[role]) else labels[role]
        while label in seen:
            label += "#"
        seen.add(label)
        named.append(Output(_column_of(lowering, node), role, index, label))
    return Plan(policy.name, columns, tuple(lowering.bindings), tuple(named), policy.places)


def _labels(policy: ast.Policy) -> dict:
    """The name of each result column, by role (and index)."""
    items = list(ast.all_items(policy.items))
    sections = list(ast.all_sections(policy.sections))
    vetoes = list(ast.all_vetoes(policy))
    words = {ast.AWARD: "加分", ast.DEDUCT: "减分"}
    return {
        "total": "总分", "base": "基础分", "bonus": "加分", "penalty": "减分", "cut": "扣减", "grade": "等次",
        "eligible": "符合资格", "failed": "无法计算",
        "item": lambda i: f"项目:{items[i].name}",
        "component": lambda i: f"组成:{policy.combination.components[i].name}",
        "section": lambda i: f"{words[sections[i].sign]}:{sections[i].name}",
        "veto": lambda i: f"一票否决:{vetoes[i].name}",
        "rank_rank": lambda i: f"排名:{policy.rankings[i].name}",
        "rank_size": lambda i: f"排名:{policy.rankings[i].name}:单位数",
        "rank_tied": lambda i: f"排名:{policy.rankings[i].name}:并列",
    }


def _ranking_key(lowering: Lowering, values: dict[str, Node], name: str | None) -> Node:
    if name is None:
        return values["total"]
    for item, score in zip(ast.all_items(lowering.policy.items), lowering.items, strict=True):
        if item.name == name:
            return score
    for section, amount in zip(ast.all_sections(lowering.policy.sections), lowering.sections, strict=True):
        if section.name == name:
            return amount
    return lowering.column(name)


def _column_of(lowering: Lowering, node: Node) -> str:
    """The column that holds ``node``: its own, or a new binding (for a constant)."""
    if isinstance(node, Column):
        return node.name
    name = f"值{len(lowering.bindings)}"
    lowering.bindings.append(Binding(name, node))
    return name
