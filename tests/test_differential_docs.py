"""The compiled DuckDB engine against the interpreter on every example policy of the language
reference (docs/language.md).

The shipped policies use only part of the language: none divides by a fact, none takes an
average or a place (平均, 名次), few use 每满, 分档, 不适用 or 就高. The reference has a short
policy for nearly every construct, so running them through the same comparison as
test_differential.py covers the rest of the compiler. A policy the compiled engine does not
support must be refused with a CompileError (and is then scored by the interpreter), never
scored differently.
"""

from __future__ import annotations

import os

import pytest
from difftools import (
    DocPolicy,
    assert_same,
    check_hypothesis_batches,
    doc_policies,
    param_sets,
    policy_at,
    random_units,
)

from jhdsl.compiler import CompileError
from jhdsl.engine import CompiledPolicy, evaluate_duckdb
from jhdsl.outcomes import evaluate_all

UNITS = int(os.environ.get("JHDSL_DIFF_DOC_UNITS", "1000"))
EXAMPLES = int(os.environ.get("JHDSL_DIFF_EXAMPLES", "25")) // 2

DOCS = [pytest.param(doc, id=doc.id) for doc in doc_policies()]


def compiles(doc: DocPolicy) -> bool:
    try:
        CompiledPolicy(policy_at(doc.path))
    except CompileError:
        return False
    return True


@pytest.mark.parametrize("doc", DOCS)
def test_generated(doc: DocPolicy) -> None:
    """A batch of generated units under every set of parameters."""
    policy = policy_at(doc.path)
    if not compiles(doc):
        with pytest.raises(CompileError):
            evaluate_duckdb(policy, random_units(doc.path, param_sets(policy)[0], 3, 0))
        return
    for number, params in enumerate(param_sets(policy)):
        units = random_units(doc.path, params, UNITS, doc.line + number)
        assert_same(evaluate_all(policy, units, params), evaluate_duckdb(policy, units, params), units, "duckdb")


@pytest.mark.parametrize("doc", [d for d in DOCS if compiles(d.values[0])])
def test_hypothesis(doc: DocPolicy) -> None:
    """Small batches, shrunk to a minimal unit on failure."""
    check_hypothesis_batches(doc.path, 20, EXAMPLES)
