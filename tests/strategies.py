"""Hypothesis strategies that build small, checker-valid policies directly as AST objects.

Building the AST rather than source text lets the property tests reach combinations of rules
that the example policies never use, without depending on the parser. Every policy drawn
here is meant to pass ``checker.check`` without errors; a test asserts that, so that the
generator stays honest (and a checker that rejects a valid policy is caught).

Only the features the properties talk about are generated: facts of kinds 是否/整数/百分比/枚举,
items nested up to three levels, the rule kinds Fixed, PerUnit, RateScale, Tiers and Override,
capped and uncapped bonus/penalty sections, vetoes and grade bands.

The builders are plain functions taking hypothesis's ``draw`` and drawing only from a few
module-level primitive strategies. Composing fresh strategy objects per policy (one_of,
flatmap, builds over the policy's facts) made hypothesis re-validate them on every example
and cost about ten times as much.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from jhdsl import ast
from jhdsl.facts import Unit

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]

MAX_DEPTH = 3
"""Items nest at most this deep (a top item is depth 1)."""

MAX_SECTION_DEPTH = 2
MAX_COUNT = 30
"""Counts stay small so that thresholds and per-unit steps actually bite."""

COUNT_UNITS = ("", "名", "起")
ORDER_OPS = (">=", ">", "<=", "<", "=", "!=")
EQUALITY_OPS = ("=", "!=")
NUMERIC_KINDS = (ast.COUNT, ast.PERCENT)
FACT_KINDS = (ast.BOOL, ast.COUNT, ast.PERCENT, ast.CHOICE)

# Points and percentages in halves: exact in decimal, and fractional often enough to matter.
halves = st.integers(1, 20).map(lambda n: Decimal(n) / 2)
percent_halves = st.integers(0, 200).map(lambda n: Decimal(n) / 2)


def points(value: Decimal) -> ast.Quantity:
    return ast.Quantity(value, "分")


def percent(value: Decimal) -> ast.Quantity:
    return ast.Quantity(value, "%")


def pick(draw: Draw, options: Sequence[T]) -> T:
    """One of ``options``; by index, so the strategy drawn from is cached and cheap."""
    return options[draw(st.integers(0, len(options) - 1))]


def chance(draw: Draw, one_in: int) -> bool:
    """True about once in ``one_in`` draws (shrinks towards False)."""
    return draw(st.integers(0, one_in - 1)) == one_in - 1


def some(draw: Draw, build: Callable[[], T], low: int, high: int) -> list[T]:
    """Between ``low`` and ``high`` results of ``build``."""
    return [build() for _ in range(draw(st.integers(low, high)))]


@attrs.define
class Names:
    """Hands out unique names: the checker rejects duplicates across items, sections, vetoes."""

    count: int = 0

    def next(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


@attrs.frozen
class Context:
    """What the rules of one policy may refer to, and where fresh names come from.

    A ``protected`` fact is read only where a higher value can only add points (award rules'
    measures and ``>=``/``>`` conditions), so that the monotonicity property has something to
    raise without filtering away most policies.
    """

    draw: Draw
    facts: tuple[ast.Fact, ...]
    names: Names
    protected: frozenset[str] = frozenset()

    def usable(self, kinds: Sequence[str], awarding: bool) -> list[ast.Fact]:
        """Facts of ``kinds`` that a rule may read; protected ones only when it awards."""
        return [f for f in self.facts
                if f.type.kind in kinds and (awarding or f.name not in self.protected)]


# ---- facts --------------------------------------------------------------------------------


def fact_decls(draw: Draw) -> tuple[ast.Fact, ...]:
    """Two count and two percent facts always (PerUnit and RateScale need them), plus a few more.

    Two of each, so that a rule that may not read a protected fact still has one of its kind.
    """
    kinds = [ast.COUNT, ast.PERCENT, ast.COUNT, ast.PERCENT, *some(draw, lambda: pick(draw, FACT_KINDS), 0, 3)]
    facts = []
    for index, kind in enumerate(kinds, start=1):
        name = f"指标{index}"
        choices: tuple[str, ...] = ()
        if kind == ast.CHOICE:
            choices = tuple(f"{name}档{j}" for j in range(draw(st.integers(2, 4))))
        low, high = fact_range(draw, kind)
        facts.append(ast.Fact(name, ast.FactType(kind, choices), low=low, high=high))
    return tuple(facts)


def fact_range(draw: Draw, kind: str) -> tuple[ast.Quantity | None, ast.Quantity | None]:
    """Now and then a declared range (范围 a 至 b) inside the type's own: counts ≥ 0, rates in 0–100%."""
    if kind not in NUMERIC_KINDS or not chance(draw, 3):
        return None, None
    top = MAX_COUNT if kind == ast.COUNT else 100
    low, high = sorted((draw(st.integers(0, top)), draw(st.integers(0, top))))
    unit = "名" if kind == ast.COUNT else "%"
    return ast.Quantity(Decimal(low), unit), ast.Quantity(Decimal(high), unit)


