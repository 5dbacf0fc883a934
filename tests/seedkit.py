"""Helpers shared by the hand-worked tests of the seed schemes."""

from decimal import Decimal

from jhdsl.facts import load_facts
from jhdsl.outcomes import evaluate_all


def D(value) -> Decimal:
    """An exact expected number: D(92.1) is Decimal("92.1"), never the float's binary value."""
    return Decimal(str(value))


def find_node(nodes, name: str):
    """The one item (or section) called ``name`` anywhere in a result tree."""
    found = []

    def walk(level):
        for node in level:
            if node.name == name:
                found.append(node)
            walk(node.children)

    walk(nodes)
    assert len(found) == 1, f"{name!r}: found {len(found)}"
    return found[0]


def settle_example(loaded, facts_path):
    """Score a shipped example's units under a loaded policy; its facts must read cleanly."""
    table = load_facts(facts_path, loaded.policy)
    assert [p.describe() for p in table.problems] == []
    return evaluate_all(loaded.policy, table.units)


def by_unit(settled) -> dict:
    """The settled results keyed by unit name."""
    return {r.unit: r for r in settled.results}
