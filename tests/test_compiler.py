"""The compiled engine on its own terms: exact division, whole steps, division by zero, the
SQL of every dialect, and the ``compile`` and ``eval --engine`` commands. Expected values are
worked by hand; the differential tests (test_differential.py) compare it with the interpreter
on many generated units."""

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from click.testing import CliRunner

from jhdsl.cli import main
from jhdsl.engine import CompiledPolicy, evaluate_duckdb
from jhdsl.facts import Unit
from jhdsl.ir import DIALECTS
from jhdsl.pipeline import check_text

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.jhp"))

RATIO = """考核 比值
  满分 100分

事实
  分子: 数值
  分母: 数值
  件数: 整数

项目 比值 100分
  初始 0分
  按 分子 / 分母 每 1 计 1分
  按 件数 每满 3件 计 10分
"""


def policy_of(text: str):
    loaded = check_text(text, "比值.jhp")
    assert not loaded.errors, loaded.errors
    return loaded.policy


def unit(name: str, top: str, bottom: str, count: int = 0) -> Unit:
    return Unit(name, {"分子": Decimal(top), "分母": Decimal(bottom), "件数": Decimal(count)})


def scores(units):
    settled = evaluate_duckdb(policy_of(RATIO), units)
    return {r.unit: r.total for r in settled.results}, dict(settled.failed)


def test_a_division_that_does_not_end_is_rounded_half_up_at_18_places():
    totals, failed = scores([unit("三分之一", "1", "3"), unit("三分之二", "2", "3"), unit("七分之一", "1", "7")])
    assert not failed
    assert totals["三分之一"] == Decimal("0.333333333333333333")  # …3|33 rounds down
    assert totals["三分之二"] == Decimal("0.666666666666666667")  # …6|66 rounds up
    assert totals["七分之一"] == Decimal("0.142857142857142857")  # 0.142857 142857 142857|142… rounds down


def test_a_negative_quotient_rounds_away_from_zero_and_counts_as_zero_steps():
    # per_step takes a negative measure as 0: −2/3 of a step gives 0 points, whatever the rounding
    totals, _ = scores([unit("负", "-2", "3")])
    assert totals["负"] == 0


def test_a_division_that_ends_is_exact():
    totals, _ = scores([unit("整除", "7.5", "2.5"), unit("小数", "1", "8")])
    assert totals["整除"] == 3  # 7.5 ÷ 2.5 = 3
    assert totals["小数"] == Decimal("0.125")  # 1 ÷ 8


def test_whole_steps_count_only_complete_steps():
    # 8 件 hold two whole steps of 3: 2 × 10 = 20; plus 1 ÷ 1 = 1 from the ratio
    totals, _ = scores([unit("八件", "1", "1", 8), unit("九件", "1", "1", 9)])
    assert totals["八件"] == 21
    assert totals["九件"] == 31  # three whole steps: 30 + 1


def test_division_by_zero_fails_only_that_unit_with_the_interpreters_reason():
    totals, failed = scores([unit("好", "1", "2"), unit("零", "1", "0")])
    assert totals == {"好": Decimal("0.5")}
    assert "除数为 0" in failed["零"]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_every_policy_compiles_to_sql_that_reads_back_in_its_dialect(path, dialect):
    from jhdsl.pipeline import load_policy

    compiled = CompiledPolicy(load_policy(path).policy)
    text = compiled.sql(dialect)
    parsed = sqlglot.parse_one(text, read=dialect)
    assert parsed.find(sqlglot.exp.With) is not None
    assert "总分" in [e.alias_or_name for e in parsed.expressions]


def test_the_duckdb_query_of_a_policy_runs_on_a_plain_facts_table():
    # the printed query, run by hand in DuckDB over a table like the docs describe
    from jhdsl.pipeline import load_policy

    compiled = CompiledPolicy(load_policy(ROOT / "policies" / "group-selfcheck.jhp").policy)
    connection = duckdb.connect()
    facts = ", ".join(f'NULL::{"BOOLEAN" if t.kind == "bool" else "DECIMAL(18,6)"} AS "{n}"'
                      for n, t in compiled.plan.facts.items())
    connection.execute(f"""CREATE TABLE facts AS SELECT '甲' AS "单位", NULL::VARCHAR AS "所属县区",
                           NULL::VARCHAR AS "上级单位", {facts}""")
    row = connection.execute(compiled.sql("duckdb")).fetchone()
    assert row[0] == "甲"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_compile_prints_the_facts_columns_and_the_query():
    result = run("compile", ROOT / "policies" / "wujin-2014.jhp", "--dialect", "spark", "--table", "各镇")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("-- 武进区2014年人口和计划生育岗位责任百分考核办法")
    assert "-- 事实表「各镇」的列：单位、所属县区、上级单位、党政领导重视达到要求" in result.output
    assert "FROM `各镇`" in result.output


