"""Running a compiled plan on DuckDB (or Spark) and turning its rows back into results.

The compiled query gives every unit's total, item and section scores, vetoes, grade,
eligibility and ranks; the few units it could not compute (a division by zero) and any unit
whose explanation is asked for are scored again by the interpreter, which says why. Outcomes
handed out by rank (顺延 past earlier holders) and vetoes that climb to parent units are
settled by the same code as the interpreter's, on the compiled results.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from jhdsl import ast
from jhdsl.compiler import CompileError, compile_policy
from jhdsl.errors import EvaluationError
from jhdsl.facts import FactProblem, Unit, Value, load_facts
from jhdsl.interpreter import (
    Interpreter,
    ItemResult,
    Line,
    RankPlace,
    SectionResult,
    UnitResult,
    VetoHit,
    resolve_params,
)
from jhdsl.ir import Plan
from jhdsl.numbers import points
from jhdsl.outcomes import Settled, evaluate_all, settle

ENGINES = ("interp", "duckdb", "spark", "auto")
AUTO_THRESHOLD = 2000
"""``--engine auto`` compiles from this many units on; below it the interpreter is as quick."""


def needs_settling(policy: ast.Policy) -> bool:
    """Whether results need the stage after scoring beyond what the query computes: outcomes,
    or vetoes that climb to a parent unit."""
    return bool(policy.outcomes) or any(v.climb for v in ast.all_vetoes(policy))


class CompiledPolicy:
    """A policy compiled once under one set of parameters, runnable on any facts table."""

    def __init__(self, policy: ast.Policy, params: Mapping[str, Value] | None = None) -> None:
        self.policy = policy
        self.params = dict(params) if params is not None else resolve_params(policy, {})
        self.plan: Plan = compile_policy(policy, self.params)
        self.items = list(ast.all_items(policy.items))
        self.sections = list(ast.all_sections(policy.sections))
        self.vetoes = list(ast.all_vetoes(policy))
        self.components = policy.combination.components if policy.combination is not None else ()
        self.settles = needs_settling(policy)
        self.columns = [o.label for o in self.plan.outputs]
        self.position = {(o.role, o.index): 3 + i for i, o in enumerate(self.plan.outputs)}
        """Where each output stands in a row of the query: after 单位, 所属县区, 上级单位."""

    def sql(self, dialect: str = "duckdb", source: str = "facts", pretty: bool = False,
            row_order: str | None = None) -> str:
        from jhdsl.sql import build_query  # sqlglot is loaded only when a query is made

        return build_query(self.plan, source, dialect, row_order).sql(dialect=dialect, pretty=pretty)

    # rows → results
    def results(self, rows: Sequence[tuple]) -> list[UnitResult | str]:
        """Result objects (without explanation lines) of the query's rows, in order; the name
        alone of a unit the query could not compute."""
        failed_at = self.position[("failed", 0)]
        return [row[0] if row[failed_at] else self.result(row) for row in rows]

    def shows_reasons(self, row: tuple) -> bool:
        """Whether a row's unit is vetoed or ineligible (its reasons are shown), read from the
        row without building its result."""
        vetoed = any(row[self.position[("veto", i)]] for i in range(len(self.vetoes)))
        ineligible = self.policy.eligibility is not None and row[self.position[("eligible", 0)]] is False
        return vetoed or ineligible

    def result(self, row: tuple) -> UnitResult:
        def value(role: str, index: int = 0):
            return row[self.position[(role, index)]]

        item_scores = iter(range(len(self.items)))

        def item(node: ast.Item) -> ItemResult:
            score = value("item", next(item_scores))
            children = tuple(item(child) for child in node.children)
            return ItemResult(node.name, node.points.value, score, Decimal(0), (), children)

        section_amounts = iter(range(len(self.sections)))

        def section(node: ast.Section) -> SectionResult:
            amount = value("section", next(section_amounts))
            children = tuple(section(child) for child in node.children)
            return SectionResult(node.name, node.sign, amount, node.cap.value if node.cap else None, (), children)

        vetoes = tuple(VetoHit(v.name, v.name, v.climb) for i, v in enumerate(self.vetoes) if value("veto", i))
        ranks = tuple(
            RankPlace(r.name, int(value("rank_rank", i)), int(value("rank_size", i)),
                      row[1] if r.in_group else None, bool(value("rank_tied", i)))
            for i, r in enumerate(self.policy.rankings))
        components = tuple(Line(amount, f"{c.name}：{points(amount)}")
                           for i, c in enumerate(self.components) if (amount := value("component", i)) is not None)
        return UnitResult(
            unit=row[0], group=row[1], parent=row[2], total=value("total"), base=value("base"),
            bonus=value("bonus"), penalty=value("penalty"),
            items=tuple(item(i) for i in self.policy.items), sections=tuple(section(s) for s in self.policy.sections),
            vetoes=vetoes, grade=value("grade") if self.policy.bands else None, cut=value("cut"),
            eligible=value("eligible") if self.policy.eligibility is not None else None,
            ranks=() if self.settles else ranks, components=components)


def settled_results(compiled: CompiledPolicy, rows: Sequence[tuple], units: Sequence[Unit],
                    explain: Collection[str] | bool = False, words: bool = True) -> Settled:
    """The query's rows as settled results. The interpreter scores again, for their words, the
    units named in ``explain`` (or all, when True), those vetoed or ineligible (whose reasons
    are shown, unless ``words`` is False: the compiled numbers alone, as the differential tests
    want them), and those the query could not compute (to say why); ``units`` must hold them."""
    by_name = {u.name: u for u in units}
    interpreter = Interpreter(compiled.policy, compiled.params, population=units)

    def wanted(result: UnitResult) -> bool:
        return explain is True or (bool(explain) and result.unit in explain) or (words and _needs_reasons(result))

    results, reasons, scored_again = [], [], False
    for result in compiled.results(rows):
        if isinstance(result, str):  # a division by zero, or numbers too wide for the engine
            try:
                results.append(interpreter.evaluate(by_name[result]))
                scored_again = True
            except EvaluationError as error:  # the reason the interpreter gives, e.g. 除数为 0
                reasons.append((result, str(error)))
        elif wanted(result):
            results.append(attrs.evolve(interpreter.evaluate(by_name[result.unit]), ranks=result.ranks))
        else:
            results.append(result)
    if compiled.settles or (scored_again and compiled.policy.rankings):  # ranks among every scored unit
        settled = settle(compiled.policy, [attrs.evolve(r, ranks=()) for r in results], units, compiled.params)
    else:
        settled = Settled(tuple(results))
    return attrs.evolve(settled, failed=tuple(reasons))


def run_duckdb(compiled: CompiledPolicy, connection, table: str = "facts", row_order: str | None = None) -> list[tuple]:
    """Every row of the compiled query over ``table`` in DuckDB."""
    return connection.sql(compiled.sql("duckdb", table, row_order=row_order)).fetchall()


def evaluate_duckdb(policy: ast.Policy, units: Sequence[Unit], params: Mapping[str, Value] | None = None,
                    connection=None) -> Settled:
    """Score ``units`` with the compiled DuckDB engine: the same results as
    :func:`jhdsl.outcomes.evaluate_all`, without explanation lines."""
    import duckdb

    from jhdsl.sqlfacts import units_table

    compiled = CompiledPolicy(policy, params)
    connection = connection or duckdb.connect()
    units_table(connection, units, policy, "facts", rows=range(1, len(units) + 1))
    return settled_results(compiled, run_duckdb(compiled, connection, row_order="_行"), units, words=False)


@attrs.frozen
class Scored:
    """One run over a facts file: the settled results, the problems found in the facts, the
    units the facts left out, and the engine that scored them."""

    settled: Settled
    problems: tuple[FactProblem, ...]
    engine: str


def score_file(policy: ast.Policy, path: Path, params: Mapping[str, Value], engine: str = "auto",
               periods: Mapping[str, Sequence[Unit]] | None = None, explain: Collection[str] | bool = False,
               progress_bar=None) -> Scored:
    """Score every unit of a facts file with the chosen engine (auto: the compiled one for large
    files of a policy it can compile). ``explain`` names the units (or True: all) whose
    results must carry the interpreter's explanation lines; ``progress_bar(n)`` gives a context
    with a bar to tell of each unit the interpreter scores (or None)."""
    compiled = None
    if engine != "interp" and not periods:
        try:
            compiled = CompiledPolicy(policy, params)
        except CompileError:
            if engine != "auto":
                raise
    elif engine in ("duckdb", "spark"):
        raise CompileError("编译引擎不支持「--facts-of」：请用 --engine interp")
    if compiled is not None and (engine != "auto" or _rows_at_least(path, AUTO_THRESHOLD)):
        return _score_compiled(compiled, path, explain, "spark" if engine == "spark" else "duckdb")
    table = load_facts(path, policy)
    with progress_bar(len(table.units)) if progress_bar else contextlib.nullcontext() as bar:
        settled = evaluate_all(policy, table.units, params, periods, bar.update if bar else None)
    return Scored(settled, table.problems, "interp")


def _rows_at_least(path: Path, count: int) -> bool:
    """Whether a facts file holds at least ``count`` units, without reading it whole."""
    if path.suffix.lower() == ".parquet":
        return True
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as file:
        return sum(1 for _ in itertools.islice(file, count + 1)) > count


def _score_compiled(compiled: CompiledPolicy, path: Path, explain: Collection[str] | bool, engine: str) -> Scored:
    """The facts are read and checked by DuckDB; the query runs there or, for Spark, on a
    session given the checked facts."""
    import duckdb

    from jhdsl.sqlfacts import load_facts_table, units_table

    connection = duckdb.connect()
    units: Sequence[Unit] | None = None
    if path.suffix.lower() in (".csv", ".parquet"):
        problems = tuple(load_facts_table(connection, path, compiled.policy, "facts"))
    else:
        table = load_facts(path, compiled.policy)
        units, problems = table.units, table.problems
        units_table(connection, units, compiled.policy, "facts", rows=range(1, len(units) + 1))
    if engine == "spark":
        rows = run_spark(compiled, spark_session(), connection.sql('SELECT * FROM "facts"').to_arrow_table())
    else:
        rows = run_duckdb(compiled, connection, row_order="_行")
    failed_at = compiled.position[("failed", 0)]
    if units is None and (explain or compiled.settles or uses_population(compiled.policy)):
        units = units_from_table(connection, compiled.policy)
    elif units is None:  # only the units whose reasons are shown, or that could not be computed
        units = units_from_table(connection, compiled.policy, [
            row[0] for row in rows if row[failed_at] or compiled.shows_reasons(row)])
    return Scored(settled_results(compiled, rows, units, explain), problems, engine)


def _needs_reasons(result: UnitResult) -> bool:
    """Whether a compiled result must be scored again to say why: vetoes and ineligibility are
    shown with their reasons."""
    return bool(result.vetoes) or result.eligible is False


def uses_population(policy: ast.Policy) -> bool:
    """Whether a policy compares a unit with all the others (平均/最高/最低/名次), so that
    scoring one unit again needs every unit's facts."""
    return any(isinstance(node, ast.Aggregate) for node in ast.walk(policy))


