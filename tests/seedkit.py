"""Helpers shared by the hand-worked tests of the seed schemes."""

from decimal import Decimal


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
