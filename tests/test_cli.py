"""The ``jhdsl`` command as a user meets it: exit codes, Chinese messages, never a traceback."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jhdsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "wujin-2014.jhp"
FACTS = ROOT / "examples" / "wujin-2014" / "units.csv"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_clean_policy_exits_0():
    result = run("check", POLICY)
    assert result.exit_code == 0
    assert "共 0 个错误" in result.output


def test_misspelt_fact_is_reported_at_its_line_and_column_with_a_suggestion(tmp_path):
    lines = POLICY.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "计分 2分 若 出生政策符合率 >= 99%" in line)
    lines[number] = lines[number].replace("若 出生政策符合率", "若 出生政策符和率")
    broken = tmp_path / "wujin.jhp"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    column = lines[number].index("出生政策符和率") + 1
    result = run("check", broken)
    assert result.exit_code == 1
    assert f"wujin.jhp:{number + 1}:{column}: 错误[E201]: 未声明的事实「出生政策符和率」" in result.output
    assert "是否指「出生政策符合率」？" in result.output
    no_traceback(result)


def test_garbage_line_appended_is_reported_at_its_line(tmp_path):
    text = POLICY.read_text(encoding="utf-8")
    broken = tmp_path / "wujin.jhp"
    broken.write_text(text + "这是一行 垃圾 !!@@ 123\n", encoding="utf-8")
    last = len(text.splitlines()) + 1
    result = run("check", broken)
    assert result.exit_code == 1
    assert f"wujin.jhp:{last}:1: 错误" in result.output
    no_traceback(result)


def test_check_reports_every_file_and_every_error(tmp_path):
    a = tmp_path / "a.jhp"
    a.write_text("项目 甲 10分\n  计分3分\n  扣分 若\n", encoding="utf-8")
    b = tmp_path / "b.jhp"
    shutil.copy(POLICY, b)
    result = run("check", a, b)
    assert result.exit_code == 1
    assert "a.jhp:2:3" in result.output and "a.jhp:3:6" in result.output


def test_eval_prints_every_town_total_grade_and_veto():
    result = run("eval", POLICY, FACTS)
    assert result.exit_code == 0
    assert "已评分 14 个单位，失败 0 个" in result.output
    yaoguan = next(line for line in result.output.splitlines() if line.startswith("遥观镇"))
    assert "一票否决" in yaoguan and "重大责任事故" in yaoguan


def test_explain_shows_where_points_went():
    result = run("eval", POLICY, FACTS, "--explain", "--unit", "洛阳镇")
    assert result.exit_code == 0
    assert "【洛阳镇】 总分 87.50" in result.output
    assert "扣完为止" in result.output
    assert "出生政策符合率 = 98.6%" in result.output
    assert "湖塘镇" not in result.output


def test_broken_row_scores_all_others_and_names_it(tmp_path):
    lines = FACTS.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("出生政策符合率")] = "九十九"
    lines[3] = ",".join(cells)
    broken = tmp_path / "units.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("eval", POLICY, broken)
    assert result.exit_code == 1
    town = cells[0]
    assert f"单位「{town}」，事实「出生政策符合率」" in result.output and "九十九" in result.output
    assert f"已评分 13 个单位，失败 1 个（{town}）" in result.output
    no_traceback(result)


def test_json_and_csv_formats():
    data = json.loads(run("eval", POLICY, FACTS, "--format", "json").stdout)
    assert len(data["units"]) == 14
    niutang = next(u for u in data["units"] if u["unit"] == "牛塘镇")
    assert (niutang["total"], niutang["grade"], niutang["vetoed"]) == ("100.00", "优秀", False)
    csv_lines = run("eval", POLICY, FACTS, "--format", "csv").stdout.splitlines()
    # a byte-order mark first, so that Excel opens the UTF-8 file with its Chinese intact
    assert csv_lines[0].startswith("\ufeff单位,所属县区,上级单位,总分,基础分,加分,减分,等次,一票否决,领导重视")
    assert len(csv_lines) == 15


def test_set_parameter(tmp_path):
    policy = tmp_path / "p.jhp"
    policy.write_text("考核 甲\n参数\n  期间: 枚举(上半年, 全年) 默认 全年\n事实\n  报告: 是否\n"
                      "项目 报告 20分\n  计分 20分 若 报告\n  满分 若 期间 = 上半年\n", encoding="utf-8")
    facts = tmp_path / "u.csv"
    facts.write_text("单位,报告\n甲镇,否\n", encoding="utf-8")
    def total(*extra):
        return json.loads(run("eval", policy, facts, "--format", "json", *extra).stdout)["units"][0]["total"]

    assert total() == "0.00"  # 全年: no report, no points
    assert total("--set", "期间=上半年") == "20.00"  # 半年考核时此项默认为满分
    bad = run("eval", policy, facts, "--set", "期限=上半年")
    assert bad.exit_code == 2 and "是否指「期间」" in bad.output
    bad = run("eval", policy, facts, "--set", "期间=下半年")
    assert bad.exit_code == 2 and "期间" in bad.output


@pytest.mark.parametrize("args", [
    ("eval", POLICY, FACTS, "--unit", "不存在镇"),
    ("eval", POLICY, "no-such-file.csv"),
    ("eval", POLICY, FACTS, "--format", "pdf"),
    ("check",),
])
def test_usage_mistakes_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2
    no_traceback(result)


def test_eval_refuses_a_policy_with_errors(tmp_path):
    policy = tmp_path / "p.jhp"
    policy.write_text("项目 甲 10分\n  计分 1分 若 未声明\n", encoding="utf-8")
    result = run("eval", policy, FACTS)
    assert result.exit_code == 1
    assert "未声明的事实「未声明」" in result.output and "未评分" in result.output


def test_division_by_zero_fails_only_that_unit(tmp_path):
    policy = tmp_path / "p.jhp"
    policy.write_text("考核 甲\n事实\n  完成数: 整数\n  任务数: 整数\n项目 完成率 10分\n"
                      "  计分 10分 若 完成数 ÷ 任务数 >= 0.9\n", encoding="utf-8")
    facts = tmp_path / "u.csv"
    facts.write_text("单位,完成数,任务数\n甲镇,9,10\n乙镇,3,0\n", encoding="utf-8")
    result = run("eval", policy, facts)
    assert result.exit_code == 1
    assert "单位「乙镇」：无法计算「完成数 ÷ 任务数」：除数为 0（完成数 = 3，任务数 = 0）" in result.output
    assert "已评分 1 个单位，失败 1 个（乙镇）" in result.output
    no_traceback(result)


def test_unit_filter_reports_only_the_chosen_units(tmp_path):
    lines = FACTS.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",是,", ",也许,", 1)  # break one town that is not asked for
    broken = tmp_path / "units.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    asked = lines[1].split(",")[0]
    result = run("eval", POLICY, broken, "--unit", asked)
    assert result.exit_code == 0
    assert "也许" not in result.output and "已评分 1 个单位，失败 0 个" in result.output


def test_usage_mistakes_are_explained_in_chinese():
    result = run("eval", "不存在.jhp", FACTS)
    assert result.exit_code == 2
    assert "用法错误" in result.output and "找不到文件「不存在.jhp」" in result.output


def test_explain_goes_with_the_table_only():
    result = run("eval", POLICY, FACTS, "--explain", "--format", "json")
    assert result.exit_code == 2 and "--explain" in result.output


@pytest.mark.parametrize("engine", ["interp", "duckdb"])
def test_a_fact_too_large_fails_only_its_unit(tmp_path, engine):
    # facts hold at most 12 integer digits (DECIMAL(18, 6) in the compiled engines)
    policy = tmp_path / "p.jhp"
    policy.write_text("考核 甲\n事实\n  额: 数值\n项目 乙 10分\n  计分 10分\n加分 丙\n  按 额 每 1 加分 1分\n",
                      encoding="utf-8")
    facts = tmp_path / "u.csv"
    facts.write_text("单位,额\n甲镇,1\n乙镇,123456789012345678901234\n丙镇,999999999999.5\n", encoding="utf-8")
    result = run("eval", policy, facts, "--format", "json", "--engine", engine)
    assert result.exit_code == 1
    assert "单位「乙镇」，事实「额」：数值过大（整数部分超过 12 位）" in result.stderr
    totals = {u["unit"]: u["total"] for u in json.loads(result.stdout)["units"]}
    assert totals == {"甲镇": "11.00", "丙镇": "1000000000009.50"}  # 10 + 1; 10 + 999999999999.5


def test_the_same_policy_on_another_periods_facts(tmp_path):
    # guizhou-2011 style: 半年考核 30% + 年终考核 70%, both scored by this policy, each on its own facts
    policy = tmp_path / "p.jhp"
    policy.write_text("考核 甲\n  满分 100分\n事实\n  完成率: 百分比\n项目 目标 100分\n  按 完成率 每 1个百分点 计 1分\n"
                      "组成 年终综合\n  半年考核 30% 按 本办法 于 半年\n  年终考核 70% 按 本办法\n", encoding="utf-8")
    half = tmp_path / "半年.csv"
    half.write_text("单位,完成率\n甲局,60\n乙局,50\n", encoding="utf-8")
    year = tmp_path / "年终.csv"
    year.write_text("单位,完成率\n甲局,100\n乙局,90\n", encoding="utf-8")
    result = run("eval", policy, year, "--facts-of", f"半年={half}", "--format", "json")
    assert result.exit_code == 0, result.output
    totals = {u["unit"]: u["total"] for u in json.loads(result.stdout)["units"]}
    assert totals == {"甲局": "88.00", "乙局": "78.00"}  # 60 × 30% + 100 × 70%; 50 × 30% + 90 × 70%
    missing = run("eval", policy, year)
    assert missing.exit_code == 2 and "--facts-of 半年=" in missing.output
    no_traceback(missing)


def test_check_json_for_editors(tmp_path):
    policy = tmp_path / "p.jhp"
    policy.write_text("项目 甲 10分\n  计分3分\n", encoding="utf-8")
    result = run("check", "--format", "json", policy)
    assert result.exit_code == 1
    (found,) = json.loads(result.stdout)
    assert found == {"code": "E102", "severity": "error", "file": str(policy), "line": 2, "column": 3,
                     "end_line": 2, "end_column": 7, "message": "关键字「计分」与后面的「3分」连在了一起",
                     "hint": "关键字前后要有空格，应写作：计分 3分"}


def test_no_progress_bar_when_output_is_piped(tmp_path):
    # CliRunner's streams are not terminals, as when output is piped: no bar however long the batch
    lines = FACTS.read_text(encoding="utf-8").splitlines()
    many = [lines[0]] + [f"{row.split(',', 1)[0]}{i},{row.split(',', 1)[1]}" for i in range(40) for row in lines[1:]]
    big = tmp_path / "big.csv"
    big.write_text("\n".join(many) + "\n", encoding="utf-8")
    result = run("eval", POLICY, big)
    assert result.exit_code == 0 and "评分中" not in result.output
    assert "已评分 560 个单位" in result.output  # 14 towns × 40


def test_start_up_loads_no_spreadsheet_or_database_library():
    """`jhdsl check` must start fast: openpyxl (which loads numpy), DuckDB and sqlglot are
    imported only by the commands that read or write a workbook or run a query."""
    probe = "import sys, jhdsl.cli; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert not {"openpyxl", "numpy", "duckdb", "sqlglot", "pyarrow", "pyspark"} & set(loaded)
