"""The differential test at scale: the compiled DuckDB engine against the interpreter on many
generated units per policy, unit by unit and field by field (as tests/test_differential.py).

    python bench/differential.py                      # 1,000,000 units of wujin-2014
    python bench/differential.py --units 50000 --policies all --jobs 2
    python bench/differential.py --policies city-township-a,kaifeng-2018 --all-params

The units are made by tests/difftools.py: facts on, just above and just below every threshold
the policy tests them against, mixed with random values over each fact's whole range. They
are scored in chunks (``--chunk``, each chunk its own population for rankings, outcomes and
平均/最高/名次): the interpreter scores a few thousand units a second, and settling rankings
and outcomes takes time that grows faster than the number of units, so one chunk of a million
would never finish. Each chunk goes through ``jhdsl.engine.evaluate_duckdb`` itself.

Prints progress per chunk, then per policy the units compared, the units that failed on
both sides (a division by zero), and the mismatches, the first few in full with the unit's
facts. Exits with 1 when any mismatch was found.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import difftools  # noqa: E402  (tests/ holds the generator shared with the tests)

from jhdsl.engine import evaluate_duckdb  # noqa: E402
from jhdsl.outcomes import evaluate_all  # noqa: E402

SHOWN = 5
"""Mismatches printed in full per policy."""


def run_chunk(path: Path, params_index: int, size: int, seed: int) -> tuple[int, int, list[str], list]:
    """Score one chunk both ways: (units, failed units, reports of mismatches, mismatches)."""
    policy = difftools.policy_at(path)
    params = difftools.param_sets(policy)[params_index]
    units = difftools.random_units(path, params, size, seed)
    expected = evaluate_all(policy, units, params)
    actual = evaluate_duckdb(policy, units, params)
    mismatches = difftools.compare(expected, actual)
    reports = [difftools.report(mismatches, units, "duckdb", SHOWN)] if mismatches else []
    return len(units), len(expected.failed), reports, [(m.unit, m.field) for m in mismatches]


def chunks(total: int, size: int) -> list[int]:
    return [min(size, total - start) for start in range(0, total, size)]


def compare_policy(path: Path, params_index: int, total: int, chunk: int, seed: int, jobs: int) -> int:
    """Compare ``total`` units of one policy under one set of parameters; the mismatches."""
    policy = difftools.policy_at(path)
    label = f"{path.stem}[{difftools.params_label(policy, difftools.param_sets(policy)[params_index])}]"
    sizes = chunks(total, chunk)
    done = failed = found = 0
    reports: list[str] = []
    start = time.perf_counter()
    work = [(path, params_index, size, seed + number) for number, size in enumerate(sizes)]
    with ProcessPoolExecutor(jobs) if jobs > 1 else _Inline() as pool:
        for units, failures, texts, mismatches in pool.map(run_chunk, *zip(*work, strict=True)):
            done += units
            failed += failures
            found += len(mismatches)
            reports += texts
            elapsed = time.perf_counter() - start
            rate = done / elapsed if elapsed else 0.0
            left = (total - done) / rate if rate else 0.0
            print(f"{label}: {done:,}/{total:,} units, {found} mismatches, {failed:,} failed on both, "
                  f"{rate:,.0f} units/s, about {left / 60:.1f} min left", flush=True)
    print(f"== {label}: {done:,} units compared, {found} mismatches, {failed:,} units failed "
          f"(the same on both), {time.perf_counter() - start:.0f} s", flush=True)
    for text in reports[:SHOWN]:
        print(text, flush=True)
    return found


class _Inline:
    """A pool of one: chunks run in this process, one after another."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc) -> None:
        return None

    @staticmethod
    def map(function, *iterables):
        return map(function, *iterables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000_000, help="units per policy (default 1,000,000)")
    parser.add_argument("--policies", default="wujin-2014",
                        help="comma-separated names of policies under policies/ or tests/policies/, "
                             "or 'all' (default wujin-2014)")
    parser.add_argument("--chunk", type=int, default=10_000, help="units scored at once (default 10,000)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the first chunk")
    parser.add_argument("--jobs", type=int, default=1, help=f"chunks run at once (this machine has {os.cpu_count()} cores)")
    parser.add_argument("--all-params", action="store_true",
                        help="also every other value of each parameter (as many units each)")
    args = parser.parse_args(argv)

    known = {p.stem: p for p in difftools.POLICIES + difftools.EXTRA}
    names = list(known) if args.policies == "all" else [n.strip() for n in args.policies.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"no such policy: {', '.join(unknown)} (known: {', '.join(known)})")
    total_units = total_mismatches = 0
    for name in names:
        path = known[name]
        count = len(difftools.param_sets(difftools.policy_at(path))) if args.all_params else 1
        for index in range(count):
            total_mismatches += compare_policy(path, index, args.units, args.chunk, args.seed, args.jobs)
            total_units += args.units
    print(f"总计：{total_units:,} units compared, {total_mismatches} mismatches")
    return 1 if total_mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
