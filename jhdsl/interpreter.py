"""The interpreter: the reference meaning of a policy, with an explanation for every point.

Each rule yields a signed amount and a sentence. A leaf starts from zero (or its full
points, when all its rules deduct or 初始 满分 says so), adds its rules' amounts and is held
to [0, 分值]; a group is the sum of its children held to its own 分值; bonus and penalty
sections are capped; the total is the base plus bonuses minus penalties. Within a result,
the starting point plus every line's amount equals the score, so nothing is unexplained.

What does not depend on the unit is worked out once: a policy's expressions are compiled into
closures (``_Program``, shared by its interpreters), and its items, sections and rules by each
``Interpreter``, so that scoring a unit only runs them. Lines and results are immutable, so
equal ones are made once and shared: a rule that reads one fact makes its line once for each
value of the fact, and an item or section made of the same lines is made once.
"""

from __future__ import annotations

import decimal
import functools
import operator
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

import attrs

from jhdsl import ast
from jhdsl.errors import BadValue, EvaluationError, ParameterError, suggestion
from jhdsl.facts import Unit, Value, default_value, parse_value
from jhdsl.numbers import CONTEXT, ZERO, approx, divide, multiply, plain, points, stepwise

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
    """The values an expression can see: the unit's facts, the parameters, a list member.

    It holds only data; what each expression means is compiled once per policy (``_Program``).
    """

    def __init__(self, policy: ast.Policy, unit: Unit, params: Mapping[str, Value],
                 member: str | None = None, population: Population | None = None,
                 program: _Program | None = None) -> None:
        self.policy = policy
        self.unit = unit
        self.values = unit.values
        self.population = population or Population([unit])
        self.params = params
        self.member = member
        self.held: frozenset[str] = frozenset()
        self.base: Decimal | None = None
        self.result: UnitResult | None = None  # in 结果 … 若: the unit's score and grade
        self.eligible: bool | None = None
        self.program = program or _program_of(policy)

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
        return self.program.code(expr, self.member).value(self)

    def facts_used(self, expr: ast.Expr) -> str:
        """The values behind an expression: 「出生政策符合率 = 98.5%，党员干部违法生育 = 否」."""
        return self.program.code(expr, self.member).facts(self)

    def condition_words(self, expr: ast.Expr) -> tuple[bool, str]:
        """Whether a condition holds, and the words for it: 「…」成立（… = …）."""
        return self.program.code(expr, self.member).words(self)


Compiled = Callable[[Env], Value]
T = TypeVar("T")


class _Code:
    """One expression compiled for one list member (a member changes what a name means).

    ``value(env)`` is what it computes; ``text`` how a writer reads it; ``facts(env)`` the values
    behind it; ``words(env)``, as a condition, whether it holds and the words for it. All but
    ``value`` are made when first asked for: most parts of an expression are never shown.
    """

    def __init__(self, program: _Program, expr: ast.Expr, member: str | None) -> None:
        self.program, self.expr, self.member = program, expr, member
        self.value = _value(program, expr, member, self)

    @functools.cached_property
    def text(self) -> str:
        return ast.expr_text(self.expr)

    @functools.cached_property
    def facts(self) -> Callable[[Env], str]:
        return _facts(self.program, self.expr, self.member)

    @functools.cached_property
    def words(self) -> Callable[[Env], tuple[bool, str]]:
        return _words(self.program, self, self.member)


class _Program:
    """A policy's expressions compiled into closures over an Env, each made once and kept
    while the policy lives (see ``_program_of``), so that no unit walks an expression tree."""

    def __init__(self, policy: ast.Policy) -> None:
        self.kinds = {f.name: f.type.kind for f in policy.facts} | {p.name: p.type.kind for p in policy.params}
        self.facts = {f.name for f in policy.facts} - {p.name for p in policy.params}
        self.codes: dict[tuple[int, str | None], _Code] = {}  # by the node's id: the code holds the node

    def code(self, expr: ast.Expr, member: str | None = None) -> _Code:
        key = (id(expr), member)
        code = self.codes.get(key)
        if code is None:
            code = self.codes[key] = _Code(self, expr, member)
        return code

    def percent(self, name: str) -> bool:
        return self.kinds.get(name) == ast.PERCENT

    def one_fact(self, exprs: Sequence[ast.Expr | None]) -> str | None:
        """The one fact the expressions read, if they read no other name (fact, parameter,
        choice) nor anything else that varies (基础分, 总分, 平均(…), …)."""
        names = set()
        for node in (node for expr in exprs if expr is not None for node in _names_in(expr)):
            if not isinstance(node, ast.Ref):
                return None
            names.add(node.name)
        return names.pop() if len(names) == 1 and names <= self.facts else None

    def fractions(self, expr: ast.Arith) -> tuple[bool, bool]:
        """Which sides of ``expr`` stand for their fraction (÷ 100). Rates are kept in percentage
        points (85% is 85); where one multiplies or divides a quantity it stands for its fraction:
        200 × 85% = 170, 170 ÷ 85% = 200, 85% × 85% = 72.25%."""
        left_rate, right_rate = self.is_percent(expr.left), self.is_percent(expr.right)
        if expr.op == "*" and (left_rate or right_rate):
            if left_rate and right_rate:
                return True, False
            bare = expr.right if left_rate else expr.left
            if isinstance(bare, ast.Quantity) and bare.kind == ast.PLAIN:
                return False, False  # a rate scaled by a bare number stays a rate: 目标率 × 1.1
            return left_rate, right_rate
        return False, expr.op == "/" and right_rate and not left_rate

    def is_percent(self, expr: ast.Expr) -> bool:
        """Whether an expression is a rate, kept in percentage points (85% is 85)."""
        match expr:
            case ast.Quantity():
                return expr.kind == ast.PERCENT
            case ast.Ref() | ast.Subscript():
                return self.percent(expr.name)
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


