"""Units per second of every engine, in one run, on the same facts: the reference interpreter
(with explanations), the compiled DuckDB query (all results; and only the columns the
hand-written query gives: total, base, bonus, penalty, vetoes, grade), the hand-written DuckDB
SQL and the hand-written numpy of bench/baselines.py — for wujin-2014 and a generated 500-item
policy, at 10^3 … 10^6 units — with each measurement's peak memory.

    python bench/compare.py [--sizes 1000,10000,100000,1000000] [--policies wujin-2014,generated-500]
                            [--interp-max 10000] [--repeat 3]

Each measurement runs in a fresh process, so that its peak memory (the process's maximum
resident set, facts included) is its own. Facts are generated once by bench/generate.py into
bench/data/ (Parquet) and loaded, outside the timed part, into a DuckDB table whose columns are
typed as ``jhdsl eval`` types the facts it reads (jhdsl.sqlfacts.table_type). A time is the best of
``--repeat`` runs. The interpreter is measured up to ``--interp-max`` units (it runs at a few
thousand units a second; 10^6 would take many minutes) and shown as "—" above.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
sys.path.insert(0, str(ROOT))  # one module each: baselines matches the rules of bench.generate's classes

from bench import baselines, generate  # noqa: E402
from jhdsl.display import render_table  # noqa: E402
from jhdsl.engine import CompiledPolicy  # noqa: E402
from jhdsl.pipeline import load_policy  # noqa: E402
from jhdsl.sqlfacts import table_type  # noqa: E402

ENGINES = ("interp", "duckdb", "duckdb-summary", "sql", "numpy")
HEADERS = {
    "interp": "解释器（含说明）",
    "duckdb": "编译 DuckDB（全部结果）",
    "duckdb-summary": "编译 DuckDB（同手写的列）",
    "sql": "手写 DuckDB SQL",
    "numpy": "手写 numpy",
}


def policy_path(name: str) -> Path:
    if name == "generated-500":
        path = DATA / "generated-500.jhp"
        if not path.exists():
            DATA.mkdir(exist_ok=True)
            path.write_text(generate.generated_policy_text(500, 0), encoding="utf-8")
        return path
    return ROOT / "policies" / f"{name}.jhp"


def facts_path(name: str, size: int) -> Path:
    path = DATA / f"{name}-{size}.parquet"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        generate.write_facts(load_policy(policy_path(name)).policy, path, size)
    return path


def facts_connection(name: str, size: int) -> duckdb.DuckDBPyConnection:
    """A DuckDB database holding the facts as the table ``facts``, each fact's column typed as
    ``jhdsl eval`` types it (所属县区 and 上级单位 NULL when the facts have none)."""
    connection = duckdb.connect()
    types = {column: table_type(kind) for column, kind in fact_kinds(load_policy(policy_path(name)).policy).items()}
    parquet = f"read_parquet('{facts_path(name, size)}')"
    present = connection.sql(f"SELECT * FROM {parquet} LIMIT 0").columns
    columns = [f'CAST("{c}" AS {types[c]}) AS "{c}"' if c in types else f'"{c}"' for c in present]
    columns += [f'NULL::VARCHAR AS "{c}"' for c in ("所属县区", "上级单位") if c not in present]
    connection.execute(f"CREATE TABLE facts AS SELECT {', '.join(columns)} FROM {parquet}")
    return connection


def fact_kinds(policy) -> dict[str, str]:
    """Each facts column of ``policy`` (one per member of a fact kept per member) and its kind."""
    lists = {li.name: li.members for li in policy.lists}
    return {f"{fact.name}[{member}]" if member else fact.name: fact.type.kind for fact in policy.facts
            for member in (lists.get(fact.keyed_by, ()) if fact.keyed_by else (None,))}


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(engine: str, name: str, size: int, repeat: int) -> float:
    """Seconds for one engine to score ``size`` units of policy ``name``."""
    policy = load_policy(policy_path(name)).policy
    connection = facts_connection(name, size)
    if engine == "interp":
        from jhdsl.engine import units_from_table
        from jhdsl.outcomes import evaluate_all

        connection.execute('ALTER TABLE facts ADD COLUMN "_行" INTEGER DEFAULT 0')
        units = units_from_table(connection, policy)
        return best_of(repeat, lambda: evaluate_all(policy, units))
    if engine in ("duckdb", "duckdb-summary"):
        query = CompiledPolicy(policy).sql("duckdb", "facts")
        if engine == "duckdb-summary":
            columns = [c for c in connection.sql(f"SELECT * FROM ({query}) LIMIT 0").columns
                       if c in ("单位", "总分", "基础分", "加分", "减分", "等次") or c.startswith("一票否决:")]
            query = f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} FROM ({query})"
    elif engine == "sql":
        query = baselines.wujin_sql("facts") if name == "wujin-2014" else baselines.generated_sql(
            generate.generate(500, 0)[1], "facts")
    else:
        columns = baselines.numpy_columns(connection.sql("SELECT * FROM facts").to_arrow_table())
        if name == "wujin-2014":
            return best_of(repeat, lambda: baselines.wujin_numpy(columns))
        spec = generate.generate(500, 0)[1]
        return best_of(repeat, lambda: baselines.generated_numpy(spec, columns))
    return best_of(repeat, lambda: connection.execute(f"CREATE OR REPLACE TEMP TABLE results AS {query}"))


def measured(engine: str, name: str, size: int, repeat: int) -> dict:
    """One measurement in a fresh process: seconds and peak memory in MB."""
    command = [sys.executable, __file__, "--one", engine, name, str(size), "--repeat", str(repeat)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "失败"}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--policies", default="wujin-2014,generated-500")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--interp-max", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=3, metavar=("ENGINE", "POLICY", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, name, size = args.one
        seconds = measure(engine, name, int(size), args.repeat)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "peak_mb": peak}))
        return
    engines = args.engines.split(",")
    rows = []
    for name in args.policies.split(","):
        for size in map(int, args.sizes.split(",")):
            facts_path(name, size)
            row = [name, f"{size:,}"]
            figures = {}
            for engine in engines:
                if engine == "interp" and size > args.interp_max:
                    row.append("—")
                    continue
                result = measured(engine, name, size, args.repeat)
                if "error" in result:
                    row.append(f"失败：{result['error'][:40]}")
                    continue
                figures[engine] = result["seconds"]
                row.append(f"{size / result['seconds']:,.0f}/s  {result['peak_mb']:,.0f} MB")
            ratio = figures.get("duckdb-summary", 0) / figures["sql"] if figures.get("sql") else None
            row.append(f"{ratio:.2f}×" if ratio else "—")
            rows.append(row)
            print(render_table(["政策", "单位数", *(HEADERS[e] for e in engines), "编译/手写 SQL 用时"], rows),
                  flush=True)
            print()


if __name__ == "__main__":
    main()
