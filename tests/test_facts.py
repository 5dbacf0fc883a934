"""Reading and validating the facts of units: a bad unit is named, the others still scored."""

from decimal import Decimal as D

import pytest

from jhdsl.errors import FactsError
from jhdsl.facts import load_facts
from jhdsl.pipeline import check_text

POLICY = check_text(
    """考核 测试
事实
  专题研究: 是否
  符合率: 百分比
  人数: 整数 范围 0 至 50
  经费: 金额 默认 0
  级别: 枚举(国家级, 省级, 无) 默认 无
列表 部门: 公安, 教育
事实
  互通: 是否 按 部门
项目 甲 10分
  计分 1分 若 专题研究 且 符合率 >= 90% 且 人数 > 0 且 经费 > 0 且 级别 = 省级 且 互通[公安]
""",
    "t.jhp",
).policy


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_values_of_every_type(tmp_path):
    path = write(tmp_path, "u.csv",
                 "单位,所属县区,专题研究,符合率,人数,经费,级别,互通[公安],互通[教育]\n"
                 "湖塘镇,武进区,是,97.5%,3,\"1,200\",省级,是,否\n"
                 "牛塘镇,武进区,N,97.5,0,,,√,×\n")
    table = load_facts(path, POLICY)
    assert table.problems == ()
    hu, niu = table.units
    assert hu.values == {"专题研究": True, "符合率": D("97.5"), "人数": D(3), "经费": D(1200), "级别": "省级",
                         "互通": {"公安": True, "教育": False}}
    assert hu.group == "武进区"
    # "97.5%" and 97.5 are the same rate; empty cells take the declared defaults
    assert niu.values["符合率"] == D("97.5")
    assert (niu.values["经费"], niu.values["级别"]) == (D(0), "无")


def test_one_broken_row_fails_only_its_unit_and_names_fact_and_value(tmp_path):
    path = write(tmp_path, "u.csv",
                 "单位,专题研究,符合率,人数,互通[公安],互通[教育]\n"
                 "湖塘镇,是,99,3,是,是\n"
                 "坏镇,也许,101,60,是,\n"
                 "牛塘镇,否,80,0,否,否\n")
    table = load_facts(path, POLICY)
    assert [u.name for u in table.units] == ["湖塘镇", "牛塘镇"]
    assert table.failed_units == ["坏镇"]
    found = {(p.fact, p.value, p.where) for p in table.problems}
    assert found == {
        ("专题研究", "也许", "第 3 行"),
        ("符合率", "101", "第 3 行"),  # a percentage above 100%
        ("人数", "60", "第 3 行"),  # outside 范围 0 至 50
        ("互通[教育]", None, "第 3 行"),  # missing, and no default
    }
    assert all(p.unit == "坏镇" for p in table.problems)


def test_unknown_choice_gets_a_suggestion(tmp_path):
    path = write(tmp_path, "u.csv", "单位,专题研究,符合率,人数,级别,互通[公安],互通[教育]\n某镇,是,90,1,省,是,是\n")
    (problem,) = load_facts(path, POLICY).problems
    assert problem.fact == "级别" and problem.hint == "是否指「省级」？"


def test_unknown_column_is_reported_once_with_a_suggestion(tmp_path):
    path = write(tmp_path, "u.csv",
                 "单位,专题研究,符合律,符合率,人数,互通[公安],互通[教育]\n"
                 "甲镇,是,1,90,1,是,是\n乙镇,是,1,90,1,是,是\n")
    table = load_facts(path, POLICY)
    assert len(table.units) == 2
    (problem,) = table.file_errors
    assert "符合律" in problem.message and problem.hint == "是否指「符合率」？"


def test_rate_column_of_fractions_is_warned(tmp_path):
    path = write(tmp_path, "u.csv",
                 "单位,专题研究,符合率,人数,互通[公安],互通[教育]\n甲镇,是,0.975,1,是,是\n乙镇,是,0.9,1,是,是\n")
    table = load_facts(path, POLICY)
    assert len(table.units) == 2
    (warning,) = table.problems
    assert warning.warning and "符合率" in warning.message


def test_json_units(tmp_path):
    path = write(tmp_path, "u.json",
                 '[{"单位": "甲镇", "专题研究": true, "符合率": 97.5, "人数": 2, "互通[公安]": true, "互通[教育]": "否"},'
                 ' {"单位": "乙镇", "专题研究": "是", "符合率": "95%", "人数": 2.5, "互通[公安]": true, "互通[教育]": true}]')
    table = load_facts(path, POLICY)
    assert [u.name for u in table.units] == ["甲镇"]
    assert table.units[0].values["符合率"] == D("97.5")  # parsed as an exact decimal, never a float
    (problem,) = table.problems
    assert (problem.unit, problem.fact, problem.message) == ("乙镇", "人数", "应为整数")