def value_range(fact: ast.Fact) -> tuple[int, int]:
    """The whole numbers (counts, or percent points) a unit's value may lie between."""
    top = MAX_COUNT if fact.type.kind == ast.COUNT else 100
    low = int(fact.low.value) if fact.low is not None else 0
    high = int(fact.high.value) if fact.high is not None else top
    return low, high


def fact_value(draw: Draw, fact: ast.Fact):
    """A value a unit may give for ``fact``, as validated facts are: Decimal, bool or a choice."""
    match fact.type.kind:
        case ast.BOOL:
            return draw(st.booleans())
        case ast.COUNT:
            return Decimal(draw(st.integers(*value_range(fact))))
        case ast.PERCENT:
            low, high = value_range(fact)
            return Decimal(draw(st.integers(low * 10, high * 10))).scaleb(-1)
        case ast.CHOICE:
            return pick(draw, fact.type.choices)
    raise ValueError(fact.type.kind)


def unit_for(draw: Draw, policy: ast.Policy) -> Unit:
    """A unit with a value for every fact of ``policy``."""
    return Unit("测试单位", {f.name: fact_value(draw, f) for f in policy.facts})


# ---- conditions ---------------------------------------------------------------------------


def literal(draw: Draw, fact: ast.Fact) -> ast.Quantity:
    """A literal of the fact's own kind, as the checker requires in a comparison."""
    if fact.type.kind == ast.PERCENT:
        return percent(draw(percent_halves))
    return ast.Quantity(Decimal(draw(st.integers(0, MAX_COUNT))), pick(draw, COUNT_UNITS))


def atom(ctx: Context, awarding: bool) -> ast.Expr:
    """A simple condition on one fact: the fact itself, 非, or a comparison with a literal."""
    draw = ctx.draw
    fact = pick(draw, ctx.usable(FACT_KINDS, awarding))
    ref = ast.Ref(fact.name)
    if fact.name in ctx.protected:
        return ast.Compare(pick(draw, (">=", ">")), ref, literal(draw, fact))
    match fact.type.kind:
        case ast.BOOL:
            return pick(draw, [ref, ast.Not(ref), ast.Compare(pick(draw, EQUALITY_OPS), ref,
                                                              ast.Boolean(draw(st.booleans())))])
        case ast.CHOICE:
            return ast.Compare(pick(draw, EQUALITY_OPS), ref, ast.Ref(pick(draw, fact.type.choices)))
    return ast.Compare(pick(draw, ORDER_OPS), ref, literal(draw, fact))


def condition(ctx: Context, awarding: bool = False) -> ast.Expr:
    """An atom, or 且/或 over a few atoms; ``awarding`` when it gates an award."""
    if chance(ctx.draw, 3):
        parts = some(ctx.draw, lambda: atom(ctx, awarding), 2, 3)
        return ast.Logic(pick(ctx.draw, ("and", "or")), tuple(parts))
    return atom(ctx, awarding)


def optional_condition(ctx: Context, awarding: bool) -> ast.Expr | None:
    return condition(ctx, awarding) if ctx.draw(st.booleans()) else None


def optional_points(draw: Draw) -> ast.Quantity | None:
    return points(draw(halves)) if draw(st.booleans()) else None


# ---- rules --------------------------------------------------------------------------------


def fixed_rule(ctx: Context, sign: int) -> ast.Fixed:
    return ast.Fixed(sign, points(ctx.draw(halves)), optional_condition(ctx, sign == ast.AWARD))


