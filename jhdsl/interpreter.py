"""The interpreter: the reference meaning of a policy, with an explanation for every point.

Each rule yields a signed amount and a sentence. A leaf starts from zero (or its full
points, when all its rules deduct or 初始 满分 says so), adds its rules' amounts and is held
to [0, 分值]; a group is the sum of its children held to its own 分值; bonus and penalty
sections are capped; the total is the base plus bonuses minus penalties. Within a result,
the starting point plus every line's amount equals the score, so nothing is unexplained.
"""

from __future__ import annotations

import copy
import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from jhdsl import ast
from jhdsl.errors import BadValue, EvaluationError, ParameterError, suggestion
from jhdsl.facts import Unit, Value, default_value, parse_value
from jhdsl.numbers import CONTEXT, ZERO, approx, divide, multiply, per_step, plain, points

# ---- results ------------------------------------------------------------------------------


@attrs.frozen
class Line:
    """One step of a score: a rule that fired or not, a cap or floor that bit, an override."""

    amount: Decimal
    text: str
    span: ast.Span | None = None


@attrs.frozen
class ItemResult:
    """An item's score out of its points, how it started, and every line that moved it."""

    name: str
    points: Decimal
    score: Decimal
    start: Decimal
    lines: tuple[Line, ...] = ()
    children: tuple[ItemResult, ...] = ()
    applicable: bool = True

    @property
    def left_out(self) -> Decimal:
        """Points of this item (or its leaves) that do not apply to the unit (不适用)."""
        if not self.children:
            return ZERO if self.applicable else self.points
        return sum((child.left_out for child in self.children), ZERO)


@attrs.frozen
class SectionResult:
    """A bonus (sign +1) or penalty (sign −1) section: its amount (≥ 0) after its cap."""

    name: str
    sign: int
    amount: Decimal
    cap: Decimal | None
    lines: tuple[Line, ...] = ()
    children: tuple[SectionResult, ...] = ()


@attrs.frozen
class VetoHit:
    """一票否决 that applies to a unit, with the reason in words.

    ``climb`` is how many levels of parent units the veto also applies to (上否一级 is 1).
    """

    name: str
    reason: str
    climb: int = 0


@attrs.frozen
class RankPlace:
    """A unit's place in one 排名: rank (ties share it) out of ``size`` units of its group."""

    ranking: str
    rank: int
    size: int
    group: str | None = None
    tied: bool = False


@attrs.frozen
class Award:
    """An outcome (结果) a unit receives, why, and the money attached (fines negative)."""

    name: str
    reason: str
    money: Decimal | None = None
    veto: bool = False


@attrs.frozen
class UnitResult:
    """Everything about one unit's score."""

    unit: str
    group: str | None
    parent: str | None
    total: Decimal
    base: Decimal
    bonus: Decimal
    penalty: Decimal
    items: tuple[ItemResult, ...]
    sections: tuple[SectionResult, ...]
    vetoes: tuple[VetoHit, ...]
    grade: str | None
    lines: tuple[Line, ...] = ()
    cut: Decimal = Decimal(0)
    cut_lines: tuple[Line, ...] = ()
    eligible: bool | None = None
    ineligible: tuple[str, ...] = ()
    ranks: tuple[RankPlace, ...] = ()
    outcomes: tuple[Award, ...] = ()
    components: tuple[Line, ...] = ()

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


# ---- parameters ---------------------------------------------------------------------------


def resolve_params(policy: ast.Policy, given: Mapping[str, str]) -> dict[str, Value]:
    """The run's parameter values: ``--set`` values checked against their types, else defaults."""
    declared = {p.name: p for p in policy.params}
    values: dict[str, Value] = {}
    for name, text in given.items():
        if name not in declared:
            hint = suggestion(name, declared) or (f"可设置的参数：{'、'.join(declared)}" if declared else "本政策没有参数")
            raise ParameterError(f"没有名为「{name}」的参数。{hint}")
        try:
            values[name] = parse_value(declared[name].type, text)
        except BadValue as bad:
            hint = bad.hint or ""
            raise ParameterError(f"参数「{name}」的值「{text}」{bad.message}。{hint}") from None
    for name, param in declared.items():
        if name not in values:
            value = default_value(param)
            if value is None:
                raise ParameterError(f"参数「{name}」没有默认值，请用 --set {name}=值 给出")
            values[name] = value
    return values


