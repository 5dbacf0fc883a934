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
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from jhdsl import ast
from jhdsl.compiler import CompileError, compile_policy
from jhdsl.facts import FactProblem, Unit, Value, load_facts
from jhdsl.interpreter import Interpreter, ItemResult, RankPlace, SectionResult, UnitResult, VetoHit, resolve_params
from jhdsl.ir import Plan
from jhdsl.outcomes import Settled, evaluate_all, settle
from jhdsl.sql import build_query

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
        self.columns = [o.label for o in self.plan.outputs]
        self.position = {(o.role, o.index): 3 + i for i, o in enumerate(self.plan.outputs)}
        """Where each output stands in a row of the query: after 单位, 所属县区, 上级单位."""

    def sql(self, dialect: str = "duckdb", source: str = "facts", pretty: bool = False,
            row_order: str | None = None) -> str:
        return build_query(self.plan, source, dialect, row_order).sql(dialect=dialect, pretty=pretty)

    # rows → results
    def results(self, rows: Sequence[tuple]) -> tuple[list[UnitResult], list[str]]:
        """Result objects (without explanation lines) of the query's rows, and the units the
        query could not compute."""
        results, failed = [], []
        failed_at = self.position[("failed", 0)]
        for row in rows:
            if row[failed_at]:
                failed.append(row[0])
                continue
            results.append(self.result(row))
        return results, failed

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
        return UnitResult(
            unit=row[0], group=row[1], parent=row[2], total=value("total"), base=value("base"),
            bonus=value("bonus"), penalty=value("penalty"),
            items=tuple(item(i) for i in self.policy.items), sections=tuple(section(s) for s in self.policy.sections),
            vetoes=vetoes, grade=value("grade") if self.policy.bands else None, cut=value("cut"),
            eligible=value("eligible") if self.policy.eligibility is not None else None,
            ranks=() if needs_settling(self.policy) else ranks)


def settled_results(compiled: CompiledPolicy, rows: Sequence[tuple], units: Sequence[Unit]) -> Settled:
    """The query's rows as settled results; failed units scored again by the interpreter for
    the reason (and any it can score after all are reported as engine errors)."""
    results, failed = compiled.results(rows)
    reasons = []
    if failed:
        by_name = {u.name: u for u in units}
        interpreter = Interpreter(compiled.policy, compiled.params, population=units)
        for name in failed:
            try:
                interpreter.evaluate(by_name[name])
                reasons.append((name, "编译引擎无法计算这个单位，解释器却可以：请报告此问题"))
            except Exception as error:  # the reason the interpreter gives, e.g. 除数为 0
                reasons.append((name, str(error)))
    if needs_settling(compiled.policy):
        settled = settle(compiled.policy, results, units, compiled.params)
    else:
        settled = Settled(tuple(results))
    return attrs.evolve(settled, failed=tuple(reasons))


def explained(compiled: UnitResult, reference: UnitResult) -> UnitResult:
    """A compiled result with the interpreter's explanation lines for the same unit; ranks,
    outcomes and vetoes passed down from other units stay as the settlement gave them."""
    own = {hit.name for hit in reference.vetoes}
    passed_down = tuple(hit for hit in compiled.vetoes if hit.name not in own)
    return attrs.evolve(compiled, items=reference.items, sections=reference.sections, lines=reference.lines,
                        cut_lines=reference.cut_lines, components=reference.components,
                        ineligible=reference.ineligible, vetoes=reference.vetoes + passed_down)


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
    units_table(connection, units, policy, "facts")
    return settled_results(compiled, run_duckdb(compiled, connection, row_order="_行"), units)


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
    if engine in ("duckdb", "auto") and not periods:
        try:
            compiled = CompiledPolicy(policy, params)
        except CompileError:
            if engine == "duckdb":
                raise
    elif engine == "duckdb":
        raise CompileError("编译引擎不支持「--facts-of」：请用 --engine interp")
    if compiled is not None and (engine == "duckdb" or _rows_at_least(path, AUTO_THRESHOLD)):
        return _score_compiled(compiled, path, explain)
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


def _score_compiled(compiled: CompiledPolicy, path: Path, explain: Collection[str] | bool) -> Scored:
    import duckdb

    from jhdsl.sqlfacts import load_facts_table, units_table

    connection = duckdb.connect()
    units: Sequence[Unit] | None = None
    if path.suffix.lower() in (".csv", ".parquet"):
        problems = tuple(load_facts_table(connection, path, compiled.policy, "facts"))
    else:
        table = load_facts(path, compiled.policy)
        units, problems = table.units, table.problems
        units_table(connection, units, compiled.policy, "facts")
    rows = run_duckdb(compiled, connection, row_order="_行")
    failed_at = compiled.position[("failed", 0)]
    needs_units = explain or needs_settling(compiled.policy) or any(row[failed_at] for row in rows)
    if needs_units and units is None:
        units = load_facts(path, compiled.policy).units
    settled = settled_results(compiled, rows, units or ())
    if explain:
        by_name = {u.name: u for u in units}
        interpreter = Interpreter(compiled.policy, compiled.params, population=units)
        results = tuple(explained(r, interpreter.evaluate(by_name[r.unit]))
                        if explain is True or r.unit in explain else r for r in settled.results)
        settled = attrs.evolve(settled, results=results)
    return Scored(settled, problems, "duckdb")
