"""Fixtures shared by the tests of the seed schemes: a test module names its policy and its
example facts as POLICY and FACTS, and gets the policy loaded, the units settled, and the
results by unit name. A module may define its own fixtures of the same names instead."""

import pytest
from seedkit import by_unit, settle_example

from jhdsl.pipeline import load_policy


@pytest.fixture(scope="module")
def loaded(request):
    return load_policy(request.module.POLICY)


@pytest.fixture(scope="module")
def settled(request, loaded):
    return settle_example(loaded, request.module.FACTS)


@pytest.fixture(scope="module")
def results(settled):
    return by_unit(settled)