def test_compile_refuses_a_broken_policy_and_an_unknown_dialect(tmp_path):
    broken = tmp_path / "坏.jhp"
    broken.write_text("考核 坏\n项目 甲 10分\n  计分 3分 若 不存在的事实\n", encoding="utf-8")
    assert run("compile", broken).exit_code == 1
    result = run("compile", ROOT / "policies" / "wujin-2014.jhp", "--dialect", "oracle")
    assert result.exit_code == 2


@pytest.mark.parametrize("output_format", ["table", "csv"])
@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_eval_prints_the_same_on_both_engines(path, output_format):
    facts = ROOT / "examples" / path.stem / "units.csv"
    interp = run("eval", path, facts, "--engine", "interp", "--format", output_format)
    compiled = run("eval", path, facts, "--engine", "duckdb", "--format", output_format)
    assert compiled.exit_code == interp.exit_code
    assert compiled.output.replace("（编译引擎 DuckDB）", "") == interp.output


def test_explain_of_one_unit_comes_from_the_interpreter():
    path = ROOT / "policies" / "wujin-2014.jhp"
    facts = ROOT / "examples" / "wujin-2014" / "units.csv"
    interp = run("eval", path, facts, "--engine", "interp", "--explain", "--unit", "洛阳镇")
    compiled = run("eval", path, facts, "--engine", "duckdb", "--explain", "--unit", "洛阳镇")
    assert "计满为止" in interp.output or "扣" in interp.output
    assert compiled.output.replace("（编译引擎 DuckDB）", "") == interp.output