_PROGRAMS: dict[int, _Program] = {}


def _program_of(policy: ast.Policy) -> _Program:
    """The one program of a policy, shared by its interpreters and Envs until the policy is gone
    (a program holds the policy's nodes, never the policy, so it does not keep it alive)."""
    program = _PROGRAMS.get(id(policy))
    if program is None:
        program = _PROGRAMS[id(policy)] = _Program(policy)
        weakref.finalize(policy, _PROGRAMS.pop, id(policy), None)
    return program


_SCALARS = frozenset({Decimal, bool, str})
"""Types of a fact's value that are surely not a table per member: no Mapping check needed."""

_HUNDRED = Decimal(100)


def rate_fractions(policy: ast.Policy, expr: ast.Arith) -> tuple[bool, bool]:
    """Which sides of ``expr`` stand for their fraction (÷ 100): the rule every engine follows."""
    return _program_of(policy).fractions(expr)


def _value(program: _Program, expr: ast.Expr, member: str | None, code: _Code | None) -> Compiled:
    """What an expression computes, as a closure; ``code`` is the expression's own, for the
    words of a division by zero."""
    match expr:
        case ast.Quantity() | ast.Boolean():
            constant = expr.value
            return lambda env: constant
        case ast.Ref():
            return _lookup(expr.name, member)
        case ast.Subscript():
            name, key = expr.name, expr.key
            return lambda env: env.values[name][key]
        case ast.Holds():
            outcome = expr.outcome
            return lambda env: outcome in env.held
        case ast.BaseRef():
            return lambda env: env.base
        case ast.TotalRef():
            return lambda env: env.result.total
        case ast.GradeRef():
            return lambda env: "一票否决" if env.result.vetoed else (env.result.grade or "")
        case ast.IsEligible():
            return lambda env: bool(env.eligible)
        case ast.Aggregate():
            function, fact = expr.function, expr.fact
            return lambda env: env.population.value(function, fact, env.unit)
        case ast.Not():
            operand = program.code(expr.operand, member).value
            return lambda env: not operand(env)
        case ast.Logic(op="and" | "or"):
            return _logic(expr.op == "or", [program.code(o, member).value for o in expr.operands])
        case ast.Negate():
            operand = program.code(expr.operand, member).value
            return lambda env: -operand(env)
        case ast.Arith():
            return _arith(program, expr, member, code)
        case ast.Compare():
            compare = _comparison(expr.op)
            left, right = program.code(expr.left, member).value, program.code(expr.right, member).value
            return lambda env: compare(left(env), right(env))
    raise TypeError(f"unknown expression {expr!r}")


def _lookup(name: str, member: str | None) -> Compiled:
    """A name's value: the unit's fact (the member's, if kept per member), else the parameter,
    else the name itself, a choice of an enumeration, as the checker has made sure."""

    def lookup(env: Env) -> Value:
        values = env.values
        if name in values:
            value = values[name]
            if value.__class__ in _SCALARS or value.__class__ is not dict and not isinstance(value, Mapping):
                return value
            return value[member]
        if name in env.params:
            return env.params[name]
        return name

    return lookup


def _logic(settles: bool, operands: list[Compiled]) -> Compiled:
    """且 (``settles`` False) or 或 (True): decided by the first operand that is ``settles``,
    left to right; later operands are not evaluated (they may not be computable)."""

    def logic(env: Env) -> bool:
        for operand in operands:
            if bool(operand(env)) == settles:
                return settles
        return not settles

    return logic


