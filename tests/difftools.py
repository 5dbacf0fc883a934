"""Shared helpers of the differential tests: generated units, and a field-by-field comparison
of the interpreter's results with a compiled engine's.

The interpreter (:func:`jhdsl.outcomes.evaluate_all`) defines what a policy means; the compiled
engines must give exactly the same numbers. Random facts alone almost never land on the
places where two implementations part ways (a ``>=`` written as ``>``, a cap off by one step,
a rounding at a band edge), so the values of each fact are drawn from a pool of the literals
the policy compares that fact with — every threshold, target, floor, step and cap, each
exactly, one smallest step above and one below — mixed with random values across the fact's
whole range, up to the 12 integer digits and 6 decimals a fact may hold.

One generator serves both the seeded bulk batches and hypothesis: it asks a :class:`Source`
for integers and choices, and a source is either a seeded :class:`random.Random` (fast, for
10,000 units at a time) or hypothesis's ``draw`` (slow, but it shrinks a failing batch down to
a minimal unit).
"""

from __future__ import annotations

import functools
import importlib.util
import random
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jhdsl import ast
from jhdsl.engine import CompiledPolicy, settled_results
from jhdsl.facts import FRACTION_DIGITS, INTEGER_DIGITS, Unit, Value, default_value
from jhdsl.interpreter import Env, UnitResult, resolve_params
from jhdsl.outcomes import Settled, evaluate_all
from jhdsl.pipeline import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.jhp"))
EXTRA = sorted((ROOT / "tests" / "policies").glob("*.jhp"))
"""Policies written for the differential tests, for what the shipped ones do not use."""

QUANTUM = Decimal(1).scaleb(-FRACTION_DIGITS)
"""The smallest step of a fact's value: 0.000001."""
LARGEST = Decimal(10) ** INTEGER_DIGITS - QUANTUM
"""The largest value a fact may hold: 999999999999.999999."""

GROUP_NAMES = ("甲县", "乙县", "丙区", "丁区")


# ---- policies and their parameters --------------------------------------------------------


@functools.cache
def policy_at(path: Path) -> ast.Policy:
    """A policy file, loaded and checked once; a policy with errors is not worth comparing."""
    loaded = load_policy(path)
    assert not loaded.errors, [d.message for d in loaded.errors]
    return loaded.policy


def param_sets(policy: ast.Policy) -> list[dict[str, Value]]:
    """The defaults, then for each parameter every other value it may take (one parameter
    changed at a time): both answers of a 是否, every choice of an 枚举, and for a number a
    value on either side of its default, since conditions on parameters are decided when the
    policy is compiled and each set of values gives a different plan."""
    defaults = resolve_params(policy, {})
    sets = [defaults]
    for param in policy.params:
        value = defaults[param.name]
        match param.type.kind:
            case ast.BOOL:
                others: list[Value] = [not value]
            case ast.CHOICE:
                others = [c for c in param.type.choices if c != value]
            case _:
                others = [value - 1, value + Decimal("0.5")]
        sets += [{**defaults, param.name: other} for other in others]
    return sets


def params_label(policy: ast.Policy, params: Mapping[str, Value]) -> str:
    """The parameters that differ from the defaults, as 名=值 (or 默认)."""
    defaults = resolve_params(policy, {})
    changed = [f"{k}={v}" for k, v in params.items() if defaults.get(k) != v]
    return ",".join(changed) or "默认"


# ---- the examples of the language reference --------------------------------------------------


@attrs.frozen
class DocPolicy:
    """A policy written in docs/language.md, with every file written before it there (a
    policy may take a score from one written earlier), to be written out to a directory."""

    name: str
    line: int
    files: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        return self.name.removesuffix(".jhp")

    @functools.cached_property
    def path(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="jhdsl-doc-"))
        for name, text in self.files:
            (folder / name).write_text(text, encoding="utf-8")
        return folder / self.name