# ---- expressions --------------------------------------------------------------------------


class Population:
    """All units assessed in one run, for 平均/最高/最低/名次 of a fact; computed once each."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = units
        self.cache: dict[tuple[str, str], object] = {}

    def values(self, fact: str) -> list[Decimal]:
        return [u.values[fact] for u in self.units if isinstance(u.values.get(fact), Decimal)]

    def value(self, function: str, fact: str, unit: Unit) -> Decimal:
        key = (function, fact)
        if key not in self.cache:
            values = self.values(fact)
            if not values:
                raise EvaluationError(f"没有任何单位有「{fact}」的值，无法求{function}")
            self.cache[key] = {
                "平均": lambda: divide(sum(values, ZERO), Decimal(len(values))),
                "最高": lambda: max(values),
                "最低": lambda: min(values),
                "名次": lambda: sorted(values, reverse=True),
            }[function]()
        found = self.cache[key]
        if function == "名次":
            return Decimal(found.index(unit.values[fact]) + 1)  # ties share the better place
        return found


class Env:
    """The values an expression can see: the unit's facts, the parameters, a list member."""

    def __init__(self, policy: ast.Policy, unit: Unit, params: Mapping[str, Value],
                 member: str | None = None, population: Population | None = None) -> None:
        self.policy = policy
        self.unit = unit
        self.population = population or Population([unit])
        self.params = params
        self.member = member
        self.held: frozenset[str] = frozenset()
        self.base: Decimal | None = None
        self.result: UnitResult | None = None  # in 结果 … 若: the unit's score and grade
        self.eligible: bool | None = None
        self.kinds = {f.name: f.type.kind for f in policy.facts} | {p.name: p.type.kind for p in policy.params}

    def with_member(self, member: str) -> Env:
        env = copy.copy(self)
        env.member = member
        return env

    def lookup(self, name: str) -> Value:
        if name in self.unit.values:
            value = self.unit.values[name]
            if isinstance(value, Mapping):
                return value[self.member]
            return value
        if name in self.params:
            return self.params[name]
        return name  # a choice of an enumeration, as the checker has made sure

    def evaluate(self, expr: ast.Expr) -> Value:
        match expr:
            case ast.Quantity():
                return expr.value
            case ast.Boolean():
                return expr.value
            case ast.Ref():
                return self.lookup(expr.name)
            case ast.Subscript():
                return self.unit.values[expr.name][expr.key]
            case ast.Holds():
                return expr.outcome in self.held
            case ast.BaseRef():
                return self.base
            case ast.TotalRef():
                return self.result.total
            case ast.GradeRef():
                return "一票否决" if self.result.vetoed else (self.result.grade or "")
            case ast.IsEligible():
                return bool(self.eligible)
            case ast.Aggregate():
                return self.population.value(expr.function, expr.fact, self.unit)
            case ast.Not():
                return not self.evaluate(expr.operand)
            case ast.Logic(op="and"):
                return all(self.evaluate(o) for o in expr.operands)
            case ast.Logic(op="or"):
                return any(self.evaluate(o) for o in expr.operands)
            case ast.Negate():
                return -self.evaluate(expr.operand)
            case ast.Arith():
                left, right = self.as_fractions(expr, self.evaluate(expr.left), self.evaluate(expr.right))
                try:
                    return _arith(expr.op, left, right)
                except EvaluationError as error:
                    raise EvaluationError(f"无法计算「{self.text(expr)}」：{error}（{self.facts_used(expr)}）") from None
            case ast.Compare():
                return _compare(expr.op, self.evaluate(expr.left), self.evaluate(expr.right))
        raise TypeError(f"unknown expression {expr!r}")

    def as_fractions(self, expr: ast.Arith, left: Value, right: Value) -> tuple[Value, Value]:
        """Rates are kept in percentage points (85% is 85); where one multiplies or divides a
        quantity it stands for its fraction: 200 × 85% = 170, 170 ÷ 85% = 200, 85% × 85% = 72.25%."""
        left_rate, right_rate = self.is_percent(expr.left), self.is_percent(expr.right)
        if expr.op == "*" and (left_rate or right_rate):
            if left_rate and right_rate:
                return divide(left, Decimal(100)), right
            bare = expr.right if left_rate else expr.left
            if isinstance(bare, ast.Quantity) and bare.kind == ast.PLAIN:
                return left, right  # a rate scaled by a bare number stays a rate: 目标率 × 1.1
            return (divide(left, Decimal(100)), right) if left_rate else (left, divide(right, Decimal(100)))
        if expr.op == "/" and right_rate and not left_rate:
            return left, divide(right, Decimal(100))
        return left, right

    def is_percent(self, expr: ast.Expr) -> bool:
        """Whether an expression is a rate, kept in percentage points (85% is 85)."""
        match expr:
            case ast.Quantity():
                return expr.kind == ast.PERCENT
            case ast.Ref() | ast.Subscript():
                return self.kinds.get(expr.name) == ast.PERCENT
            case ast.Negate():
                return self.is_percent(expr.operand)
            case ast.Arith(op="+" | "-"):
                return self.is_percent(expr.left) or self.is_percent(expr.right)
            case ast.Arith(op="*"):  # a rate × a rate, or a rate scaled by a bare number
                sides = (expr.left, expr.right)
                rates = sum(map(self.is_percent, sides))
                return rates == 2 or (rates == 1 and any(
                    isinstance(s, ast.Quantity) and s.kind == ast.PLAIN for s in sides))
        return False

    # words
    def text(self, expr: ast.Expr) -> str:
        return ast.expr_text(expr)

    def show(self, name: str, value: Value) -> str:
        """A value as the writer would write it: 是/否, 98.5%, 3."""
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Decimal):
            return f"{plain(value)}%" if self.kinds.get(name) == ast.PERCENT else plain(value)
        return str(value)

    def facts_used(self, expr: ast.Expr) -> str:
        """The values behind an expression: 「出生政策符合率 = 98.5%，党员干部违法生育 = 否」."""
        shown = []
        for node in _names_in(expr):
            if isinstance(node, ast.BaseRef):
                label, value, name = "基础分", self.base, ""
            elif isinstance(node, ast.TotalRef | ast.GradeRef):
                label, value, name = self.text(node), self.evaluate(node), ""
            elif isinstance(node, ast.Holds | ast.IsEligible):
                label, value, name = self.text(node), bool(self.evaluate(node)), ""
            elif isinstance(node, ast.Aggregate):
                label, value = self.text(node), self.evaluate(node)
                name = "" if node.function == "名次" else node.fact
            elif isinstance(node, ast.Subscript):
                label, value = f"{node.name}[{node.key}]", self.evaluate(node)
                name = node.name
            elif node.name in self.unit.values or node.name in self.params:
                label, value, name = node.name, self.lookup(node.name), node.name
                if self.member is not None and isinstance(self.unit.values.get(name), Mapping):
                    label = f"{name}[{self.member}]"
            else:
                continue
            entry = f"{label} = {self.show(name, value)}"
            if entry not in shown:
                shown.append(entry)
        return "，".join(shown)

    def condition_words(self, expr: ast.Expr) -> tuple[bool, str]:
        """Whether a condition holds, and the words for it: 「…」成立（… = …）."""
        holds = bool(self.evaluate(expr))
        if isinstance(expr, ast.Ref) and isinstance(self.lookup(expr.name), bool):
            return holds, f"{self.facts_used(expr)}"
        values = "，".join(filter(None, (self.facts_used(part) for part in self.deciding(expr, holds))))
        tail = f"（{values}）" if values else ""
        return holds, f"「{self.text(expr)}」{'成立' if holds else '不成立'}{tail}"

    def deciding(self, expr: ast.Expr, holds: bool) -> list[ast.Expr]:
        """The parts of a condition that decided it: of an 或 that holds, the parts that hold;
        of an 且 that fails, the parts that fail; otherwise the whole condition."""
        if isinstance(expr, ast.Logic) and (expr.op == "or") == holds:
            # the first part that settles it, as evaluation stops there (later parts may not
            # even be computable, e.g. a division guarded by 出生数 > 0)
            return [next(part for part in expr.operands if bool(self.evaluate(part)) == holds)]
        return [expr]


