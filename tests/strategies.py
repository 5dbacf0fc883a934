"""Hypothesis strategies that build small, checker-valid policies directly as AST objects.

Building the AST rather than source text lets the property tests reach combinations of rules
that the example policies never use, without depending on the parser. Every policy drawn
here is meant to pass ``checker.check`` without errors; a test asserts that, so that the
generator stays honest (and a checker that rejects a valid policy is caught).

Only the features the properties talk about are generated: facts of kinds 是否/整数/百分比/枚举,
items nested up to three levels, the rule kinds Fixed, PerUnit, RateScale, Tiers and Override,
capped and uncapped bonus/penalty sections, vetoes and grade bands.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import strategies as st

from jhdsl import ast
from jhdsl.facts import Unit

MAX_DEPTH = 3
"""Items nest at most this deep (a top item is depth 1)."""

MAX_SECTION_DEPTH = 2
MAX_COUNT = 30
"""Counts stay small so that thresholds and per-unit steps actually bite."""

COUNT_UNITS = ("", "名", "起")
ORDER_OPS = (">=", ">", "<=", "<", "=", "!=")
EQUALITY_OPS = ("=", "!=")
NUMERIC_KINDS = (ast.COUNT, ast.PERCENT)


def points(value: Decimal) -> ast.Quantity:
    return ast.Quantity(value, "分")


def percent(value: Decimal) -> ast.Quantity:
    return ast.Quantity(value, "%")


# Points and percentages in halves: exact in decimal, and fractional often enough to matter.
halves = st.integers(1, 20).map(lambda n: Decimal(n) / 2)
percent_halves = st.integers(0, 200).map(lambda n: Decimal(n) / 2)


@attrs.define
class Names:
    """Hands out unique names: the checker rejects duplicates across items, sections, vetoes."""

    count: int = 0

    def next(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


@attrs.frozen
class Context:
    """What the rules of one policy may refer to, and where fresh names come from."""

    facts: tuple[ast.Fact, ...]
    names: Names

    def of_kind(self, *kinds: str) -> list[ast.Fact]:
        return [f for f in self.facts if f.type.kind in kinds]


# ---- facts --------------------------------------------------------------------------------


@st.composite
def fact_decls(draw) -> tuple[ast.Fact, ...]:
    """One count and one percent fact always (PerUnit and RateScale need them), plus a few more."""
    extra = draw(st.lists(st.sampled_from([ast.BOOL, ast.COUNT, ast.PERCENT, ast.CHOICE]), max_size=4))
    facts = []
    for index, kind in enumerate([ast.COUNT, ast.PERCENT, *extra], start=1):
        name = f"指标{index}"
        choices: tuple[str, ...] = ()
        if kind == ast.CHOICE:
            choices = tuple(f"{name}档{j}" for j in range(draw(st.integers(2, 4))))
        high = None
        if kind == ast.COUNT and draw(st.booleans()):
            high = ast.Quantity(Decimal(draw(st.integers(1, MAX_COUNT))), "名")
        facts.append(ast.Fact(name, ast.FactType(kind, choices), high=high))
    return tuple(facts)


def count_high(fact: ast.Fact) -> int:
    return int(fact.high.value) if fact.high is not None else MAX_COUNT


def fact_values(fact: ast.Fact) -> st.SearchStrategy:
    """Values a unit may give for ``fact``, as validated facts are: Decimal, bool or a choice."""
    match fact.type.kind:
        case ast.BOOL:
            return st.booleans()
        case ast.COUNT:
            return st.integers(0, count_high(fact)).map(Decimal)
        case ast.PERCENT:
            return st.integers(0, 1000).map(lambda n: Decimal(n).scaleb(-1))
        case ast.CHOICE:
            return st.sampled_from(fact.type.choices)
    raise ValueError(fact.type.kind)


def units(policy: ast.Policy) -> st.SearchStrategy[Unit]:
    """A unit with a value for every fact of ``policy``."""
    values = st.fixed_dictionaries({f.name: fact_values(f) for f in policy.facts})
    return values.map(lambda v: Unit("测试单位", v))


# ---- conditions ---------------------------------------------------------------------------


def literals(fact: ast.Fact) -> st.SearchStrategy[ast.Quantity]:
    """A literal of the fact's own kind, as the checker requires in a comparison."""
    if fact.type.kind == ast.PERCENT:
        return percent_halves.map(percent)
    return st.builds(lambda n, unit: ast.Quantity(Decimal(n), unit),
                     st.integers(0, count_high(fact)), st.sampled_from(COUNT_UNITS))