def test_duplicate_unit_names_are_not_silently_merged(tmp_path):
    path = write(tmp_path, "u.csv", "单位,专题研究,符合率,人数,互通[公安],互通[教育]\n甲镇,是,90,1,是,是\n甲镇,否,90,1,是,是\n")
    table = load_facts(path, POLICY)
    assert len(table.units) == 1
    (problem,) = table.file_errors  # the first 甲镇 is scored; the second row is a file error
    assert problem.where == "第 3 行" and "甲镇" in problem.message and table.failed_units == []


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("u.csv", "专题研究,符合率\n是,90\n", "单位"),
    ("u.json", "{not json", "JSON"),
    ("u.xml", "<a/>", "格式"),
])
def test_unreadable_files_raise_facts_error(tmp_path, name, text, reason):
    with pytest.raises(FactsError, match=reason):
        load_facts(write(tmp_path, name, text), POLICY)


def test_money_may_be_written_in_wan_yuan(tmp_path):
    path = write(tmp_path, "u.csv", "单位,专题研究,符合率,人数,经费,互通[公安],互通[教育]\n甲镇,是,90,1,1.2万元,是,是\n")
    assert load_facts(path, POLICY).units[0].values["经费"] == D(12000)


@pytest.mark.parametrize(("header", "reason"), [
    ("单位,专题研究,符合率,人数,人数", "人数"),  # the same column twice
    ("单位,专题研究, 符合率,符合率,人数", "符合率"),  # the same after trimming spaces
])
def test_a_fact_given_twice_is_refused_not_silently_overwritten(tmp_path, header, reason):
    cells = ",".join(["甲镇"] + ["1"] * (header.count(",")))
    with pytest.raises(FactsError, match=reason):
        load_facts(write(tmp_path, "u.csv", f"{header}\n{cells}\n"), POLICY)


def test_trailing_empty_columns_from_excel_are_ignored(tmp_path):
    path = write(tmp_path, "u.csv", "单位,专题研究,符合率,人数,互通[公安],互通[教育],,\n甲镇,是,90,1,是,是,,\n")
    table = load_facts(path, POLICY)
    assert table.problems == () and len(table.units) == 1


@pytest.mark.parametrize(("cell", "value"), [("1,200", D(1200)), (" 97 ", D(97)), ("１２", D(12))])
def test_numbers_as_offices_write_them(tmp_path, cell, value):
    path = write(tmp_path, "u.csv", f"单位,专题研究,符合率,人数,经费,互通[公安],互通[教育]\n甲镇,是,90,1,\"{cell}\",是,是\n")
    assert load_facts(path, POLICY).units[0].values["经费"] == value


@pytest.mark.parametrize("cell", ["3,5", "1,2,3", "1e5", "1_0", ".5e1", "9" * 40])
def test_doubtful_numbers_fail_their_unit_only(tmp_path, cell):
    path = write(tmp_path, "u.csv",
                 "单位,专题研究,符合率,人数,经费,互通[公安],互通[教育]\n"
                 f"甲镇,是,90,1,\"{cell}\",是,是\n乙镇,是,90,1,5,是,是\n")
    table = load_facts(path, POLICY)
    assert [u.name for u in table.units] == ["乙镇"]
    (problem,) = table.problems
    assert (problem.unit, problem.fact) == ("甲镇", "经费")


def test_two_spellings_of_one_member_conflict_only_where_both_are_filled(tmp_path):
    path = write(tmp_path, "u.csv", "单位,专题研究,符合率,人数,互通[公安],互通【公安】,互通[教育]\n"
                                    "甲镇,是,90,1,是,,是\n乙镇,是,90,1,是,否,是\n")
    table = load_facts(path, POLICY)
    assert [u.name for u in table.units] == ["甲镇"]
    (problem,) = table.problems
    assert problem.unit == "乙镇" and "同一个事实" in problem.message


def test_excel_workbook_with_a_title_row_and_percent_cells(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "各镇"
    sheet.append(["2014年各镇事实"])  # a title above the header row
    sheet.append(["单位", "专题研究", "符合率", "人数", "互通[公安]", "互通[教育]"])
    sheet.append(["甲镇", "是", 0.975, 3, "是", "否"])
    sheet["C3"].number_format = "0.0%"  # Excel shows 97.5%, stores 0.975
    sheet.append(["乙镇", "也许", 90, 2, "是", "是"])
    path = tmp_path / "u.xlsx"
    book.save(path)
    table = load_facts(path, POLICY)
    assert [u.name for u in table.units] == ["甲镇"]
    assert table.units[0].values["符合率"] == D("97.5")
    (problem,) = table.problems
    assert (problem.unit, problem.fact, problem.where) == ("乙镇", "专题研究", "工作表「各镇」第 4 行 B 列")