def _names_in(expr: ast.Expr):
    match expr:
        case (ast.Ref() | ast.Subscript() | ast.Holds() | ast.IsEligible() | ast.Aggregate() | ast.BaseRef()
              | ast.TotalRef() | ast.GradeRef()):
            yield expr
        case ast.Not() | ast.Negate():
            yield from _names_in(expr.operand)
        case ast.Logic():
            for operand in expr.operands:
                yield from _names_in(operand)
        case ast.Arith() | ast.Compare():
            yield from _names_in(expr.left)
            yield from _names_in(expr.right)


def _arith(op: str, a: Decimal, b: Decimal) -> Decimal:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return multiply(a, b)
    if b == 0:
        raise EvaluationError("除数为 0")
    return divide(a, b)


def _compare(op: str, a: Value, b: Value) -> bool:
    match op:
        case "=":
            return a == b
        case "!=":
            return a != b
        case ">=":
            return a >= b
        case ">":
            return a > b
        case "<=":
            return a <= b
        case "<":
            return a < b
    raise ValueError(op)


# ---- rules --------------------------------------------------------------------------------


@attrs.define
class _Outcome:
    """What the rules of a leaf or section did: lines, and the override (不计分/满分) that fired
    first. ``award`` is the word for an award: 计 in an item, 加 in a bonus section."""

    lines: list[Line]
    award: str = "计"
    override: tuple[bool, Line] | None = None

    def verb(self, sign: int) -> str:
        return self.award if sign == ast.AWARD else "扣"