def per_unit_rule(ctx: Context, sign: int) -> ast.PerUnit:
    draw = ctx.draw
    awarding = sign == ast.AWARD
    fact = pick(draw, ctx.usable(NUMERIC_KINDS, awarding))
    unit = "个百分点" if fact.type.kind == ast.PERCENT else pick(draw, ("名", "起"))
    step = ast.Quantity(Decimal(pick(draw, (1, 2, 3, 5))), unit)
    return ast.PerUnit(ast.Ref(fact.name), step, draw(st.booleans()), sign, points(draw(halves)),
                       optional_points(draw), optional_condition(ctx, awarding))


def rate_rule(ctx: Context) -> ast.RateScale:
    draw = ctx.draw
    fact = pick(draw, ctx.usable((ast.PERCENT,), awarding=True))
    target = Decimal(draw(st.integers(20, 200))) / 2
    floor = percent(Decimal(draw(st.integers(0, int(target * 2) - 1))) / 2) if draw(st.booleans()) else None
    step = ast.Quantity(pick(draw, (Decimal("0.5"), Decimal(1), Decimal(2))), "个百分点")
    return ast.RateScale(ast.Ref(fact.name), percent(target), optional_points(draw), step,
                         draw(st.booleans()), points(draw(halves)), floor)


def tier_rule(ctx: Context, signs: Sequence[int]) -> ast.Tiers:
    """Tiers from the highest bound down (>=, >) or the lowest up (<=, <), optionally closed by
    其余; each tier's sign from ``signs``."""
    draw = ctx.draw
    fact = pick(draw, ctx.usable(NUMERIC_KINDS, awarding=False))
    bounds = {q.value: q for q in some(draw, lambda: literal(draw, fact), 1, 3)}
    downward = draw(st.booleans())
    ops = (">=", ">") if downward else ("<=", "<")
    tiers = [tier(draw, pick(draw, ops), bounds[value], signs)
             for value in sorted(bounds, reverse=downward)]
    if draw(st.booleans()):
        tiers.append(tier(draw, None, None, signs))
    return ast.Tiers(ast.Ref(fact.name), tuple(tiers))


def tier(draw: Draw, op: str | None, bound: ast.Quantity | None, signs: Sequence[int]) -> ast.Tier:
    sign = pick(draw, signs)
    return ast.Tier(op, bound, sign, points(draw(halves)) if sign else None)


def override_rule(ctx: Context) -> ast.Override:
    return ast.Override(ctx.draw(st.booleans()), condition(ctx))


def leaf_rule(ctx: Context) -> ast.Rule:
    signs = (ast.AWARD, ast.DEDUCT)
    builders = [
        lambda: fixed_rule(ctx, pick(ctx.draw, signs)),
        lambda: per_unit_rule(ctx, pick(ctx.draw, signs)),
        lambda: rate_rule(ctx),
        lambda: tier_rule(ctx, (ast.AWARD, ast.DEDUCT, 0)),
        lambda: override_rule(ctx),
    ]
    return pick(ctx.draw, builders)()


def section_rule(ctx: Context, sign: int) -> ast.Rule:
    """A rule allowed in a section: signed like the section; no RateScale or Override."""
    builders = [
        lambda: fixed_rule(ctx, sign),
        lambda: per_unit_rule(ctx, sign),
        lambda: tier_rule(ctx, (sign, 0)),
    ]
    return pick(ctx.draw, builders)()


def rule_signs(rules: Sequence[ast.Rule]) -> set[int]:
    """Which ways the rules move points, to decide whether the start must be written."""
    signs: set[int] = set()
    for rule in rules:
        match rule:
            case ast.Fixed() | ast.PerUnit():
                signs.add(rule.sign)
            case ast.RateScale():
                signs.add(ast.AWARD)
            case ast.Tiers():
                signs.update(t.sign for t in rule.tiers if t.sign)
    return signs


# ---- items, sections, vetoes, bands -------------------------------------------------------


def veto(ctx: Context) -> ast.Veto:
    return ast.Veto(ctx.names.next("否决"), condition(ctx))


def leaf(ctx: Context) -> ast.Item:
    """A leaf; its start is written whenever it both awards and deducts (and now and then anyway)."""
    draw = ctx.draw
    name = ctx.names.next("项目")
    full = draw(halves)
    rules = tuple(some(draw, lambda: leaf_rule(ctx), 1, 3))
    start, start_full = None, False
    if rule_signs(rules) == {ast.AWARD, ast.DEDUCT} or chance(draw, 10):
        if draw(st.booleans()):
            start_full = True
        else:
            start = points(Decimal(draw(st.integers(0, int(full * 2)))) / 2)
    vetoes = (veto(ctx),) if chance(draw, 6) else ()
    return ast.Item(name, points(full), rules=rules, start=start, start_full=start_full, vetoes=vetoes)


