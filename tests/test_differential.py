"""The compiled DuckDB engine against the interpreter, unit by unit, on every shipped policy.

The interpreter defines what a policy means; ``jhdsl.engine.evaluate_duckdb`` must give the
same total, base, bonus, penalty, cut, item scores, section amounts, vetoes, grade,
eligibility, ranks, outcomes and failed units, exactly (Decimals equal in value, nothing
rounded away). The units are made by ``difftools`` with facts that sit on, just above and
just below every threshold the policy tests them against.

The shipped policies never divide by a fact nor by large amounts, so tests/policies/ adds
policies written for these tests that do (the reference's examples are in
test_differential_docs.py).

Three kinds of test:

- the shipped example facts of each policy (real data, cheap);
- bulk batches (``slow``, still run in CI): 10,000 units per policy under its default
  parameters and 2,000 under each other value of each parameter, made by a seeded generator,
  because hypothesis takes seconds per example at that size;
- hypothesis batches of up to 15 units, which shrink a failure down to a minimal unit. These
  build the query once per policy and parameters (``DuckRunner``) instead of calling
  ``evaluate_duckdb`` per example: building the query text alone takes up to seconds for
  the larger policies.

``JHDSL_DIFF_UNITS`` and ``JHDSL_DIFF_EXAMPLES`` raise the counts for a deeper search.
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from pathlib import Path

import pytest
from difftools import (
    EXTRA,
    POLICIES,
    ROOT,
    assert_same,
    check_hypothesis_batches,
    param_sets,
    params_label,
    policy_at,
    random_units,
    run_engine,
    unit_maker,
)

from jhdsl.engine import evaluate_duckdb
from jhdsl.facts import load_facts
from jhdsl.outcomes import evaluate_all

BULK_UNITS = int(os.environ.get("JHDSL_DIFF_UNITS", "10000"))
"""Units per policy under its default parameters."""
VARIANT_UNITS = max(BULK_UNITS // 5, 100)
"""Units under each other value of a parameter."""
SETTLING_BATCH = 2500
"""Policies with rankings or outcomes are run in batches of this size: settling them
(jhdsl.outcomes) takes time that grows faster than the number of units."""
EXAMPLES = int(os.environ.get("JHDSL_DIFF_EXAMPLES", "25"))
BATCH = 15
"""Units in a hypothesis batch at most: more find more per example, but a failure found in a
long batch takes minutes to shrink (each step runs both engines)."""

CASES = [pytest.param(path, params, id=f"{path.stem}-{index}")
         for path in POLICIES + EXTRA for index, params in enumerate(param_sets(policy_at(path)))]
"""Each policy under each set of parameters: -0 the defaults, -1… one parameter changed."""
BY_POLICY = [pytest.param(path, id=path.stem) for path in POLICIES]
GENERATED = [pytest.param(path, id=path.stem) for path in POLICIES + EXTRA]


def seed_of(path: Path, params) -> int:
    """A seed fixed per policy and parameters, so that a failure repeats."""
    return zlib.crc32(f"{path.stem}{sorted(params.items())}".encode())


def batches(path: Path, total: int) -> list[int]:
    """How ``total`` units are split into runs of the engines."""
    policy = policy_at(path)
    size = SETTLING_BATCH if policy.rankings or policy.outcomes else total
    return [min(size, total - start) for start in range(0, total, size)]


@pytest.mark.parametrize("path", BY_POLICY)
def test_example_facts(path: Path) -> None:
    """The policy's own example facts, as shipped."""
    policy = policy_at(path)
    units = load_facts(ROOT / "examples" / path.stem / "units.csv", policy).units
    assert units
    params = param_sets(policy)[0]
    actual = run_engine(lambda some: evaluate_duckdb(policy, some, params), units, "duckdb", policy, params)
    assert_same(evaluate_all(policy, units, params), actual, units, "duckdb")


@pytest.mark.slow
@pytest.mark.parametrize(("path", "params"), CASES)
def test_bulk(path: Path, params) -> None:
    """Thousands of generated units, run through ``evaluate_duckdb`` itself."""
    policy = policy_at(path)
    engine = f"duckdb（参数：{params_label(policy, params)}）"
    total = BULK_UNITS if params == param_sets(policy)[0] else VARIANT_UNITS
    for number, size in enumerate(batches(path, total)):
        units = random_units(path, params, size, seed_of(path, params) + number)
        actual = run_engine(lambda some: evaluate_duckdb(policy, some, params), units, engine, policy, params)
        assert_same(evaluate_all(policy, units, params), actual, units, engine)


@pytest.mark.parametrize("path", GENERATED)
def test_hypothesis(path: Path) -> None:
    """Small batches under every set of parameters, shrunk to a minimal unit on failure."""
    check_hypothesis_batches(path, BATCH, EXAMPLES)


@pytest.mark.parametrize("path", GENERATED)
def test_generator_hits_every_threshold(path: Path) -> None:
    """The generator stays honest: in a bulk batch every exact threshold of every numeric
    fact is some unit's value, both answers of every 是否 and every choice of every 枚举
    occur, and so does a unit without a group."""
    policy = policy_at(path)
    params = param_sets(policy)[0]
    maker = unit_maker(path, tuple(params.items()))
    units = random_units(path, params, 3000, 7)
    seen: dict[str, Counter] = {f.name: Counter() for f in policy.facts}
    for unit in units:
        for name, value in unit.values.items():
            seen[name].update(value.values() if isinstance(value, dict) else [value])
    for fact in policy.facts:
        if fact.name in maker.ranges:
            wanted = set(maker.ranges[fact.name].exact)
        else:
            wanted = {False, True} if fact.type.kind == "是否" else set(fact.type.choices)
        missing = sorted(str(v) for v in wanted if not seen[fact.name][v])
        assert not missing, f"{fact.name}: never drawn {missing}"
    assert any(u.group is None for u in units)