def atoms(fact: ast.Fact) -> st.SearchStrategy[ast.Expr]:
    """A simple condition on one fact: the fact itself, 非, or a comparison with a literal."""
    ref = ast.Ref(fact.name)
    match fact.type.kind:
        case ast.BOOL:
            compared = st.builds(lambda op, v: ast.Compare(op, ref, ast.Boolean(v)),
                                 st.sampled_from(EQUALITY_OPS), st.booleans())
            return st.one_of(st.just(ref), st.just(ast.Not(ref)), compared)
        case ast.CHOICE:
            return st.builds(lambda op, c: ast.Compare(op, ref, ast.Ref(c)),
                             st.sampled_from(EQUALITY_OPS), st.sampled_from(fact.type.choices))
    return st.builds(lambda op, lit: ast.Compare(op, ref, lit), st.sampled_from(ORDER_OPS), literals(fact))


def conditions(ctx: Context) -> st.SearchStrategy[ast.Expr]:
    atom = st.sampled_from(ctx.facts).flatmap(atoms)
    combined = st.builds(lambda op, parts: ast.Logic(op, tuple(parts)),
                         st.sampled_from(["and", "or"]), st.lists(atom, min_size=2, max_size=3))
    return st.one_of(atom, atom, combined)


def optional_conditions(ctx: Context) -> st.SearchStrategy[ast.Expr | None]:
    return st.one_of(st.none(), conditions(ctx))


# ---- rules --------------------------------------------------------------------------------


def fixed_rules(ctx: Context, sign: int) -> st.SearchStrategy[ast.Fixed]:
    return st.builds(ast.Fixed, st.just(sign), halves.map(points), optional_conditions(ctx))


@st.composite
def per_unit_rules(draw, ctx: Context, sign: int) -> ast.PerUnit:
    fact = draw(st.sampled_from(ctx.of_kind(*NUMERIC_KINDS)))
    unit = "个百分点" if fact.type.kind == ast.PERCENT else draw(st.sampled_from(["名", "起"]))
    step = ast.Quantity(Decimal(draw(st.sampled_from([1, 2, 3, 5]))), unit)
    cap = draw(st.one_of(st.none(), halves.map(points)))
    return ast.PerUnit(ast.Ref(fact.name), step, draw(st.booleans()), sign, draw(halves.map(points)),
                       cap, draw(optional_conditions(ctx)))


@st.composite
def rate_rules(draw, ctx: Context) -> ast.RateScale:
    fact = draw(st.sampled_from(ctx.of_kind(ast.PERCENT)))
    target = draw(st.integers(20, 200)) / Decimal(2)
    floor = None
    if draw(st.booleans()):
        floor = percent(draw(st.integers(0, int(target * 2) - 1)) / Decimal(2))
    full = draw(st.one_of(st.none(), halves.map(points)))
    step = ast.Quantity(draw(st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(2)])), "个百分点")
    return ast.RateScale(ast.Ref(fact.name), percent(target), full, step, draw(st.booleans()),
                         draw(halves.map(points)), floor)


@st.composite
def tier_rules(draw, ctx: Context, signs: tuple[int, ...]) -> ast.Tiers:
    """Tiers from the highest bound down, optionally closed by 其余; each tier's sign from ``signs``."""
    fact = draw(st.sampled_from(ctx.of_kind(*NUMERIC_KINDS)))
    bounds = draw(st.lists(literals(fact), min_size=1, max_size=3, unique_by=lambda q: q.value))
    tiers = []
    for bound in sorted(bounds, key=lambda q: q.value, reverse=True):
        tiers.append(_tier(draw, draw(st.sampled_from([">=", ">"])), bound, signs))
    if draw(st.booleans()):
        tiers.append(_tier(draw, None, None, signs))
    return ast.Tiers(ast.Ref(fact.name), tuple(tiers))


def _tier(draw, op: str | None, bound: ast.Quantity | None, signs: tuple[int, ...]) -> ast.Tier:
    sign = draw(st.sampled_from(signs))
    return ast.Tier(op, bound, sign, points(draw(halves)) if sign else None)


def override_rules(ctx: Context) -> st.SearchStrategy[ast.Override]:
    return st.builds(ast.Override, st.booleans(), conditions(ctx))


def leaf_rules(ctx: Context) -> st.SearchStrategy[ast.Rule]:
    signs = st.sampled_from([ast.AWARD, ast.DEDUCT])
    return st.one_of(
        signs.flatmap(lambda s: fixed_rules(ctx, s)),
        signs.flatmap(lambda s: per_unit_rules(ctx, s)),
        rate_rules(ctx),
        tier_rules(ctx, (ast.AWARD, ast.DEDUCT, 0)),
        override_rules(ctx),
    )