def _arith(program: _Program, expr: ast.Arith, member: str | None, code: _Code) -> Compiled:
    left, right = program.code(expr.left, member).value, program.code(expr.right, member).value
    left_fraction, right_fraction = program.fractions(expr)
    operate = {"+": operator.add, "-": operator.sub, "*": multiply}.get(expr.op)

    def arith(env: Env) -> Decimal:
        a, b = left(env), right(env)
        if left_fraction:
            a = divide(a, _HUNDRED)
        if right_fraction:
            b = divide(b, _HUNDRED)
        if operate is not None:
            return operate(a, b)
        if b == 0:
            raise EvaluationError(f"无法计算「{code.text}」：除数为 0（{code.facts(env)}）")
        return divide(a, b)

    return arith


def _facts(program: _Program, expr: ast.Expr, member: str | None) -> Callable[[Env], str]:
    """The values behind an expression, each shown once: 「出生政策符合率 = 98.5%，党员干部违法生育 = 否」."""
    entries = [_entry(program, node, member) for node in dict.fromkeys(_names_in(expr))]
    if not entries:
        return lambda env: ""
    if len(entries) == 1:
        return entries[0]

    def facts(env: Env) -> str:
        shown = []
        for entry in entries:
            text = entry(env)
            if text and text not in shown:
                shown.append(text)
        return "，".join(shown)

    return facts


def _entry(program: _Program, node: ast.Expr, member: str | None) -> Callable[[Env], str]:
    """One value behind an expression, 「label = value」; "" for a name that is a choice."""
    if isinstance(node, ast.Ref):
        return _ref_entry(node.name, member, program.percent(node.name))
    if isinstance(node, ast.BaseRef):
        return lambda env: f"基础分 = {_show(env.base, False)}"
    value = _value(program, node, member, None)
    if isinstance(node, ast.Subscript):
        label, percent = f"{node.name}[{node.key}] = ", program.percent(node.name)
    elif isinstance(node, ast.Aggregate):
        label, percent = f"{ast.expr_text(node)} = ", node.function != "名次" and program.percent(node.fact)
    else:  # 总分, 等次, 获得 …, 符合资格
        label, percent = f"{ast.expr_text(node)} = ", False
        if isinstance(node, ast.Holds | ast.IsEligible):
            return lambda env: label + ("是" if value(env) else "否")
    return lambda env: label + _show(value(env), percent)


def _ref_entry(name: str, member: str | None, percent: bool) -> Callable[[Env], str]:
    label, keyed = f"{name} = ", f"{name}[{member}] = "
    yes, no = f"{label}是", f"{label}否"

    def entry(env: Env) -> str:
        values = env.values
        if name in values:
            value = values[name]
            if value is True:
                return yes
            if value is False:
                return no
            if value.__class__ is dict or value.__class__ not in _SCALARS and isinstance(value, Mapping):
                value = value[member]
                if member is not None:
                    return keyed + _show(value, percent)
            return label + _show(value, percent)
        if name in env.params:
            return label + _show(env.params[name], percent)
        return ""

    return entry


def _show(value: Value, percent: bool) -> str:
    """A value as the writer would write it: 是/否, 98.5%, 3."""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, Decimal):
        return f"{plain(value)}%" if percent else plain(value)
    return str(value)


def _words(program: _Program, code: _Code, member: str | None) -> Callable[[Env], tuple[bool, str]]:
    """Whether a condition holds, and the words for it: 「…」成立（… = …）. A yes/no fact says
    only its value; of an 或 that holds, the first part that holds is shown, and of an 且 that
    fails, the first part that fails (evaluation stops there: later parts may not even be
    computable, e.g. a division guarded by 出生数 > 0); otherwise the whole condition's values."""
    expr, value, facts = code.expr, code.value, code.facts
    said = (f"「{code.text}」不成立", f"「{code.text}」成立")

    def told(holds: bool, values: str) -> tuple[bool, str]:
        return holds, f"{said[holds]}（{values}）" if values else said[holds]

    if isinstance(expr, ast.Ref):
        def words(env: Env) -> tuple[bool, str]:
            found = value(env)
            if found is True or found is False:
                return found, facts(env)
            return told(bool(found), facts(env))
    elif isinstance(expr, ast.Logic):
        settles = expr.op == "or"
        parts = [program.code(o, member) for o in expr.operands]

        def words(env: Env) -> tuple[bool, str]:
            for part in parts:
                if bool(part.value(env)) == settles:
                    return told(settles, part.facts(env))
            return told(not settles, facts(env))
    else:
        def words(env: Env) -> tuple[bool, str]:
            return told(bool(value(env)), facts(env))
    fact = program.one_fact([expr])
    return words if fact is None else _by_fact(fact, member, words)


