"""The compiled plan on Spark (local mode) against the interpreter, unit by unit.

Spark reads the facts as the compiled engine hands them over: the DuckDB table that
:func:`jhdsl.sqlfacts.units_table` builds, as an Arrow table of the same columns. The query
is the same plan printed for Spark's dialect, so this catches what differs between the two
engines (decimal typing, integer division, ANSI overflow, window order, NULL handling), which
the DuckDB tests cannot see.

Every policy is run on its example facts and on a few hundred generated units; wujin-2014 and
city-township-a, the largest plan and the one with the most rankings and outcomes, on more.
No shipped policy divides by anything but a power of ten, so the example policies of the
language reference whose plans divide the long way (a fact, a step of 3, an average) are run
too: that is where the engines' integer and decimal types differ most.
Java is required: without it the tests fail (CI installs it), they are not skipped.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from difftools import (
    EXTRA,
    POLICIES,
    ROOT,
    Compiled,
    DocPolicy,
    assert_same,
    doc_policies,
    param_sets,
    params_label,
    policy_at,
    random_units,
    run_engine,
    walk,
)

from jhdsl.compiler import CompileError
from jhdsl.engine import CompiledPolicy, run_spark, settled_results, spark_session
from jhdsl.facts import Unit, load_facts
from jhdsl.ir import Call
from jhdsl.outcomes import evaluate_all
from jhdsl.sqlfacts import units_table

GENERATED = int(os.environ.get("JHDSL_SPARK_UNITS", "300"))
MAIN = {"wujin-2014": 2, "city-township-a": 2}
"""Policies run on more generated units: this many batches of GENERATED."""


def java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


@pytest.fixture(scope="module")
def spark():
    if not java_found():
        pytest.fail("Spark needs Java 17 or later and none was found (no `java` on PATH, no JAVA_HOME): "
                    "install it, e.g. `apt-get install default-jre-headless` as .ci/run does", pytrace=False)
    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("OFF")  # a failed query is reported by the test itself
    yield session
    session.stop()


def spark_rows(session, compiled: CompiledPolicy, units: list[Unit]) -> list[tuple]:
    """The query's rows on Spark, the facts passed as the Arrow table of the DuckDB facts table."""
    connection = duckdb.connect()
    try:
        units_table(connection, units, compiled.policy, "facts", rows=range(1, len(units) + 1))
        facts = connection.sql('SELECT * FROM "facts"').to_arrow_table()
    finally:
        connection.close()
    return run_spark(compiled, session, facts)


def on_spark(session, path: Path, params, units: list[Unit]):
    """Settled results of ``units`` computed on Spark; when Spark cannot run the query at all
    (it raises, e.g. on an overflow under ANSI mode), the failure names the unit behind it."""
    compiled = Compiled(policy_at(path), params)
    return run_engine(lambda some: settled_results(compiled, spark_rows(session, compiled, some), some, words=False),
                      units, "spark", compiled.policy, params)


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in POLICIES])
def test_example_facts(spark, path: Path) -> None:
    policy = policy_at(path)
    units = list(load_facts(ROOT / "examples" / path.stem / "units.csv", policy).units)
    params = param_sets(policy)[0]
    assert_same(evaluate_all(policy, units, params), on_spark(spark, path, params, units), units, "spark")


@pytest.mark.parametrize(("path", "params"), [
    pytest.param(p, params, id=f"{p.stem}-{i}")
    for p in POLICIES for i, params in enumerate(param_sets(policy_at(p))[:2])])
def test_generated(spark, path: Path, params) -> None:
    """Generated units (with the same thresholds as the DuckDB tests) under the default
    parameters and one other value of the first parameter."""
    policy = policy_at(path)
    batches = MAIN.get(path.stem, 1)
    for number in range(batches):
        units = random_units(path, params, GENERATED, 1000 + number)
        expected = evaluate_all(policy, units, params)
        assert_same(expected, on_spark(spark, path, params, units), units,
                    f"spark（{params_label(policy, params)}）")


def long_division(doc: DocPolicy) -> bool:
    """Whether a policy's plan divides the long way (by a fact, or by a step such as 3)."""
    if doc.name == "两期.jhp":
        return False  # needs another period's facts, which the compiled engines refuse
    try:
        plan = CompiledPolicy(policy_at(doc.path)).plan
    except CompileError:
        return False
    return any(isinstance(node, Call) and node.op == "div" for node in walk(plan.bindings))


DIVIDING = [pytest.param(d.path, d.line, id=d.id) for d in doc_policies() if long_division(d)]
DIVIDING += [pytest.param(p, 0, id=p.stem) for p in EXTRA]


@pytest.mark.parametrize(("path", "seed"), DIVIDING)
def test_divisions(spark, path: Path, seed: int) -> None:
    """The reference's policies whose plans divide the long way, and those of tests/policies/."""
    policy = policy_at(path)
    params = param_sets(policy)[0]
    units = random_units(path, params, GENERATED, seed)
    assert_same(evaluate_all(policy, units, params), on_spark(spark, path, params, units), units, "spark")