def item(ctx: Context, depth: int = 1) -> ast.Item:
    """An item tree whose groups' points are the sum of their children's.

    Now and then a group gets less than the sum: the checker only warns (W401), and without
    it a group's own cap would never bite.
    """
    if depth >= MAX_DEPTH or chance(ctx.draw, 3):
        return leaf(ctx)
    name = ctx.names.next("项目")
    children = tuple(some(ctx.draw, lambda: item(ctx, depth + 1), 1, 3))
    total = sum((c.points.value for c in children), Decimal(0))
    if chance(ctx.draw, 8):
        total = max(total - ctx.draw(halves), Decimal("0.5"))
    return ast.Item(name, points(total), children=children)


def section(ctx: Context, sign: int, depth: int = 1) -> ast.Section:
    """A bonus or penalty section, capped or not, with same-signed subsections (capped or not)."""
    draw = ctx.draw
    name = ctx.names.next("加分" if sign == ast.AWARD else "减分")
    cap = optional_points(draw)
    children: tuple[ast.Section, ...] = ()
    if depth < MAX_SECTION_DEPTH:
        children = tuple(some(draw, lambda: section(ctx, sign, depth + 1), 0, 2))
    rules = tuple(some(draw, lambda: section_rule(ctx, sign), 0 if children else 1, 3))
    vetoes = (veto(ctx),) if chance(draw, 6) else ()
    return ast.Section(sign, name, cap, rules=rules, children=children, vetoes=vetoes)


def grade_bands(draw: Draw, names: Names) -> tuple[ast.Band, ...]:
    """Grade bands from the top down that tile the whole line: no gaps, no overlaps."""
    cuts = sorted({Decimal(5 * draw(st.integers(0, 24))) for _ in range(draw(st.integers(0, 3)))}, reverse=True)
    if not cuts and draw(st.booleans()):
        return ()
    result = []
    upper: ast.Bound | None = None  # the low bound of the band above
    for cut in cuts:
        low = ast.Bound(cut, draw(st.booleans()))
        high = ast.Bound(upper.value, not upper.inclusive) if upper else None
        result.append(ast.Band(names.next("等次"), low, high))
        upper = low
    name = names.next("等次")
    if upper is None or draw(st.booleans()):
        result.append(ast.Band(name, otherwise=True))
    else:
        result.append(ast.Band(name, None, ast.Bound(upper.value, not upper.inclusive)))
    return tuple(result)


def full_marks(draw: Draw, items_total: Decimal) -> ast.Quantity | None:
    """满分: the items' sum, absent, or smaller than the sum (so that the base cap bites)."""
    match draw(st.integers(0, 2)):
        case 0:
            return points(items_total)
        case 1:
            return None
    return points(max(items_total - draw(halves), Decimal("0.5")))


@st.composite
def policies(draw: Draw, award_only: bool = False) -> ast.Policy:
    """A whole small policy; with ``award_only``, its first or second fact is protected."""
    facts = fact_decls(draw)
    protected = frozenset({facts[draw(st.integers(0, 1))].name} if award_only else ())
    ctx = Context(draw, facts, Names(), protected)
    top = tuple(some(draw, lambda: item(ctx), 1, 4))
    items_total = sum((i.points.value for i in top), Decimal(0))
    header = ast.Header("性质测试考核办法", full_marks=full_marks(draw, items_total))
    sections = some(draw, lambda: section(ctx, ast.AWARD), 0, 2) + some(draw, lambda: section(ctx, ast.DEDUCT), 0, 2)
    if draw(st.booleans()):
        sections.reverse()
    vetoes = tuple(some(draw, lambda: veto(ctx), 0, 2))
    return ast.Policy(header=header, facts=ctx.facts, items=top, sections=tuple(sections),
                      vetoes=vetoes, bands=grade_bands(draw, ctx.names))


@st.composite
def cases(draw: Draw) -> tuple[ast.Policy, Unit]:
    """A policy together with one unit to score under it."""
    policy = draw(policies())
    return policy, unit_for(draw, policy)