def _by_fact(name: str, member: str | None, make: Callable[[Env], T]) -> Callable[[Env], T]:
    """``make``, for what depends on one fact of the unit alone (a condition, or a rule, that
    reads no other fact, parameter or score): while the fact holds a yes/no or a number (at
    ``member``, for a table per member), what ``make`` makes of it is made once for each value,
    up to ``_SHARED`` values. Equal numbers (5, 5.0) make equal words and amounts, as amounts
    are computed from the value (and quotients normalised), and words show it with plain()."""
    made: tuple[tuple[dict, dict], tuple[dict, dict]] = (({}, {}), ({}, {}))  # [keyed][is yes/no]: True == 1

    def by_fact(env: Env) -> T:
        found, keyed = env.values.get(name), False
        if found.__class__ is dict and member is not None:
            found, keyed = found.get(member), True
        if found is True or found is False:
            table = made[keyed][True]
        elif found.__class__ is Decimal and found.is_finite():
            table = made[keyed][False]
        else:
            return make(env)
        result = table.get(found)
        if result is None:
            result = make(env)
            if len(table) < _SHARED:
                table[found] = result
        return result

    return by_fact


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


_COMPARISONS = {"=": operator.eq, "!=": operator.ne, ">=": operator.ge, ">": operator.gt,
                "<=": operator.le, "<": operator.lt}


def _comparison(op: str) -> Callable[[Value, Value], bool]:
    if op not in _COMPARISONS:
        raise ValueError(op)
    return _COMPARISONS[op]


def _compare(op: str, a: Value, b: Value) -> bool:
    return _comparison(op)(a, b)


# ---- rules --------------------------------------------------------------------------------


class _Outcome:
    """What the rules of a leaf or section did: lines, and the override (不计分/满分) that fired first."""

    __slots__ = ("lines", "override")

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.override: tuple[bool, Line] | None = None


_SHARED = 64
"""How many lines a rule, and results an item or section, keep to give again to later units:
results are immutable, so units that read alike can share one object rather than each make
and keep an equal one."""


class _Kept(dict):
    """Lines or results already made, to give again. Results made of parts (lines, children's
    results) are kept by the identities of the parts: the same parts make the same result,
    and a kept result holds its parts, so their identities are not reused while it is kept."""

    def keep(self, key: object, made: T) -> T:
        if len(self) < _SHARED:
            self[key] = made
        return made


class _Lines(_Kept):
    """The lines a rule has made, by their text. A rule's text tells its amount: it shows the
    values the amount is computed from (and whether the condition held, which tier, which
    multipliers), and the amount is computed from those values alone."""

    def line(self, amount: Decimal, text: str, span: ast.Span | None) -> Line:
        return self.get(text) or self.keep(text, Line(amount, text, span))


_ONE_LINE = ast.Fixed | ast.PerUnit | ast.RateScale | ast.Tiers
"""The rules that add exactly one line (see ``Interpreter.line``)."""

Run = Callable[[Env, _Outcome], None]
Lines = Callable[[Env], Line]
Collect = Callable[[Env], tuple[list[Line], tuple[bool, Line] | None]]