class Interpreter:
    """Scores units under one policy and one set of parameters."""

    def __init__(self, policy: ast.Policy, params: Mapping[str, Value] | None = None,
                 population: Sequence[Unit] | None = None,
                 periods: Mapping[str, Sequence[Unit]] | None = None) -> None:
        self.policy = policy
        self.periods = {name: {u.name: u for u in units} for name, units in (periods or {}).items()}
        self.population = Population(population) if population is not None else None
        self.params = dict(params) if params is not None else resolve_params(policy, {})
        self.vetoes = list(ast.all_vetoes(policy))
        self.facts = {f.name: f for f in policy.facts}
        self.others: dict[tuple, Interpreter] = {}
        self.uncombined = attrs.evolve(policy, combination=None)  # itself, for 本办法 于 某期

    # units
    def evaluate(self, unit: Unit) -> UnitResult:
        """Score one unit; all arithmetic runs in the one decimal context of ``numbers``."""
        with decimal.localcontext(CONTEXT):
            try:
                return self._evaluate(unit)
            except decimal.DecimalException as error:
                raise EvaluationError(f"数值超出可计算的范围（{type(error).__name__}）") from None

    def _evaluate(self, unit: Unit) -> UnitResult:
        env = Env(self.policy, unit, self.params, population=self.population)
        items = tuple(self.item(i, env) for i in self.policy.items)
        base = sum((i.score for i in items), ZERO)
        lines = []
        full = self.policy.full_marks
        left_out = sum((i.left_out for i in items), ZERO)
        if left_out and full > left_out:
            rescaled = divide(multiply(base, full), full - left_out)
            lines.append(Line(rescaled - base, f"不适用的项目共 {points(left_out)}，其余项目满分 {points(full - left_out)}，"
                                               f"按满分 {points(full)} 折算：{approx(base)} × {plain(full)} ÷ "
                                               f"{plain(full - left_out)} = {points(rescaled)}"))
            base = rescaled
        if base > full:
            lines.append(Line(full - base, f"各项合计 {points(base)}，超过满分 {points(full)}，按满分计"))
            base = full
        env.base = base
        sections = tuple(self.section(s, env) for s in self.policy.sections)
        bonus = sum((s.amount for s in sections if s.sign == ast.AWARD), ZERO)
        penalty = sum((s.amount for s in sections if s.sign == ast.DEDUCT), ZERO)
        cut_lines = list(self.share_cuts(env, base + bonus - penalty))
        cut = -sum((line.amount for line in cut_lines), ZERO)
        total = base + bonus - penalty - cut
        components = tuple(self.components(env, total))
        if components:
            total = sum((line.amount for line in components), ZERO)
        vetoes = tuple(self.veto_hits(env))
        grade = None if vetoes else self.grade(total)
        eligible, ineligible = self.eligibility(env)
        return UnitResult(unit.name, unit.group, unit.parent, total, base, bonus, penalty, items,
                          sections, vetoes, grade, tuple(lines), cut, tuple(cut_lines), eligible, ineligible,
                          components=components)

    def components(self, env: Env, own_total: Decimal):
        """组成: each component's contribution to the final score, with its arithmetic."""
        combination = self.policy.combination
        if combination is None:
            return
        for component in combination.components:
            if component.condition is not None and not env.evaluate(component.condition):
                continue
            if component.policy is not None:
                value = self.other(component.policy).evaluate(env.unit).total
                full, label = component.policy.full_marks, f"「{component.policy.name}」得分"
            elif component.period is not None:
                earlier = self.period_unit(component.period, env.unit)
                value = self.other(self.uncombined, component.period).evaluate(earlier).total
                full, label = self.policy.full_marks, f"本办法按「{component.period}」的事实得分"
            elif component.source is None:
                value, full, label = own_total, self.policy.full_marks, "本办法得分"
            else:
                value, label = env.lookup(component.source), component.source
                full = self.facts[component.source].high.value if self.facts[component.source].high else None
            if component.share is not None:
                share = component.share.value
                amount = divide(multiply(value, share), Decimal(100))
                words = f"{component.name}：{label} {points(value)} × {plain(share)}% = {points(amount)}"
            elif component.rescale is not None:
                scale = component.rescale.value
                amount = divide(multiply(value, scale), full)
                words = (f"{component.name}：{label} {points(value)}（满分 {points(full)}）折合 {points(scale)}："
                         f"{plain(value)} ÷ {plain(full)} × {points(scale)} = {points(amount)}")
            else:
                amount = value
                words = f"{component.name}：{label} {points(value)}"
            yield Line(amount, words, component.span)

    def other(self, policy: ast.Policy, period: str | None = None) -> Interpreter:
        """The interpreter of a policy this one takes a score from (or of this policy on another
        period's facts), made once."""
        key = (id(policy), period)
        if key not in self.others:
            params = self.params if period is not None else None
            units = list(self.periods[period].values()) if period is not None else (
                self.population.units if self.population else None)
            self.others[key] = Interpreter(policy, params, units)
        return self.others[key]

    def period_unit(self, period: str, unit: Unit) -> Unit:
        if period not in self.periods:
            raise ParameterError(f"政策要用「{period}」的事实，请用 --facts-of {period}=事实文件 给出")
        if unit.name not in self.periods[period]:
            raise EvaluationError(f"「{period}」的事实中没有这个单位")
        return self.periods[period][unit.name]

    def share_cuts(self, env: Env, total: Decimal):
        """扣减 N%: each that holds takes its share of the total as it stands after the ones before."""
        for rule in self.policy.share_cuts:
            holds, words = env.condition_words(rule.condition)
            if not holds:
                continue
            cut = divide(multiply(max(total, ZERO), rule.share.value), Decimal(100))
            yield Line(-cut, f"扣减 {plain(rule.share.value)}%：{words}，{points(total)} × {plain(rule.share.value)}% = "
                             f"{points(cut)}，扣减后 {points(total - cut)}", rule.span)
            total -= cut

    def eligibility(self, env: Env) -> tuple[bool | None, tuple[str, ...]]:
        """资格: None without one; else whether every requirement holds and no exclusion does."""
        rules = self.policy.eligibility
        if rules is None:
            return None, ()
        failures = []
        for requirement in rules.requirements:
            holds, words = env.condition_words(requirement.expr)
            if not holds:
                failures.append(f"不符合条件：{words}")
        for exclusion in rules.exclusions:
            holds, words = env.condition_words(exclusion.expr)
            if holds:
                failures.append(f"属于排除情形：{words}")
        return not failures, tuple(failures)

    def veto_hits(self, env: Env):
        for veto in self.vetoes:
            holds, words = env.condition_words(veto.condition)
            if holds:
                yield VetoHit(veto.name, f"{veto.name}：{words}", veto.climb)

    def grade(self, total: Decimal) -> str | None:
        for band in self.policy.bands:
            if not band.otherwise and _in_band(band, total):
                return band.name
        return next((b.name for b in self.policy.bands if b.otherwise), None)

    # items
    def item(self, item: ast.Item, env: Env) -> ItemResult:
        if item.children:
            return self.group(item, env)
        return self.leaf(item, env)

    def group(self, item: ast.Item, env: Env) -> ItemResult:
        children = tuple(self.item(c, env) for c in item.children)
        raw = sum((c.score for c in children), ZERO)
        lines = []
        score = raw
        if raw > item.points.value:
            score = item.points.value
            lines.append(Line(score - raw, f"子项合计 {points(raw)}，超过本项分值 {points(score)}，按 {points(score)} 计"))
        return ItemResult(item.name, item.points.value, score, ZERO, tuple(lines), children)

    def leaf(self, item: ast.Item, env: Env) -> ItemResult:
        full = item.points.value
        for rule in item.rules:
            if isinstance(rule, ast.NotApplicable):
                holds, words = env.condition_words(rule.condition)
                if holds:
                    return ItemResult(item.name, full, ZERO, ZERO,
                                      (Line(ZERO, f"{words}，本项不适用，不计入满分", rule.span),), applicable=False)
        if ast.leaf_starts_full(item):
            start = full
        else:
            start = item.start.value if item.start is not None else ZERO
        outcome = _Outcome([])
        for rule in item.rules:
            self.rule(rule, env, full, outcome)
        lines = list(outcome.lines)
        raw = start + sum((line.amount for line in lines), ZERO)
        if outcome.override is not None:
            to_full, line = outcome.override
            target = full if to_full else ZERO
            lines.append(Line(target - raw, line.text, line.span))
            score = target
        elif raw > full:
            lines.append(Line(full - raw, f"计满为止：合计 {points(raw)}，超过本项分值 {points(full)}，按 {points(full)} 计"))
            score = full
        elif raw < 0 and not item.negative:
            lines.append(Line(-raw, f"扣完为止：合计 {points(raw)}，本项最低 0分，按 0分 计"))
            score = ZERO
        else:
            score = raw
        return ItemResult(item.name, full, score, start, tuple(lines))

    # sections
    def section(self, section: ast.Section, env: Env) -> SectionResult:
        """A section's amount (≥ 0); its lines carry their effect on the total (penalties < 0)."""
        if section.gate is not None:
            holds, words = env.condition_words(section.gate)
            if not holds:
                return SectionResult(section.name, section.sign, ZERO,
                                     section.cap.value if section.cap is not None else None,
                                     (Line(ZERO, f"{words}，本部分不计", section.gate.span),))
        outcome = _Outcome([], award="加")
        for rule in section.rules:
            self.rule(rule, env, None, outcome)
        children = tuple(self.section(c, env) for c in section.children)
        lines = outcome.lines
        raw = section.sign * sum((line.amount for line in lines), ZERO) + sum((c.amount for c in children), ZERO)
        if section.highest_only:
            parts = [section.sign * line.amount for line in lines] + [c.amount for c in children]
            best = max(parts, default=ZERO)
            if best != raw:
                lines.append(Line(section.sign * (best - raw),
                                  f"就高不重复：合计 {points(raw)}，只取最高的一项 {points(best)}"))
            raw = best
        amount = raw
        if section.cap is not None and raw > section.cap.value:
            amount = section.cap.value
            word = "加分" if section.sign == ast.AWARD else "扣分"
            lines.append(Line(section.sign * (amount - raw),
                              f"累计{word} {points(raw)}，超过上限 {points(amount)}，按 {points(amount)} 计"))
        cap = section.cap.value if section.cap is not None else None
        return SectionResult(section.name, section.sign, amount, cap, tuple(lines), children)

    # rules
    def rule(self, rule: ast.Rule, env: Env, item_points: Decimal | None, outcome: _Outcome,
             prefix: str = "") -> None:
        """Append the lines of one rule to ``outcome`` (or record the override it triggers)."""
        match rule:
            case ast.Fixed():
                outcome.lines.append(self.fixed(rule, env, prefix, outcome.verb(rule.sign)))
            case ast.PerUnit():
                outcome.lines.append(self.per_unit(rule, env, prefix, outcome.verb(rule.sign)))
            case ast.RateScale():
                outcome.lines.append(self.rate(rule, env, item_points))
            case ast.Tiers():
                outcome.lines.append(self.tiers(rule, env, outcome))
            case ast.Override():
                holds, words = env.condition_words(rule.condition)
                if holds and outcome.override is None:
                    result = "本项按满分计" if rule.full else "本项不计分"
                    outcome.override = (rule.full, Line(ZERO, f"{words}，{result}", rule.span))
            case ast.Each():
                members = next(li.members for li in self.policy.lists if li.name == rule.list_name)
                for member in members:
                    self.rule(rule.rule, env.with_member(member), item_points, outcome, f"{member}：")
            case ast.When():
                holds, words = env.condition_words(rule.condition)
                branch = rule.then if holds else rule.otherwise
                then = "按以下规则计" if holds else ("按「否则」下的规则计" if branch else "以下规则不适用")
                outcome.lines.append(Line(ZERO, f"{words}，{then}", rule.span))
                for inner in branch:
                    self.rule(inner, env, item_points, outcome, prefix)

    def multiplied(self, rule: ast.Fixed | ast.PerUnit, env: Env, amount: Decimal) -> tuple[Decimal, str]:
        """A rule's amount after its 加倍/减半 that hold, and the words for them."""
        words = ""
        for multiplier in rule.multipliers:
            holds, why = env.condition_words(multiplier.condition)
            if holds:
                word = "加倍" if multiplier.factor > 1 else "减半"
                amount = multiply(amount, multiplier.factor)
                words += f"；{why}，{word}为 {points(amount)}"
        return amount, words

    def fixed(self, rule: ast.Fixed, env: Env, prefix: str, verb: str) -> Line:
        amount = rule.points.value
        if rule.condition is None:
            amount, more = self.multiplied(rule, env, amount)
            return Line(amount * rule.sign, f"{prefix}{verb}{points(rule.points.value)}{more}", rule.span)
        holds, words = env.condition_words(rule.condition)
        if holds:
            amount, more = self.multiplied(rule, env, amount)
            return Line(amount * rule.sign, f"{prefix}{verb}{points(rule.points.value)}：{words}{more}", rule.span)
        missed = f"未{verb}{points(amount)}" if rule.sign == ast.AWARD else "不扣分"
        return Line(ZERO, f"{prefix}{missed}：{words}", rule.span)

    def per_unit(self, rule: ast.PerUnit, env: Env, prefix: str, verb: str) -> Line:
        head = f"{prefix}按「{env.text(rule.measure)}」每{'满' if rule.whole_steps else ''}{plain(rule.step.value)}{rule.step.unit}{verb}{points(rule.points.value)}"
        if rule.condition is not None:
            holds, words = env.condition_words(rule.condition)
            if not holds:
                return Line(ZERO, f"{head}：{words}，本规则不适用", rule.span)
        measure = env.evaluate(rule.measure)
        raw, arithmetic = per_step(measure, rule.step.value, rule.points.value, rule.whole_steps)
        values = env.facts_used(rule.measure)
        if not isinstance(rule.measure, ast.Ref | ast.Subscript):
            values = "，".join(filter(None, (values, f"{env.text(rule.measure)} = {plain(measure)}")))
        raw, more = self.multiplied(rule, env, raw)
        words = f"{head}：{values}，{arithmetic}{more}"
        amount = raw
        if rule.cap is not None and raw > rule.cap.value:
            amount = rule.cap.value
            words += f"，超过本条上限 {points(amount)}，按 {points(amount)} 计"
        return Line(amount * rule.sign, words, rule.span)

    def rate(self, rule: ast.RateScale, env: Env, item_points: Decimal | None) -> Line:
        full = rule.full.value if rule.full is not None else (item_points or ZERO)
        rate = env.evaluate(rule.measure)
        name = env.text(rule.measure)
        shown = f"{plain(rate)}%"
        target = rule.target.value
        if rate >= target:
            reached = f"计满分 {points(full)}" if rule.full is None else f"计 {points(full)}"
            return Line(full, f"{name} {shown}，达到 {plain(target)}%，{reached}", rule.span)
        if rule.floor is not None and rate < rule.floor.value:
            return Line(ZERO, f"{name} {shown}，低于 {plain(rule.floor.value)}%，不计分", rule.span)
        gap = target - rate
        deduction, arithmetic = per_step(gap, rule.step.value, rule.slope.value, rule.whole_steps)
        score = max(full - deduction, ZERO)
        step_words = f"每{'满' if rule.whole_steps else ''}降低{plain(rule.step.value)}个百分点扣{points(rule.slope.value)}"
        how = f"：{arithmetic}" if rule.whole_steps else f"，扣 {arithmetic}"
        words = f"{name} {shown}，比 {plain(target)}% 低 {plain(gap)} 个百分点，{step_words}{how}，计 {points(score)}"
        if full - deduction < 0:
            words += "（扣完为止）"
        return Line(score, words, rule.span)

    def tiers(self, rule: ast.Tiers, env: Env, outcome: _Outcome) -> Line:
        value = env.evaluate(rule.measure)
        values = env.facts_used(rule.measure) or f"{env.text(rule.measure)} = {plain(value)}"
        for tier in rule.tiers:
            if tier.op is None:
                label = "其余"
            elif _compare(tier.op, value, env.evaluate(tier.bound)):
                label = f"{ast.SYMBOLS[tier.op]} {env.text(tier.bound)}"
            else:
                continue
            if tier.sign == 0:
                return Line(ZERO, f"{values}，落在「{label}」档，本档 0分", tier.span)
            verb = outcome.verb(tier.sign)
            return Line(tier.points.value * tier.sign,
                        f"{values}，落在「{label}」档，{verb}{points(tier.points.value)}", tier.span)
        return Line(ZERO, f"{values}，不在任何一档，不计分", rule.span)


def _in_band(band: ast.Band, total: Decimal) -> bool:
    if band.low is not None and (total < band.low.value or (total == band.low.value and not band.low.inclusive)):
        return False
    if band.high is not None and (total > band.high.value or (total == band.high.value and not band.high.inclusive)):
        return False
    return True


def evaluate(policy: ast.Policy, unit: Unit, params: Mapping[str, Value] | None = None) -> UnitResult:
    """Score one unit: the reference meaning of ``policy``."""
    return Interpreter(policy, params).evaluate(unit)
