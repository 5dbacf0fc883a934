"""Helpers shared by the hand-worked tests of the seed schemes."""

from decimal import Decimal

from click.testing import CliRunner

from jhdsl.cli import main
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


def assert_cli_clean(policy, facts, scored: int, warnings: int = 0) -> None:
    """`jhdsl check` finds no errors (and this many warnings); `jhdsl eval` scores every unit."""
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(policy)])
    assert checked.exit_code == 0, checked.output
    assert f"共 0 个错误，{warnings} 个警告" in checked.output
    evaluated = runner.invoke(main, ["eval", str(policy), str(facts)])
    assert evaluated.exit_code == 0, evaluated.output
    assert f"已评分 {scored} 个单位，失败 0 个" in evaluated.output