class Interpreter:
    """Scores units under one policy and one set of parameters.

    Whatever does not depend on the unit (the texts of rules and expressions, starting points,
    list members, lines that never change) is worked out once, here: every item, section and
    rule is compiled into a closure that takes the unit's Env and does only the unit's part.
    """

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
        self.program = _program_of(policy)
        with decimal.localcontext(CONTEXT):
            self.full = policy.full_marks
            self.scored_items = [self.item(i) for i in policy.items]
            self.scored_sections = [self.section(s) for s in policy.sections]
        self.leaves_out = any(isinstance(rule, ast.NotApplicable)
                              for item in ast.all_items(policy.items) if not item.children for rule in item.rules)
        self.cuts = [(self.words(rule.condition), rule) for rule in policy.share_cuts]
        self.veto_checks = [(self.words(veto.condition), veto) for veto in self.vetoes]
        rules = policy.eligibility
        self.requirements = [self.words(r.expr) for r in rules.requirements] if rules is not None else None
        self.exclusions = [self.words(r.expr) for r in rules.exclusions] if rules is not None else None

    def words(self, expr: ast.Expr, member: str | None = None) -> Callable[[Env], tuple[bool, str]]:
        return self.program.code(expr, member).words

    # units
    def evaluate(self, unit: Unit) -> UnitResult:
        """Score one unit; all arithmetic runs in the one decimal context of ``numbers``."""
        with decimal.localcontext(CONTEXT):
            try:
                return self._evaluate(unit)
            except decimal.DecimalException as error:
                raise EvaluationError(f"数值超出可计算的范围（{type(error).__name__}）") from None

    def _evaluate(self, unit: Unit) -> UnitResult:
        env = Env(self.policy, unit, self.params, population=self.population, program=self.program)
        items = tuple([score(env) for score in self.scored_items])
        base = sum([i.score for i in items], ZERO)
        lines = []
        full = self.full
        left_out = sum((i.left_out for i in items), ZERO) if self.leaves_out else ZERO
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
        sections = tuple([score(env) for score in self.scored_sections])
        bonus = sum([s.amount for s in sections if s.sign == ast.AWARD], ZERO)
        penalty = sum([s.amount for s in sections if s.sign == ast.DEDUCT], ZERO)
        cut_lines = list(self.share_cuts(env, base + bonus - penalty))
        cut = -sum([line.amount for line in cut_lines], ZERO)
        total = base + bonus - penalty - cut
        components = tuple(self.components(env, total))
        if components:
            total = sum([line.amount for line in components], ZERO)
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
                amount = divide(multiply(value, share), _HUNDRED)
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
        for condition, rule in self.cuts:
            holds, words = condition(env)
            if not holds:
                continue
            cut = divide(multiply(max(total, ZERO), rule.share.value), _HUNDRED)
            yield Line(-cut, f"扣减 {plain(rule.share.value)}%：{words}，{points(total)} × {plain(rule.share.value)}% = "
                             f"{points(cut)}，扣减后 {points(total - cut)}", rule.span)
            total -= cut

    def eligibility(self, env: Env) -> tuple[bool | None, tuple[str, ...]]:
        """资格: None without one; else whether every requirement holds and no exclusion does."""
        if self.requirements is None:
            return None, ()
        failures = []
        for requirement in self.requirements:
            holds, words = requirement(env)
            if not holds:
                failures.append(f"不符合条件：{words}")
        for exclusion in self.exclusions:
            holds, words = exclusion(env)
            if holds:
                failures.append(f"属于排除情形：{words}")
        return not failures, tuple(failures)

    def veto_hits(self, env: Env):
        for condition, veto in self.veto_checks:
            holds, words = condition(env)
            if holds:
                yield VetoHit(veto.name, f"{veto.name}：{words}", veto.climb)

    def grade(self, total: Decimal) -> str | None:
        for band in self.policy.bands:
            if not band.otherwise and _in_band(band, total):
                return band.name
        return next((b.name for b in self.policy.bands if b.otherwise), None)

    # items: each compiled into a function of the unit's Env to its ItemResult
    def item(self, item: ast.Item) -> Callable[[Env], ItemResult]:
        if item.children:
            return self.group(item)
        return self.leaf(item)

    def group(self, item: ast.Item) -> Callable[[Env], ItemResult]:
        """The sum of the children, held to the group's points."""
        name, cap = item.name, item.points.value
        children = [self.item(c) for c in item.children]
        most = points(cap)
        kept = _Kept()

        def summed(results: list[ItemResult]) -> ItemResult:
            raw = sum([c.score for c in results], ZERO)
            if raw > cap:
                line = Line(cap - raw, f"子项合计 {points(raw)}，超过本项分值 {most}，按 {most} 计")
                return ItemResult(name, cap, cap, ZERO, (line,), tuple(results))
            return ItemResult(name, cap, raw, ZERO, (), tuple(results))

        def group(env: Env) -> ItemResult:
            results = [child(env) for child in children]
            key = tuple(map(id, results))
            return kept.get(key) or kept.keep(key, summed(results))

        return group

    def leaf(self, item: ast.Item) -> Callable[[Env], ItemResult]:
        """Left out by the first 不适用 that holds; else the start plus the rules' lines, held to
        [0, 分值] (unless 可为负), or set by the override that fired first."""
        name, full, negative = item.name, item.points.value, item.negative
        exclusions = [(self.words(rule.condition), rule.span)
                      for rule in item.rules if isinstance(rule, ast.NotApplicable)]
        if ast.leaf_starts_full(item):
            start = full
        else:
            start = item.start.value if item.start is not None else ZERO
        makers = self.line_makers(item.rules, "计", full)
        collect = self.collect(item.rules, "计", full) if makers is None else None
        most = points(full)
        kept = _Kept()

        def held(lines: list[Line], override: tuple[bool, Line] | None) -> ItemResult:
            raw = start + sum([line.amount for line in lines], ZERO)
            if override is not None:
                to_full, line = override
                score = full if to_full else ZERO
                lines.append(Line(score - raw, line.text, line.span))
            elif raw > full:
                lines.append(Line(full - raw, f"计满为止：合计 {points(raw)}，超过本项分值 {most}，按 {most} 计"))
                score = full
            elif raw < 0 and not negative:
                lines.append(Line(-raw, f"扣完为止：合计 {points(raw)}，本项最低 0分，按 0分 计"))
                score = ZERO
            else:
                score = raw
            return ItemResult(name, full, score, start, tuple(lines))

        def leaf(env: Env) -> ItemResult:
            for condition, span in exclusions:
                holds, words = condition(env)
                if holds:
                    return ItemResult(name, full, ZERO, ZERO, (Line(ZERO, f"{words}，本项不适用，不计入满分", span),),
                                      applicable=False)
            if makers is not None:
                lines, override = [make(env) for make in makers], None
                key = tuple(map(id, lines))
            else:
                lines, override = collect(env)
                key = tuple(map(id, lines if override is None else [*lines, override[1]]))
            return kept.get(key) or kept.keep(key, held(lines, override))

        return leaf

    # sections
    def section(self, section: ast.Section) -> Callable[[Env], SectionResult]:
        """A section's amount (≥ 0); its lines carry their effect on the total (penalties < 0)."""
        name, sign, highest_only = section.name, section.sign, section.highest_only
        cap = section.cap.value if section.cap is not None else None
        gate = self.words(section.gate) if section.gate is not None else None
        gate_span = section.gate.span if section.gate is not None else None
        makers = self.line_makers(section.rules, "加", None)
        collect = self.collect(section.rules, "加", None) if makers is None else None
        children = [self.section(c) for c in section.children]
        most = points(cap) if cap is not None else None
        word = "加分" if sign == ast.AWARD else "扣分"
        kept = _Kept()

        def capped(lines: list[Line], results: list[SectionResult]) -> SectionResult:
            raw = sign * sum([line.amount for line in lines], ZERO) + sum([c.amount for c in results], ZERO)
            if highest_only:
                best = max([sign * line.amount for line in lines] + [c.amount for c in results], default=ZERO)
                if best != raw:
                    lines.append(Line(sign * (best - raw), f"就高不重复：合计 {points(raw)}，只取最高的一项 {points(best)}"))
                raw = best
            amount = raw
            if cap is not None and raw > cap:
                amount = cap
                lines.append(Line(sign * (amount - raw), f"累计{word} {points(raw)}，超过上限 {most}，按 {most} 计"))
            return SectionResult(name, sign, amount, cap, tuple(lines), tuple(results))

        def scored(env: Env) -> SectionResult:
            if gate is not None:
                holds, words = gate(env)
                if not holds:
                    return SectionResult(name, sign, ZERO, cap, (Line(ZERO, f"{words}，本部分不计", gate_span),))
            lines = [make(env) for make in makers] if makers is not None else collect(env)[0]
            results = [child(env) for child in children]
            key = tuple(map(id, lines + results))
            return kept.get(key) or kept.keep(key, capped(lines, results))

        return scored

    # rules: compiled into functions of the unit's Env
    def line_makers(self, rules: Sequence[ast.Rule], award: str, item_points: Decimal | None) -> list[Lines] | None:
        """The rules of a leaf or a section, if each adds one line, as most do (不适用 is the leaf's)."""
        rules = [rule for rule in rules if not isinstance(rule, ast.NotApplicable)]
        if not all(isinstance(rule, _ONE_LINE) for rule in rules):
            return None
        return [self.line(rule, award, item_points, "", None) for rule in rules]

    def collect(self, rules: Sequence[ast.Rule], award: str, item_points: Decimal | None) -> Collect:
        """The lines of rules among which are 当, 各 or 不计分/满分 若, and the override that fired first."""
        runs = self.rules(rules, award, item_points)

        def collect(env: Env) -> tuple[list[Line], tuple[bool, Line] | None]:
            outcome = _Outcome()
            for run in runs:
                run(env, outcome)
            return outcome.lines, outcome.override

        return collect

    def rules(self, rules: Sequence[ast.Rule], award: str, item_points: Decimal | None,
              prefix: str = "", member: str | None = None) -> list[Run]:
        """The rules that add lines (不适用 is the leaf's own). ``award`` is the word for an award:
        计 in an item, 加 in a bonus section; ``prefix`` names the list member (``member``)."""
        runs = (self.rule(rule, award, item_points, prefix, member) for rule in rules)
        return [run for run in runs if run is not None]

    def rule(self, rule: ast.Rule, award: str, item_points: Decimal | None, prefix: str,
             member: str | None) -> Run | None:
        line = self.line(rule, award, item_points, prefix, member)
        if line is not None:
            return lambda env, outcome: outcome.lines.append(line(env))
        match rule:
            case ast.Override():
                return self.override(rule, member)
            case ast.Each():
                members = next(li.members for li in self.policy.lists if li.name == rule.list_name)
                runs = [self.rule(rule.rule, award, item_points, f"{m}：", m) for m in members]
                return _in_turn([run for run in runs if run is not None])
            case ast.When():
                return self.when(rule, award, item_points, prefix, member)
        return None

    def line(self, rule: ast.Rule, award: str, item_points: Decimal | None, prefix: str,
             member: str | None) -> Lines | None:
        """A rule that adds exactly one line (``_ONE_LINE``); None for the others. A rule that
        reads one fact alone makes its line once for each value of the fact (see ``_by_fact``)."""
        match rule:
            case ast.Fixed():
                make = self.fixed(rule, prefix, _verb(award, rule.sign), member)
                reads = [rule.condition, *(m.condition for m in rule.multipliers)]
            case ast.PerUnit():
                make = self.per_unit(rule, prefix, _verb(award, rule.sign), member)
                reads = [rule.measure, rule.condition, *(m.condition for m in rule.multipliers)]
            case ast.RateScale():
                make, reads = self.rate(rule, item_points, member), [rule.measure]
            case ast.Tiers():
                make, reads = self.tiers(rule, award, member), [rule.measure, *(t.bound for t in rule.tiers)]
            case _:
                return None
        fact = self.program.one_fact(reads)
        return make if fact is None else _by_fact(fact, member, make)

    def override(self, rule: ast.Override, member: str | None) -> Run:
        condition, full, span, made = self.words(rule.condition, member), rule.full, rule.span, _Lines()
        result = "本项按满分计" if rule.full else "本项不计分"

        def override(env: Env, outcome: _Outcome) -> None:
            holds, words = condition(env)
            if holds and outcome.override is None:
                outcome.override = (full, made.line(ZERO, f"{words}，{result}", span))

        return override

    def when(self, rule: ast.When, award: str, item_points: Decimal | None, prefix: str,
             member: str | None) -> Run:
        condition, span = self.words(rule.condition, member), rule.span
        then = self.rules(rule.then, award, item_points, prefix, member)
        otherwise = self.rules(rule.otherwise, award, item_points, prefix, member)
        said = ("，按「否则」下的规则计" if rule.otherwise else "，以下规则不适用", "，按以下规则计")
        made = _Lines()

        def when(env: Env, outcome: _Outcome) -> None:
            holds, words = condition(env)
            outcome.lines.append(made.line(ZERO, words + said[holds], span))
            for run in then if holds else otherwise:
                run(env, outcome)

        return when

    def multiplied(self, rule: ast.Fixed | ast.PerUnit,
                   member: str | None) -> Callable[[Env, Decimal], tuple[Decimal, str]] | None:
        """A rule's amount after its 加倍/减半 that hold, and the words for them; None without any."""
        if not rule.multipliers:
            return None
        steps = [(self.words(m.condition, member), m.factor, "加倍" if m.factor > 1 else "减半")
                 for m in rule.multipliers]

        def multiplied(env: Env, amount: Decimal) -> tuple[Decimal, str]:
            words = ""
            for condition, factor, word in steps:
                holds, why = condition(env)
                if holds:
                    amount = multiply(amount, factor)
                    words += f"；{why}，{word}为 {points(amount)}"
            return amount, words

        return multiplied

    def fixed(self, rule: ast.Fixed, prefix: str, verb: str, member: str | None) -> Lines:
        """计分/扣分 N分 (若 条件): the words are fixed but for the condition's and multipliers'."""
        amount, sign, span = rule.points.value, rule.sign, rule.span
        multiplied = self.multiplied(rule, member)
        head, made = f"{prefix}{verb}{points(amount)}", _Lines()
        if rule.condition is None:
            if multiplied is None:
                line = Line(amount * sign, head, span)
                return lambda env: line

            def unconditional(env: Env) -> Line:
                more_amount, more = multiplied(env, amount)
                return made.line(more_amount * sign, head + more, span)

            return unconditional
        condition, signed = self.words(rule.condition, member), amount * sign
        missed = f"{prefix}未{verb}{points(amount)}：" if sign == ast.AWARD else f"{prefix}不扣分："
        fired, failed = _Lines(), _Lines()  # by the condition's words alone: the rest is the rule's

        def fixed(env: Env) -> Line:
            holds, words = condition(env)
            if not holds:
                return failed.get(words) or failed.keep(words, Line(ZERO, missed + words, span))
            if multiplied is None:
                return fired.get(words) or fired.keep(words, Line(signed, f"{head}：{words}", span))
            more_amount, more = multiplied(env, amount)
            return made.line(more_amount * sign, f"{head}：{words}{more}", span)

        return fixed

    def per_unit(self, rule: ast.PerUnit, prefix: str, verb: str, member: str | None) -> Lines:
        """按 度量 每 N 计 M分: the measure's steps times the points, up to the rule's cap."""
        measure = self.program.code(rule.measure, member)
        step, amount, whole, sign, span = rule.step.value, rule.points.value, rule.whole_steps, rule.sign, rule.span
        head = (f"{prefix}按「{measure.text}」每{'满' if whole else ''}{plain(step)}{rule.step.unit}"
                f"{verb}{points(amount)}")
        per_step, made = stepwise(step, amount, whole), _Lines()
        condition = self.words(rule.condition, member) if rule.condition is not None else None
        multiplied = self.multiplied(rule, member)
        bare = not isinstance(rule.measure, ast.Ref | ast.Subscript)  # its value is shown too
        cap = rule.cap.value if rule.cap is not None else None
        capped = f"，超过本条上限 {points(cap)}，按 {points(cap)} 计" if cap is not None else ""

        def per_unit(env: Env) -> Line:
            if condition is not None:
                holds, words = condition(env)
                if not holds:
                    return made.line(ZERO, f"{head}：{words}，本规则不适用", span)
            value = measure.value(env)
            raw, arithmetic = per_step(value)
            values = measure.facts(env)
            if bare:
                values = "，".join(filter(None, (values, f"{measure.text} = {plain(value)}")))
            more = ""
            if multiplied is not None:
                raw, more = multiplied(env, raw)
            words = f"{head}：{values}，{arithmetic}{more}"
            if cap is not None and raw > cap:
                return made.line(cap * sign, words + capped, span)
            return made.line(raw * sign, words, span)

        return per_unit

    def rate(self, rule: ast.RateScale, item_points: Decimal | None, member: str | None) -> Lines:
        """按率: full points at the target, less a slope per step below it, none under the floor."""
        measure, span = self.program.code(rule.measure, member), rule.span
        full = rule.full.value if rule.full is not None else (item_points or ZERO)
        target, step, slope, whole = rule.target.value, rule.step.value, rule.slope.value, rule.whole_steps
        floor = rule.floor.value if rule.floor is not None else None
        reached = f"，达到 {plain(target)}%，" + (f"计满分 {points(full)}" if rule.full is None else f"计 {points(full)}")
        below = f"，低于 {plain(floor)}%，不计分" if floor is not None else ""
        step_words = f"每{'满' if whole else ''}降低{plain(step)}个百分点扣{points(slope)}"
        per_step, made = stepwise(step, slope, whole), _Lines()
        short = f"，比 {plain(target)}% 低 "

        def rate(env: Env) -> Line:
            value = measure.value(env)
            shown = f"{measure.text} {plain(value)}%"
            if value >= target:
                return made.line(full, shown + reached, span)
            if floor is not None and value < floor:
                return made.line(ZERO, shown + below, span)
            gap = target - value
            deduction, arithmetic = per_step(gap)
            score = max(full - deduction, ZERO)
            how = f"：{arithmetic}" if whole else f"，扣 {arithmetic}"
            words = f"{shown}{short}{plain(gap)} 个百分点，{step_words}{how}，计 {points(score)}"
            if full - deduction < 0:
                words += "（扣完为止）"
            return made.line(score, words, span)

        return rate

    def tiers(self, rule: ast.Tiers, award: str, member: str | None) -> Lines:
        """分档: the first tier whose comparison holds gives the amount."""
        measure = self.program.code(rule.measure, member)
        tiers = []
        for tier in rule.tiers:
            if tier.op is None:
                test, label = None, "其余"
            else:
                bound = self.program.code(tier.bound, member)
                test, label = (_comparison(tier.op), bound.value), f"{ast.SYMBOLS[tier.op]} {bound.text}"
            if tier.sign == 0:
                tiers.append((test, ZERO, f"，落在「{label}」档，本档 0分", tier.span))
            else:
                said = f"，落在「{label}」档，{_verb(award, tier.sign)}{points(tier.points.value)}"
                tiers.append((test, tier.points.value * tier.sign, said, tier.span))
        span, made = rule.span, _Lines()

        def tiered(env: Env) -> Line:
            value = measure.value(env)
            values = measure.facts(env) or f"{measure.text} = {plain(value)}"
            for test, amount, said, tier_span in tiers:
                if test is None or test[0](value, test[1](env)):
                    return made.line(amount, values + said, tier_span)
            return made.line(ZERO, f"{values}，不在任何一档，不计分", span)

        return tiered


def _verb(award: str, sign: int) -> str:
    return award if sign == ast.AWARD else "扣"


def _in_turn(runs: list[Run]) -> Run:
    """Rules run one after another (各 列表: once per member)."""

    def in_turn(env: Env, outcome: _Outcome) -> None:
        for run in runs:
            run(env, outcome)

    return in_turn


def _in_band(band: ast.Band, total: Decimal) -> bool:
    if band.low is not None and (total < band.low.value or (total == band.low.value and not band.low.inclusive)):
        return False
    if band.high is not None and (total > band.high.value or (total == band.high.value and not band.high.inclusive)):
        return False
    return True


def evaluate(policy: ast.Policy, unit: Unit, params: Mapping[str, Value] | None = None) -> UnitResult:
    """Score one unit: the reference meaning of ``policy``."""
    return Interpreter(policy, params).evaluate(unit)