def test_auto_compiles_a_large_facts_file(tmp_path):
    path = ROOT / "policies" / "wujin-2014.jhp"
    lines = (ROOT / "examples" / "wujin-2014" / "units.csv").read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], lines[1:]
    big = [header] + [f"{row.split(',', 1)[0]}#{i},{row.split(',', 1)[1]}"
                      for i in range(2000 // len(rows) + 1) for row in rows]
    facts = tmp_path / "各镇.csv"
    facts.write_text("\n".join(big) + "\n", encoding="utf-8")
    result = run("eval", path, facts, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert f"已评分 {len(big) - 1} 个单位（编译引擎 DuckDB），失败 0 个" in result.output
    small = run("eval", path, ROOT / "examples" / "wujin-2014" / "units.csv")
    assert "编译引擎" not in small.output


BOUNDED = """考核 封顶
  满分 10分

事实
  甲: 是否
  乙: 是否
  次数: 整数
  得分: 数值 范围 0 至 2

项目 大类 10分
  项目 两条 4分
    计分 3分 若 甲
    计分 1分 若 乙
  项目 按次 4分
    按 次数 每 1次 计 2分
  项目 自报 2分
    初始 0分
    按 得分 每 1 计 1分
"""


def _clamps(query: sqlglot.exp.Expression) -> list[str]:
    return [node.sql("duckdb") for node in query.find_all(sqlglot.exp.Least, sqlglot.exp.Greatest)]


def test_a_cap_that_no_unit_can_reach_is_not_computed():
    # 两条: 3 + 1 = 4 ≤ 4分; 自报: 得分 ≤ 2 (its 范围) gives at most 2 ≤ 2分; 大类: 4 + 4 + 2 = 10 ≤ 10分;
    # only 按次 can pass its points (次数 has no upper bound): one LEAST(…, 4) and no GREATEST
    # (counts are ≥ 0, so no score here can fall below 0)
    compiled = CompiledPolicy(policy_of(BOUNDED))
    clamps = _clamps(sqlglot.parse_one(compiled.sql("duckdb"), read="duckdb"))
    assert len(clamps) == 1 and clamps[0].startswith("LEAST(") and "4 AS DECIMAL" in clamps[0]


def test_scores_are_held_to_their_caps_where_they_can_pass_them():
    # 甲 and 乙 hold: 3 + 1 = 4; 次数 5: 5 × 2 = 10, held to 4; 得分 2: 2 × 1 = 2 → 4 + 4 + 2 = 10
    # 次数 1: 2 (under the cap); 得分 0.5: 0.5 → 0 + 2 + 0.5 = 2.5
    units = [Unit("满", {"甲": True, "乙": True, "次数": Decimal(5), "得分": Decimal(2)}),
             Unit("少", {"甲": False, "乙": False, "次数": Decimal(1), "得分": Decimal("0.5")})]
    totals = {r.unit: r.total for r in evaluate_duckdb(policy_of(BOUNDED), units).results}
    assert totals == {"满": Decimal(10), "少": Decimal("2.5")}


def test_a_value_is_cast_only_where_the_plans_type_saves_bits_or_places_differ():
    from jhdsl.ir import decimal_type
    from jhdsl.sql import needs_cast

    # DuckDB stores up to 4, 9, 18 digits in 16, 32, 64 bits: DECIMAL(3,0) → DECIMAL(2,0) stays in 16
    assert not needs_cast(decimal_type(2, 0), decimal_type(3, 0))
    # a sum of two DECIMAL(18,6) has 19 digits and 6 places: 25 in all, 128 bits; the plan's 13 fit in 64
    assert needs_cast(decimal_type(7, 6), decimal_type(19, 6))
    # places differ (a CASE of 1.5 and 0 is DECIMAL(2,1); the plan says 2 places): cast
    assert needs_cast(decimal_type(2, 2), decimal_type(1, 1))
    assert not needs_cast(decimal_type(2, 1), decimal_type(2, 1))


def _totals(text: str, units: list[Unit]) -> dict[str, Decimal]:
    return {r.unit: r.total for r in evaluate_duckdb(policy_of(text), units).results}


def test_an_extreme_of_values_with_many_places_keeps_every_place():
    # 甲: a ÷ b = 1 ÷ 3 = 0.333333333333333333 (18 places), 减半 → 0.1666666666666666665 (19 places);
    # 乙: 1 ÷ 6 = 0.166666666666666667, not halved. 取最高 of that and the child section (0):
    # 甲 10.1666666666666666665 < 乙 10.166666666666666667 — a GREATEST that dropped a place would tie them
    text = """考核 就高
事实
  a: 数值
  b: 数值
  c: 数值
  k: 是否
项目 基 10分
  计分 10分
加分 奖 上限 5分 取最高
  按 a / b 每 1 加分 1分 减半 若 k
  加分 子 上限 3分
    按 c / b 每 1 加分 2分
"""
    units = [Unit("甲", {"a": Decimal(1), "b": Decimal(3), "c": Decimal(0), "k": True}),
             Unit("乙", {"a": Decimal(1), "b": Decimal(6), "c": Decimal(0), "k": False})]
    assert _totals(text, units) == {"甲": Decimal("10.1666666666666666665"), "乙": Decimal("10.166666666666666667")}


def test_a_quotient_rounded_up_past_its_bounds_still_fits():
    # x × y = 6499.384671 × 6154.428769 = 39999999.999999999999; ÷ 4000000 = 9.99999999999999999975,
    # rounded half-up at 18 places: 10.000000000000000000 ≥ 10 → 1分 (the bounds of x and y say < 10)
    text = """考核 进位
事实
  x: 数值 范围 0 至 6499.384671
  y: 数值 范围 0 至 6154.428769
项目 a 10分
  计分 1分 若 x * y / 4000000 >= 10
"""
    assert _totals(text, [Unit("甲", {"x": Decimal("6499.384671"), "y": Decimal("6154.428769")})]) == {"甲": 1}


def test_a_product_whose_bounds_are_zero_still_reads_its_other_factor_whole():
    # x can only be 0, so y × x is 0 whatever y: not > 0, 0分; y has 9 digits the product's bounds do not need
    text = """考核 零
事实
  x: 数值 范围 0 至 0
  y: 数值
项目 a 10分
  计分 1分 若 y * x > 0
"""
    assert _totals(text, [Unit("甲", {"x": Decimal(0), "y": Decimal(123456789)})]) == {"甲": 0}


def test_a_division_by_one_is_rounded_like_every_division():
    # 按 a / b 每 1 计 0.25分: 1 ÷ 3 = 0.333333333333333333; × 0.25 = 0.08333333333333333325; ÷ 1 (the step)
    # rounds half-up at 18 places: 0.083333333333333333
    text = """考核 除一
事实
  a: 数值
  b: 数值
项目 a 10分
  按 a / b 每 1 计 0.25分
"""
    assert _totals(text, [Unit("甲", {"a": Decimal(1), "b": Decimal(3)})]) == {"甲": Decimal("0.083333333333333333")}
