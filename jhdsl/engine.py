"""Running a compiled plan on DuckDB (or Spark) and turning its rows back into results.

The compiled query gives every unit's total, item and section scores, vetoes, grade,
eligibility and ranks; the few units it could not compute (a division by zero) and any unit
whose explanation is asked for are scored again by the interpreter, which says why. Outcomes
handed out by rank (顺延 past earlier holders) and vetoes that climb to parent units are
settled by the same code as the interpreter's, on the compiled results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from jhdsl import ast
from jhdsl.compiler import compile_policy
from jhdsl.facts import Unit, Value
from jhdsl.interpreter import Interpreter, ItemResult, RankPlace, SectionResult, UnitResult, VetoHit, resolve_params
from jhdsl.ir import Plan
from jhdsl.outcomes import Settled, settle
from jhdsl.sql import build_query, output_name

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
        self.columns = [output_name(o) for o in self.plan.outputs]

    def sql(self, dialect: str = "duckdb", source: str = "facts", pretty: bool = False) -> str:
        return build_query(self.plan, source, dialect).sql(dialect=dialect, pretty=pretty)

    # rows → results
    def results(self, rows: Sequence[tuple]) -> tuple[list[UnitResult], list[str]]:
        """Result objects (without explanation lines) of the query's rows, and the units the
        query could not compute."""
        at = {name: 3 + i for i, name in enumerate(self.columns)}
        results, failed = [], []
        for row in rows:
            if row[at["failed_0"]]:
                failed.append(row[0])
                continue
            results.append(self.result(row, at))
        return results, failed

    def result(self, row: tuple, at: dict[str, int]) -> UnitResult:
        def value(role: str, index: int = 0):
            return row[at[f"{role}_{index}"]]

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


def run_duckdb(compiled: CompiledPolicy, connection, table: str = "facts") -> list[tuple]:
    """Every row of the compiled query over ``table`` in DuckDB, in the table's order."""
    return connection.sql(compiled.sql("duckdb", table)).fetchall()


def evaluate_duckdb(policy: ast.Policy, units: Sequence[Unit], params: Mapping[str, Value] | None = None,
                    connection=None) -> Settled:
    """Score ``units`` with the compiled DuckDB engine: the same results as
    :func:`jhdsl.outcomes.evaluate_all`, without explanation lines."""
    import duckdb

    from jhdsl.sqlfacts import units_table

    compiled = CompiledPolicy(policy, params)
    connection = connection or duckdb.connect()
    units_table(connection, units, policy, "facts")
    return settled_results(compiled, run_duckdb(compiled, connection), units)