def section_rules(ctx: Context, sign: int) -> st.SearchStrategy[ast.Rule]:
    """Rules allowed in a section: signed like the section; no RateScale or Override."""
    return st.one_of(fixed_rules(ctx, sign), per_unit_rules(ctx, sign), tier_rules(ctx, (sign, 0)))


def rule_signs(rules) -> set[int]:
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


def vetoes(ctx: Context) -> st.SearchStrategy[ast.Veto]:
    return conditions(ctx).map(lambda c: ast.Veto(ctx.names.next("否决"), c))


@st.composite
def leaves(draw, ctx: Context) -> ast.Item:
    """A leaf; its start is written whenever it both awards and deducts (and now and then anyway)."""
    full = draw(halves)
    rules = tuple(draw(st.lists(leaf_rules(ctx), min_size=1, max_size=3)))
    start, start_full = None, False
    if rule_signs(rules) == {ast.AWARD, ast.DEDUCT} or draw(st.integers(0, 9)) == 0:
        if draw(st.booleans()):
            start_full = True
        else:
            start = points(draw(st.integers(0, int(full * 2))) / Decimal(2))
    own_vetoes = tuple(draw(st.lists(vetoes(ctx), max_size=1))) if draw(st.integers(0, 4)) == 0 else ()
    return ast.Item(ctx.names.next("项目"), points(full), rules=rules, start=start,
                    start_full=start_full, vetoes=own_vetoes)


@st.composite
def items(draw, ctx: Context, depth: int = 1) -> ast.Item:
    """An item tree whose groups' points are exactly the sum of their children's."""
    if depth >= MAX_DEPTH or draw(st.integers(0, 2)) == 0:
        return draw(leaves(ctx))
    name = ctx.names.next("项目")
    children = tuple(draw(st.lists(items(ctx, depth + 1), min_size=1, max_size=3)))
    total = sum((c.points.value for c in children), Decimal(0))
    return ast.Item(name, points(total), children=children)


@st.composite
def sections(draw, ctx: Context, sign: int, depth: int = 1) -> ast.Section:
    """A bonus or penalty section, capped or not, with same-signed subsections (capped or not)."""
    name = ctx.names.next("加分" if sign == ast.AWARD else "减分")
    cap = draw(st.one_of(st.none(), halves.map(points)))
    children: tuple[ast.Section, ...] = ()
    if depth < MAX_SECTION_DEPTH:
        children = tuple(draw(st.lists(sections(ctx, sign, depth + 1), max_size=2)))
    rules = tuple(draw(st.lists(section_rules(ctx, sign), min_size=0 if children else 1, max_size=3)))
    return ast.Section(sign, name, cap, rules=rules, children=children)


@st.composite
def bands(draw, names: Names) -> tuple[ast.Band, ...]:
    """Grade bands from the top down that tile the whole line: no gaps, no overlaps."""
    cuts = sorted(draw(st.lists(st.integers(0, 24).map(lambda n: Decimal(n * 5)), max_size=3, unique=True)),
                  reverse=True)
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
    if draw(st.booleans()) or upper is None:
        result.append(ast.Band(name, otherwise=True))
    else:
        result.append(ast.Band(name, None, ast.Bound(upper.value, not upper.inclusive)))
    return tuple(result)


@st.composite
def policies(draw) -> ast.Policy:
    """A whole small policy; 满分 is the items' sum, absent, or smaller (so the base cap bites)."""
    ctx = Context(draw(fact_decls()), Names())
    top = tuple(draw(st.lists(items(ctx), min_size=1, max_size=4)))
    total = sum((i.points.value for i in top), Decimal(0))
    full_marks = draw(st.sampled_from(["sum", "absent", "smaller"]))
    header_marks = {"sum": points(total), "absent": None,
                    "smaller": points(max(total - draw(halves), Decimal("0.5")))}[full_marks]
    bonus = draw(st.lists(sections(ctx, ast.AWARD), max_size=2))
    penalty = draw(st.lists(sections(ctx, ast.DEDUCT), max_size=2))
    ordered = tuple(draw(st.permutations(bonus + penalty)))
    return ast.Policy(
        header=ast.Header("性质测试考核办法", full_marks=header_marks),
        facts=ctx.facts,
        items=top,
        sections=ordered,
        vetoes=tuple(draw(st.lists(vetoes(ctx), max_size=2))),
        bands=draw(bands(ctx.names)),
    )


def cases() -> st.SearchStrategy[tuple[ast.Policy, Unit]]:
    """A policy together with one unit to score under it."""
    return policies().flatmap(lambda p: units(p).map(lambda u: (p, u)))
