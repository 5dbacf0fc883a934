"""Units per second of the reference interpreter (with explanations) and of the stage after it
(rankings, outcomes), on every shipped policy's example repeated to the sizes asked for.

    python bench/interpreter.py [--sizes 1000,10000]

Prints one table row per policy and size. The compiled engines of a later version will be
measured by this script too, in the same run, against the same units.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import attrs

from jhdsl.display import render_table
from jhdsl.facts import load_facts
from jhdsl.interpreter import Interpreter
from jhdsl.outcomes import settle
from jhdsl.pipeline import load_policy

ROOT = Path(__file__).resolve().parent.parent


def units_of(scheme: str, size: int):
    loaded = load_policy(ROOT / "policies" / f"{scheme}.jhp")
    table = load_facts(ROOT / "examples" / scheme / "units.csv", loaded.policy)
    base = list(table.units)
    units = [attrs.evolve(base[i % len(base)], name=f"{base[i % len(base)].name}#{i}") for i in range(size)]
    return loaded.policy, units


def measure(scheme: str, size: int) -> list[str]:
    policy, units = units_of(scheme, size)
    interpreter = Interpreter(policy, population=units)
    start = time.perf_counter()
    results = [interpreter.evaluate(u) for u in units]
    scored = time.perf_counter() - start
    start = time.perf_counter()
    settle(policy, results, units)
    settled = time.perf_counter() - start
    return [scheme, f"{size:,}", f"{size / scored:,.0f}", f"{size / (scored + settled):,.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of units")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    schemes = sorted(p.stem for p in (ROOT / "policies").glob("*.jhp"))
    rows = [measure(scheme, size) for scheme in schemes for size in sizes]
    print(render_table(["政策", "单位数", "解释器 单位/秒", "含排名结果 单位/秒"], rows, right={1, 2, 3}))


if __name__ == "__main__":
    main()