@functools.cache
def doc_policies() -> tuple[DocPolicy, ...]:
    """The reference's example policies that load without errors (those written to show an
    error are left out), in the order written."""
    spec = importlib.util.spec_from_file_location("check_examples", ROOT / "docs" / "check_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files: dict[str, str] = {}
    found = []
    for kind, name, _, body, line in module.blocks((ROOT / "docs" / "language.md").read_text(encoding="utf-8")):
        if kind != "file":
            continue
        files[name] = body + "\n"
        if name.endswith(".jhp"):
            doc = DocPolicy(name, line, tuple(files.items()))
            if not load_policy(doc.path).errors:
                found.append(doc)
    return tuple(found)


# ---- walking a policy ----------------------------------------------------------------------


def walk(node: Any) -> Iterator[Any]:
    """Every node under ``node`` (attrs classes and tuples), including the policies a 组成
    takes a score from, since their rules read the same unit's facts."""
    yield node
    if isinstance(node, tuple | list):
        for child in node:
            yield from walk(child)
    elif attrs.has(type(node)) and not isinstance(node, ast.Span):
        for field in attrs.fields(type(node)):
            yield from walk(getattr(node, field.name))


def facts_in(expr: Any, facts: Mapping[str, ast.Fact]) -> set[str]:
    """The names of the facts an expression (or rule) reads."""
    found = set()
    for node in walk(expr):
        if isinstance(node, ast.Ref | ast.Subscript) and node.name in facts:
            found.add(node.name)
        elif isinstance(node, ast.Aggregate) and node.fact in facts:
            found.add(node.fact)
    return found


def constant(expr: Any, policy: ast.Policy, params: Mapping[str, Value]) -> Decimal | None:
    """The value of an expression that reads no fact (a literal, a parameter, their
    arithmetic), or None when it reads a fact or is not a number."""
    if expr is None or facts_in(expr, {f.name: f for f in policy.facts}):
        return None
    try:
        value = Env(policy, Unit("", {}), params).evaluate(expr)
    except Exception:  # noqa: BLE001 - anything the interpreter cannot evaluate is no constant
        return None
    return value if isinstance(value, Decimal) and not isinstance(value, bool) else None


def literals_in(node: Any) -> set[Decimal]:
    """Every number written in a node (its quantities)."""
    return {n.value for n in walk(node) if isinstance(n, ast.Quantity)}


def thresholds(policy: ast.Policy, params: Mapping[str, Value]) -> dict[str, set[Decimal]]:
    """For each fact, the values where a rule that reads it changes its mind.

    - a comparison (in any condition or tier): the other side's value, and every literal
      written in it (``甲 + 乙 > 0`` gives 0 to both 甲 and 乙; ``3 − 月数`` gives 3);
      two facts compared with each other share their thresholds, so that they meet;
    - 按率: the target, the floor, each whole step below the target, and the rate where the
      deduction uses up the full points;
    - 按 … 每: the step's multiples up to the cap, and the measure where the cap bites;
    - everywhere: zero, and the fact's declared bounds and default.
    """
    facts = {f.name: f for f in policy.facts}
    found: dict[str, set[Decimal]] = {name: {Decimal(0)} for name in facts}

    def note(names: set[str], values) -> None:
        for name in names:
            found[name].update(v for v in values if v is not None)

    # 按率 without its own full award gives the item's points
    points = {id(rule): item.points.value for item in ast.all_items(policy.items) for rule in walk(item.rules)
              if isinstance(rule, ast.RateScale)}
    for node in walk(policy):
        match node:
            case ast.Compare(left=left, right=right):
                left_facts, right_facts = facts_in(left, facts), facts_in(right, facts)
                values = literals_in(node) | {constant(left, policy, params), constant(right, policy, params)}
                note(left_facts | right_facts, values)
                if left_facts and right_facts:
                    shared = set().union(*(found[n] for n in left_facts | right_facts))
                    note(left_facts | right_facts, shared)
            case ast.Tiers(measure=measure, tiers=tiers):
                values = literals_in(measure) | {constant(t.bound, policy, params) for t in tiers}
                note(facts_in(measure, facts), values)
                for tier in tiers:  # a bound that reads a fact meets the measure's values
                    note(facts_in(tier.bound, facts), values)
            case ast.RateScale(measure=measure):
                note(facts_in(measure, facts), literals_in(measure) | set(rate_edges(node, points.get(id(node)))))
            case ast.PerUnit(measure=measure):
                note(facts_in(measure, facts), literals_in(measure) | set(per_unit_edges(node)))
    for name, fact in facts.items():
        default = default_value(fact)
        note({name}, [fact.low and fact.low.value, fact.high and fact.high.value,
                      default if isinstance(default, Decimal) else None])
    return found


def rate_edges(rule: ast.RateScale, item_points: Decimal | None) -> Iterator[Decimal]:
    target, step, slope = rule.target.value, rule.step.value, rule.slope.value
    yield target
    if rule.floor is not None:
        yield rule.floor.value
    full = rule.full.value if rule.full is not None else item_points
    if full is not None and slope:
        yield target - full / slope * step
    for k in range(1, 12):
        yield target - k * step


def per_unit_edges(rule: ast.PerUnit) -> Iterator[Decimal]:
    step = rule.step.value
    for k in range(0, 6):
        yield k * step
    if rule.cap is not None and rule.points.value:
        yield rule.cap.value * step / rule.points.value


def zero_divisors(policy: ast.Policy, params: Mapping[str, Value]) -> list[dict[str, Decimal]]:
    """Fact values that make a divisor in the policy zero: for each ``a ÷ b`` whose ``b``
    reads facts, the values found by setting all of them to 0, or all to one equal value
    (``甲 − 乙`` is zero when 甲 = 乙)."""
    facts = {f.name: f for f in policy.facts}
    found = []
    for node in walk(policy):
        if not (isinstance(node, ast.Arith) and node.op == "/"):
            continue
        names = facts_in(node.right, facts)
        numeric = {n for n in names if facts[n].type.kind not in (ast.BOOL, ast.CHOICE)}
        if not names or names != numeric or any(facts[n].keyed_by for n in names):
            continue
        for value in (Decimal(0), Decimal(1), Decimal(5), Decimal(50)):
            values = dict.fromkeys(names, value)
            try:
                divisor = Env(policy, Unit("", values), params).evaluate(node.right)
            except Exception:  # noqa: BLE001 - a divisor we cannot evaluate alone is skipped
                continue
            if divisor == 0:
                found.append(values)
                break
    return found


# ---- drawing values -------------------------------------------------------------------------


class Source:
    """Where the generator's choices come from."""

    def integer(self, low: int, high: int) -> int:
        raise NotImplementedError

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        """True about ``percent`` times in a hundred (shrinks towards False)."""
        return self.integer(0, 99) >= 100 - percent


class RandomSource(Source):
    """A seeded generator: fast enough for batches of 10,000 units, and repeatable."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def choice(self, options: Sequence[Any]) -> Any:
        return self.random.choice(options)


class DrawSource(Source):
    """Hypothesis's ``draw``: every choice an integer, so that a failure shrinks towards the
    first option of each pool (a fact's first threshold, the first group, no parent)."""

    def __init__(self, draw: Callable) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(_integers(low, high))


@functools.cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@attrs.frozen
class FactRange:
    """What values a fact may take, and the thresholds to hit in it."""

    fact: ast.Fact
    low: Decimal
    high: Decimal
    integral: bool
    exact: tuple[Decimal, ...]
    """the thresholds themselves (those in range and representable)"""
    near: tuple[Decimal, ...]
    """a smallest step (and, for whole numbers, one) above and below each, and the bounds"""

    @property
    def edges(self) -> tuple[Decimal, ...]:
        """Exact thresholds first: hypothesis shrinks towards the start of the pool."""
        return self.exact + self.near


def fact_range(fact: ast.Fact, edges: set[Decimal]) -> FactRange:
    """The fact's range (declared bounds, else its kind's) and its thresholds, each exactly,
    a smallest step above and below, and (for whole numbers) one above and below; every
    value in the range and representable with 6 decimals."""
    kind = fact.type.kind
    integral = kind == ast.COUNT
    low = Decimal(0) if kind in (ast.COUNT, ast.PERCENT) else -LARGEST
    high = Decimal(100) if kind == ast.PERCENT else (LARGEST.to_integral_value(rounding="ROUND_FLOOR")
                                                     if integral else LARGEST)
    if fact.low is not None:
        low = max(low, fact.low.value)
    if fact.high is not None:
        high = min(high, fact.high.value)
    near = set()
    for edge in edges:
        for delta in (Decimal(0), QUANTUM, -QUANTUM, Decimal(1), Decimal(-1), Decimal("0.01"), Decimal("-0.01")):
            near.add(edge + delta)
    near |= {low, high}
    kept = sorted(v for v in near if low <= v <= high and v == v.quantize(QUANTUM)
                  and (not integral or v == v.to_integral_value()))
    return FactRange(fact, low, high, integral, tuple(v for v in kept if v in edges),
                     tuple(v for v in kept if v not in edges))


def draw_number(source: Source, spec: FactRange) -> Decimal:
    """A value of a numeric fact: a threshold (about half the time), else a random value of
    a random size and number of decimals; now and then a bound or the largest value allowed."""
    if spec.edges and source.chance(55):
        return source.choice(spec.edges)
    low, high = spec.low, spec.high
    shape = source.integer(0, 9)
    if shape == 9:  # a far end of the range: the widest values the engines must hold
        return source.choice([low, high])
    if shape <= 5 and high - low > 200:  # the small values that thresholds are written in
        centre = min(max(Decimal(0), low), high - 200)
        low, high = centre, centre + 200
    places = 0 if spec.integral else source.choice((0, 0, 1, 2, FRACTION_DIGITS))
    scale = Decimal(10) ** places
    start, stop = int((low * scale).to_integral_value(rounding="ROUND_CEILING")), int(
        (high * scale).to_integral_value(rounding="ROUND_FLOOR"))
    return Decimal(source.integer(start, stop)).scaleb(-places)


class UnitMaker:
    """Makes units with facts for one policy under one set of parameters."""

    def __init__(self, policy: ast.Policy, params: Mapping[str, Value]) -> None:
        self.policy = policy
        self.lists = {li.name: li.members for li in policy.lists}
        edges = thresholds(policy, params)
        self.ranges = {f.name: fact_range(f, edges[f.name]) for f in policy.facts
                       if f.type.kind not in (ast.BOOL, ast.CHOICE)}
        self.divisors = zero_divisors(policy, params)
        self.climbs = any(v.climb for v in ast.all_vetoes(policy))
        quota_groups = list(dict.fromkeys(row.group for q in policy.quotas for row in q.rows))
        # a quota table names its groups; one more group that it leaves out tests that path
        self.groups = (*quota_groups[:3], "名额表外县") if quota_groups else GROUP_NAMES

    def value(self, source: Source, fact: ast.Fact) -> Value:
        if fact.type.kind == ast.BOOL:
            return source.choice((False, True))
        if fact.type.kind == ast.CHOICE:
            return source.choice(fact.type.choices)
        return draw_number(source, self.ranges[fact.name])

    def values(self, source: Source) -> dict[str, Value | dict[str, Value]]:
        values: dict[str, Value | dict[str, Value]] = {}
        for fact in self.policy.facts:
            if fact.keyed_by:
                values[fact.name] = {m: self.value(source, fact) for m in self.lists[fact.keyed_by]}
            else:
                values[fact.name] = self.value(source, fact)
        if self.divisors and source.chance(3):  # a division by zero: the unit must fail on both
            values.update(source.choice(self.divisors))
        return values

    def units(self, source: Source, count: int, prefix: str = "单位") -> list[Unit]:
        """``count`` units; groups from 3–4 names (now and then none), and for a policy whose
        vetoes climb, parents among the units made before (now and then one that is missing)."""
        groups = self.groups[:source.integer(3, len(self.groups))]
        units = []
        for index in range(count):
            group = None if source.chance(2) else source.choice(groups)
            parent = None
            if self.climbs and units and not source.chance(20):
                parent = "不存在的上级" if source.chance(3) else units[source.integer(0, len(units) - 1)].name
            units.append(Unit(f"{prefix}{index:05d}", self.values(source), group, parent))
        return units


@functools.cache
def unit_maker(path: Path, params_key: tuple) -> UnitMaker:
    return UnitMaker(policy_at(path), dict(params_key))


def random_units(path: Path, params: Mapping[str, Value], count: int, seed: int) -> list[Unit]:
    """A repeatable batch of ``count`` units for the policy at ``path``."""
    maker = unit_maker(path, tuple(params.items()))
    return maker.units(RandomSource(seed), count)


def units_strategy(path: Path, params: Mapping[str, Value], max_units: int) -> st.SearchStrategy[list[Unit]]:
    """Batches of 1 to ``max_units`` units, drawn through hypothesis so that they shrink."""
    maker = unit_maker(path, tuple(params.items()))

    @st.composite
    def batches(draw) -> list[Unit]:
        source = DrawSource(draw)
        return maker.units(source, source.integer(1, max_units))

    return batches()


# ---- running the compiled engine ------------------------------------------------------------


class Compiled(CompiledPolicy):
    """A compiled policy whose query text is built once per dialect: building it costs up to
    seconds for a large plan, and the engines are run on many batches."""

    @functools.cache  # noqa: B019 - one per policy and parameters, kept for the whole run
    def sql(self, dialect: str = "duckdb", source: str = "facts", pretty: bool = False,
            row_order: str | None = None) -> str:
        return super().sql(dialect, source, pretty, row_order)


class DuckRunner:
    """``evaluate_duckdb`` with the query built once per policy and parameters: the same
    steps (the units as :func:`jhdsl.sqlfacts.units_table` lays them out, the query in
    DuckDB, :func:`jhdsl.engine.settled_results`), for the many small batches of hypothesis."""

    def __init__(self, policy: ast.Policy, params: Mapping[str, Value]) -> None:
        self.compiled = Compiled(policy, params)
        self.query = self.compiled.sql("duckdb", "facts", row_order="_行")

    @staticmethod
    @functools.cache
    def _cached(path: Path, params_key: tuple) -> DuckRunner:
        return DuckRunner(policy_at(path), dict(params_key))

    @classmethod
    def of(cls, path: Path, params: Mapping[str, Value]) -> DuckRunner:
        return cls._cached(path, tuple(params.items()))

    def __call__(self, units: Sequence[Unit]) -> Settled:
        import duckdb

        from jhdsl.sqlfacts import units_table

        connection = duckdb.connect()
        try:
            units_table(connection, units, self.compiled.policy, "facts", rows=range(1, len(units) + 1))
            return settled_results(self.compiled, connection.sql(self.query).fetchall(), units, words=False)
        finally:
            connection.close()


# ---- comparing results ------------------------------------------------------------------------


@attrs.frozen
class Mismatch:
    """One field of one unit on which the engine differs from the interpreter."""

    unit: str
    field: str
    expected: Any
    actual: Any


def fields(result: UnitResult) -> Iterator[tuple[str, Any]]:
    """Every value of a result the engines must agree on, named."""
    yield "total", result.total
    yield "base", result.base
    yield "bonus", result.bonus
    yield "penalty", result.penalty
    yield "cut", result.cut
    for item in ast.all_items(result.items):
        yield f"项目 {item.name}", item.score
    for section in ast.all_sections(result.sections):
        yield f"部分 {section.name}", section.amount
    yield "vetoes", tuple(hit.name for hit in result.vetoes)
    yield "grade", result.grade
    yield "eligible", result.eligible
    yield "ranks", tuple((r.ranking, r.rank, r.size, r.group, r.tied) for r in result.ranks)
    yield "outcomes", tuple((a.name, a.money) for a in result.outcomes)
    yield "group", result.group
    yield "parent", result.parent


def same(expected: Any, actual: Any) -> bool:
    """Exactly equal: of the same type (a float or an int is no Decimal, 1 is no True), and
    equal in value (a Decimal by its value: 2.50 is 2.5); tuples element by element."""
    if isinstance(expected, tuple) and isinstance(actual, tuple):
        return len(expected) == len(actual) and all(map(same, expected, actual))
    return type(expected) is type(actual) and expected == actual


def compare(expected: Settled, actual: Settled) -> list[Mismatch]:
    """Every difference between two settled runs, unit by unit and field by field."""
    mismatches = []
    failed = (tuple(name for name, _ in expected.failed), tuple(name for name, _ in actual.failed))
    if failed[0] != failed[1]:
        mismatches.append(Mismatch("（全部）", "failed", *failed))
    if expected.problems != actual.problems:
        mismatches.append(Mismatch("（全部）", "problems", expected.problems, actual.problems))
    theirs = {r.unit: r for r in actual.results}
    for mine in expected.results:
        other = theirs.get(mine.unit)
        if other is None:
            continue
        for (name, a), (_, b) in zip(fields(mine), fields(other), strict=True):
            if not same(a, b):
                mismatches.append(Mismatch(mine.unit, name, a, b))
    # last, so that a report shows the fields of single units first
    order = [r.unit for r in expected.results], [r.unit for r in actual.results]
    if order[0] != order[1]:
        at = next((i for i, pair in enumerate(zip(*order, strict=False)) if pair[0] != pair[1]), min(map(len, order)))
        mismatches.append(Mismatch("（全部）", f"order of the results, from position {at}",
                                   order[0][at:at + 5], order[1][at:at + 5]))
    return mismatches


def show_value(value: Value | Mapping) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def describe_unit(unit: Unit) -> str:
    facts = "\n".join(f"    {name} = {show_value(value)}" for name, value in unit.values.items())
    return f"  单位 {unit.name}（所属县区 {unit.group}，上级单位 {unit.parent}）的事实：\n{facts}"


def report(mismatches: Sequence[Mismatch], units: Sequence[Unit], engine: str, limit: int = 5) -> str:
    """The first mismatches, each with both values and the facts of the unit."""
    by_name = {u.name: u for u in units}
    lines = [f"{len(mismatches)} 处不一致（解释器 vs {engine}）："]
    shown = set()
    for m in mismatches[:limit]:
        lines.append(f"- 单位 {m.unit}，字段 {m.field}：解释器 {m.expected!r}，{engine} {m.actual!r}")
        if m.unit in by_name and m.unit not in shown:
            shown.add(m.unit)
            lines.append(describe_unit(by_name[m.unit]))
    return "\n".join(lines)


def run_engine(run: Callable[[Sequence[Unit]], Settled], units: Sequence[Unit], engine: str,
               policy: ast.Policy, params: Mapping[str, Value]) -> Settled:
    """``run(units)``; when the engine cannot run the query at all (it raises, as on an
    overflow), the batch is halved while a half still fails, and an AssertionError names the
    units left (one, unless it takes several together) with their facts and the interpreter's
    total for them."""
    try:
        return run(units)
    except Exception as error:  # noqa: BLE001 - whatever the engine raises, find the unit behind it
        failure: Exception = error
    units = list(units)
    while len(units) > 1:
        half = len(units) // 2
        for part in (units[:half], units[half:]):
            try:
                run(part)
            except Exception as error:  # noqa: BLE001
                units, failure = part, error
                break
        else:
            break  # neither half fails alone
    expected = evaluate_all(policy, units, params)
    totals = {r.unit: r.total for r in expected.results} | {name: reason for name, reason in expected.failed}
    described = "\n".join(f"{describe_unit(u)}\n  解释器：总分 {totals.get(u.name)}" for u in units[:3])
    message = str(failure).strip().split("\n")[0]
    raise AssertionError(f"{engine} 无法执行查询（{type(failure).__name__}：{message}），"
                         f"出错的单位（共 {len(units)} 个）：\n{described}")


def assert_same(expected: Settled, actual: Settled, units: Sequence[Unit], engine: str) -> None:
    mismatches = compare(expected, actual)
    assert not mismatches, report(mismatches, units, engine)


def check_hypothesis_batches(path: Path, batch: int, examples: int) -> None:
    """Small batches of units under every set of parameters, the interpreter against the
    compiled engine; hypothesis shrinks a failing batch to a minimal unit (an engine that
    raises fails the example as it is)."""
    policy = policy_at(path)
    choices = param_sets(policy)

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def check(data) -> None:
        params = data.draw(st.sampled_from(choices), label="参数")
        units = data.draw(units_strategy(path, params, batch), label="单位")
        assert_same(evaluate_all(policy, units, params), DuckRunner.of(path, params)(units), units, "duckdb")

    check()