def units_from_table(connection, policy: ast.Policy, names: Sequence[str] | None = None) -> list[Unit]:
    """The units of the facts table as :class:`Unit` objects (those named, or all)."""
    query = 'SELECT * FROM "facts"'
    if names is not None:
        if not names:
            return []
        connection.execute('CREATE OR REPLACE TEMP TABLE "_要看的单位" ("单位" VARCHAR)')
        connection.executemany('INSERT INTO "_要看的单位" VALUES (?)', [(n,) for n in dict.fromkeys(names)])
        query += ' WHERE "单位" IN (SELECT "单位" FROM "_要看的单位")'
    relation = connection.sql(query + ' ORDER BY "_行"')
    columns = relation.columns
    keyed = {f.name for f in policy.facts if f.keyed_by}
    units = []
    for row in relation.fetchall():
        cells = dict(zip(columns, row, strict=True))
        values: dict = {}
        for fact in policy.facts:
            if fact.name in keyed:
                prefix = f"{fact.name}["
                values[fact.name] = {c[len(prefix):-1]: v for c, v in cells.items() if c.startswith(prefix)}
            else:
                values[fact.name] = cells[fact.name]
        units.append(Unit(cells["单位"], values, cells.get("所属县区"), cells.get("上级单位")))
    return units


SPARK_SETTINGS = {
    # keep every digit of a decimal product instead of rounding it to fit (the plan's types fit)
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    # a value too wide for DECIMAL(38) becomes NULL (that unit is scored by the interpreter)
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
}


def spark_session(master: str | None = None):
    """A Spark session set up for exact decimals; ``master`` is local[N] or a cluster's URL
    (by default the environment's JHDSL_SPARK_MASTER, else local mode on every core)."""
    from pyspark.sql import SparkSession

    master = master or os.environ.get("JHDSL_SPARK_MASTER", "local[*]")
    builder = SparkSession.builder.appName("jhdsl").master(master)
    for key, value in SPARK_SETTINGS.items():
        builder = builder.config(key, value)
    builder = builder.config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
    builder = builder.config("spark.driver.memory", os.environ.get("JHDSL_SPARK_DRIVER_MEMORY", "2g"))  # parsing a long query
    return builder.getOrCreate()


def run_spark(compiled: CompiledPolicy, session, arrow_table) -> list[tuple]:
    """Every row of the compiled query on Spark, over facts given as an Arrow table (as
    :mod:`jhdsl.sqlfacts` validates them), in the table's order."""
    for key, value in SPARK_SETTINGS.items():
        session.conf.set(key, value)
    frame = session.createDataFrame(arrow_table)
    frame.createOrReplaceTempView("facts")
    query = compiled.sql("spark", "facts", row_order="_行")
    return [tuple(row) for row in session.sql(query).collect()]
