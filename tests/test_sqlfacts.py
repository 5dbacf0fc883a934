"""Facts read by DuckDB (jhdsl.sqlfacts) against facts.py, the reference: for the same file, the
same units with the same values, and the same problems in the same order."""

import csv
import io
import json
from decimal import Decimal as D
from pathlib import Path

import attrs
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jhdsl import facts
from jhdsl.errors import FactsError
from jhdsl.pipeline import check_text, load_policy
from jhdsl.sqlfacts import WHITESPACE, load_facts_table, units_table

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "policies").glob("*.jhp") if (ROOT / "examples" / p.stem / "units.csv").is_file())

POLICY = check_text(
    """考核 测试
列表 部门: 公安, 教育
事实
  专题研究: 是否
  符合率: 百分比
  经费: 金额 默认 0
  人数: 整数 范围 0 至 10
  级别: 枚举(省级, 市级, 县级, 乡级, 村级, 无) 默认 无
  得分: 数值 范围 -5 至 100.5 默认 1.5
  互通: 是否 按 部门
项目 一 10分
  计分 2分 若 专题研究
  计分 2分 若 符合率 >= 95%
  计分 1分 若 经费 >= 1000元
  计分 1分 若 人数 >= 2名
  计分 1分 若 级别 = 省级
  计分 1分 若 得分 > 1
  计分 2分 若 互通[公安]
""",
    "t.jhp",
).policy

CON = duckdb.connect()
"""One connection for the tests (a new one costs more than a small load)."""

HEADER = "单位,专题研究,符合率,经费,人数,级别,得分,互通[公安],互通[教育]"
GOOD = "甲镇,是,97.5,1200,3,省级,2,是,否"


def table_rows(con, policy, name="facts"):
    """The table as units: (name, group, parent, values by fact) with each value's type kept."""
    lists = {li.name: li.members for li in policy.lists}
    cursor = con.execute(f'SELECT * FROM "{name}"')
    columns = [d[0] for d in cursor.description]
    assert columns[:4] == ["单位", "所属县区", "上级单位", "_行"]
    units = []
    for row in cursor.fetchall():
        cells = dict(zip(columns, row, strict=True))
        values = {}
        for fact in policy.facts:
            if fact.keyed_by:
                values[fact.name] = {m: typed(cells[f"{fact.name}[{m}]"]) for m in lists[fact.keyed_by]}
            else:
                values[fact.name] = typed(cells[fact.name])
        units.append((cells["单位"], cells["所属县区"], cells["上级单位"], values))
    return units


def typed(value):
    """A value with its type, so that True and Decimal(1) (equal in Python) do not pass for each
    other."""
    return (type(value).__name__, value)


def reference_rows(units):
    def values(unit):
        return {k: ({m: typed(w) for m, w in v.items()} if isinstance(v, dict) else typed(v))
                for k, v in unit.values.items()}
    return [(u.name, u.group, u.parent, values(u)) for u in units]


def same_as_facts_py(path: Path, policy=POLICY, con=None):
    """Load ``path`` both ways and check that units, values and problems agree (or that both
    refuse the file with the same message). Returns the problems."""
    con = con or CON
    try:
        expected = facts.validate(facts.read_rows(path), policy)
    except FactsError as error:
        with pytest.raises(FactsError) as raised:
            load_facts_table(con, path, policy)
        assert str(raised.value) == str(error)
        return None
    problems = load_facts_table(con, path, policy)
    assert problems == list(expected.problems)
    assert table_rows(con, policy) == reference_rows(expected.units)
    return problems


def write(tmp_path, text: str, name="u.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ---- the shipped examples ------------------------------------------------------------------


@pytest.mark.parametrize("policy_path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_examples_load_as_facts_py_loads_them(policy_path):
    policy = load_policy(policy_path).policy
    con = CON
    path = ROOT / "examples" / policy_path.stem / "units.csv"
    assert same_as_facts_py(path, policy, con) == []
    rows = con.execute("SELECT _行 FROM facts").fetchall()
    assert [r[0] for r in rows] == list(range(2, len(rows) + 2))


def test_shipped_examples_are_all_there():
    assert len(SHIPPED) >= 10


# ---- one messy cell of every kind ----------------------------------------------------------

MESSY = {
    "bad boolean": "甲镇,也许,97.5,1200,3,省级,2,是,否",
    "boolean words": "甲镇, YES ,97.5,1200,3,省级,2,√,F",
    "comma as decimal point": '甲镇,是,97.5,"3,5",3,省级,2,是,否',
    "thousands commas": '甲镇,是,97.5,"1,200,000",3,省级,2,是,否',
    "thousands commas, badly grouped": '甲镇,是,97.5,"12,00",3,省级,2,是,否',
    "exponent": "甲镇,是,97.5,1e5,3,省级,2,是,否",
    "underscore": "甲镇,是,97.5,1_000,3,省级,2,是,否",
    "leading point": "甲镇,是,97.5,.5,3,省级,2,是,否",
    "trailing point": "甲镇,是,97.5,5.,3,省级,2,是,否",
    "full-width digits": "甲镇,是,９７．５,１２００,３,省级,－１．５,是,否",
    "full-width percent and space": "甲镇,是,９７．５％,1\u3000200,3,省级,2,是,否",
    "percent sign": "甲镇,是,97.5%,1200,3,省级,2,是,否",
    "percent sign twice": "甲镇,是,97.5%%,1200,3,省级,2,是,否",
    "percent sign on money": "甲镇,是,97.5,1200%,3,省级,2,是,否",
    "wan yuan": "甲镇,是,97.5,1.5万元,3,省级,2,是,否",
    "wan yuan with many decimals": "甲镇,是,97.5,1.0000005万元,3,省级,2,是,否",
    "wan yuan, too many decimals": "甲镇,是,97.5,1.00000000005万元,3,省级,2,是,否",
    "yuan": "甲镇,是,97.5,1200元,3,省级,2,是,否",
    "wan without yuan": "甲镇,是,97.5,12万,3,省级,2,是,否",
    "13 digits": "甲镇,是,97.5,1000000000000,3,省级,2,是,否",
    "12 digits": "甲镇,是,97.5,999999999999.999999,3,省级,2,是,否",
    "13 digits after wan yuan": "甲镇,是,97.5,100000000万元,3,省级,2,是,否",
    "7 decimals": "甲镇,是,97.5,1200,3,省级,2.1234567,是,否",
    "7 decimals, the last a zero": "甲镇,是,97.5,1200,3,省级,2.1234560,是,否",
    "many digits": "甲镇,是,97.5,1200,3,省级,1.00000000000000000000000000001,是,否",
    "out of bounds": "甲镇,是,97.5,1200,11,省级,2,是,否",
    "below bounds": "甲镇,是,97.5,1200,3,省级,-5.5,是,否",
    "percent above 100": "甲镇,是,100.5,1200,3,省级,2,是,否",
    "negative percent": "甲镇,是,-0.5%,1200,3,省级,2,是,否",
    "minus zero": "甲镇,是,-0,1200,-0,省级,-0.0,是,否",
    "count with decimals": "甲镇,是,97.5,1200,2.5,省级,2,是,否",
    "count written 3.0": "甲镇,是,97.5,1200,3.0,省级,2,是,否",
    "negative count": "甲镇,是,97.5,1200,-1,省级,2,是,否",
    "unknown choice": "甲镇,是,97.5,1200,3,省,2,是,否",
    "unknown choice, far off": "甲镇,是,97.5,1200,3,国家级别,2,是,否",
    "missing fact without default": "甲镇,是,,1200,3,省级,2,是,",
    "defaults filled": "甲镇,是,97.5,,3,,,是,否",
    "whitespace cells": "甲镇 , 是 ,\t97.5 , ,3,\u3000省级\u3000, ,是,否",
    "arabic-indic digit": "甲镇,是,97.5,1200,٣,省级,2,是,否",
    "circled digit": "甲镇,是,97.5,1200,③,省级,2,是,否",
    "superscript digit": "甲镇,是,97.5,1200,3,省级,²,是,否",
    "ideographic space inside": "甲镇,是,9\u30007.5,1200,3,省级,2,是,否",
    "small full-width percent": "甲镇,是,97.5\ufe6a,1200,3,省级,2,是,否",
    "quoted cell": '"甲镇","是","97.5","1,200","3","省级","2","是","否"',
    "short row": "甲镇,是,97.5,1200,3",
    "everything wrong": "甲镇,也许,abc,1e5,-2.5,乡,200,x,y",
}


@pytest.mark.parametrize("row", MESSY.values(), ids=MESSY.keys())
def test_a_messy_cell_gives_facts_py_problems(tmp_path, row):
    same_as_facts_py(write(tmp_path, f"{HEADER}\n{GOOD}\n{row.replace('甲镇', '乙镇', 1)}\n{GOOD.replace('甲镇', '丙镇')}\n"))


def test_messy_rows_all_at_once(tmp_path):
    rows = [row.replace("甲镇", f"镇{i}", 1) for i, row in enumerate(MESSY.values())]
    problems = same_as_facts_py(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert len(problems) > 25


# ---- the examples of docs/language.md, 17 事实文件 ---------------------------------------------

DOC_POLICY = check_text(
    """考核 事实文件示例
列表 部门: 公安, 教育
事实
  专题研究: 是否
  符合率: 百分比
  经费: 金额 默认 0
  人数: 整数 范围 0 至 10
  级别: 枚举(省级, 市级, 无) 默认 无
  互通: 是否 按 部门
项目 一 10分
  计分 2分 若 专题研究
  计分 2分 若 符合率 >= 95%
  计分 2分 若 经费 >= 1000元
  计分 2分 若 人数 >= 2名
  计分 1分 若 级别 = 省级
  计分 1分 若 互通[公安]
""",
    "事实文件.jhp",
).policy

DOC_FILES = {
    "填数": "单位,专题研究,符合率,经费,人数,互通[公安],互通[教育],,\n甲,是,97.5,\"1,200\",３,是,否,,\n"
            "乙,是,97.5,\"3,5\",1e1,是,否,,\n丙,是,97.5,1000000000000,2.5,是,否,,\n",
    "填错": "单位,专题研究,符合率,经费,人数,级别,互通[公安],互通[教育],备注\n甲,是,97.5,1000,3,省级,是,是,好\n"
            "乙,也许,101,12万,11,县级,是,,\n丙,是,90,0,1.5,无,是,否,\n甲,否,90,0,1,无,否,否,\n",
    "重复列": "单位,专题研究,符合率,人数,互通[公安],互通[教育],互通【公安】\n甲,是,97.5,3,是,否,否\n乙,是,97.5,3,,否,是\n",
    "重复列名": "单位,专题研究,符合率,人数,互通[公安],互通[教育],专题研究\n甲,是,97.5,3,是,否,否\n",
}


@pytest.mark.parametrize("name", DOC_FILES)
def test_the_examples_of_the_language_guide(tmp_path, name):
    same_as_facts_py(write(tmp_path, DOC_FILES[name], name=f"{name}.csv"), DOC_POLICY)


# ---- the file as a whole -------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    f"{HEADER}\n{GOOD}\n{GOOD}\n{GOOD.replace('甲镇', '乙镇')}\n{GOOD}\n",  # a unit twice, and again
    f"{HEADER}\n{GOOD}\n,是,97.5\n ,是\n",  # a row without a unit name
    f"{HEADER}\n{GOOD}\n,,,,,,,,\n   ,\n{GOOD.replace('甲镇', '乙镇')}\n",  # blank rows are skipped
    f"{HEADER}\n{GOOD}\n\n\n{GOOD.replace('甲镇', '乙镇')}\n坏镇,x\n",  # blank lines still count as rows
    f"{HEADER}\r\n{GOOD}\r\n\r\n坏镇,x\r\n",  # the same with CRLF
    f"{HEADER}\r{GOOD}\r坏镇,x\r",  # old Mac line ends
    f"{HEADER}\n{GOOD}\n\n\n",  # blank lines at the end
    f"\ufeff{HEADER}\n{GOOD}\n坏镇,x\n",  # a byte-order mark
    f'{HEADER}\n"甲\n镇",是,97.5,1200,3,省级,2,是,否\n坏镇,x\n',  # a quoted cell across lines
    f'{HEADER}\r\n"甲\r\n镇",x\r\n坏镇,x\r\n',  # the same, CRLF kept inside the cell
    f'{HEADER}\n"甲镇"x,是,97.5\n坏镇,x\n',  # a stray character after a quoted cell
    f"{HEADER},备注,符合律\n{GOOD},好,1\n",  # unknown columns, with a suggestion
    f"{HEADER},,\n{GOOD},,\n",  # empty columns without a name (Excel)
    f"{HEADER},,\n{GOOD},,x\n",  # ... one of them with data
    f"{HEADER}\n{GOOD},,\n",  # blank cells beyond the header
    f"{HEADER}\n{GOOD},x\n",  # a cell beyond the header
    f"{HEADER},专题研究\n{GOOD},是\n",  # a column twice
    f"{HEADER}, 专题研究 \n{GOOD},是\n",  # ... after stripping
    "专题研究,符合率\n是,90\n",  # no unit column
    "专题研究,符合率\n",  # no unit column, and no unit
    f"{HEADER}\n",  # no unit
    f"{HEADER}\n,,,\n",  # only a blank row
    "",  # empty
    "\n\n",  # empty lines only
    "名称,专题研究,符合率,人数,互通[公安],互通[教育],县区,上级\n甲镇,是,97.5,3,是,否,武进区,常州\n乙镇,是,97.5,3,是,否,,\n",
    f"{HEADER},互通【公安】\n{GOOD},\n乙镇,是,97.5,1200,3,省级,2,,否,是\n丙镇,是,97.5,1200,3,省级,2,是,否,否\n",
    "单位,互通[公安],互通【公安】,互通[公安】,互通[教育]\n甲镇,是,否,是,否\n乙镇,,,是,否\n丙镇,,是,,否\n",
    "单位,专题研究,符合率,人数,互通[公安],互通[教育],互通[财政],互通\n甲镇,是,90,1,是,是,是,是\n",
])
def test_files_as_a_whole(tmp_path, text):
    same_as_facts_py(write(tmp_path, text))


def test_not_utf8_and_missing_files(tmp_path):
    same_as_facts_py(write(tmp_path, f"{HEADER}\n{GOOD}\n", encoding="gbk"))
    same_as_facts_py(tmp_path / "missing.csv")


def test_invalid_utf8_late_in_the_file(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n".encode() + b"\xff\xfe,x\n")
    same_as_facts_py(path)


@pytest.mark.parametrize("cells", [
    ["0.975", "0.9", "1"],  # all at most 1: looks like fractions
    ["0.975", "", "0"],
    ["0", "0", "-0.5"],  # at most 1 but none above 0: no warning
    ["0.975", "97.5%", "0.5"],  # one with %: no warning
    ["0.975", "1.0000000000000000000001", "0.5"],
    ["0.975", "0.5e0", "1E-1"],  # only Decimal can say
    ["0.975", "abc", "0.5"],  # not a number at all
    ["0.975", "0,5", "0.5"],
    ["０.５", "0.1", "0.2"],  # a full-width digit, which Decimal reads
    ["-Infinity", "0.5", "0.5"],
    ["NaN", "0.5", "0.5"],
    ["0.5", "1_0", "0.5"],
])
def test_the_fractions_warning(tmp_path, cells):
    rows = [f"镇{i},是,{c},1200,3,省级,2,是,否" for i, c in enumerate(cells)]
    same_as_facts_py(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))


def test_fractions_warning_with_two_spellings_of_a_rate(tmp_path):
    policy = check_text("考核 t\n列表 部门: 公安\n事实\n  率: 百分比 按 部门\n项目 一 1分\n  计分 1分 若 率[公安] > 1%\n",
                        "t.jhp").policy
    same_as_facts_py(write(tmp_path, "单位,率[公安],率【公安】\n甲,0.5,\n乙,,0.2\n丙,0.1,0.3\n"), policy)


# ---- row numbers, order, table --------------------------------------------------------------


COLUMNS = [("单位", "VARCHAR"), ("所属县区", "VARCHAR"), ("上级单位", "VARCHAR"), ("_行", "INTEGER"),
           ("专题研究", "BOOLEAN"), ("符合率", "DECIMAL(9,6)"), ("经费", "DECIMAL(18,6)"), ("人数", "DECIMAL(12,0)"),
           ("级别", "VARCHAR"), ("得分", "DECIMAL(18,6)"), ("互通[公安]", "BOOLEAN"), ("互通[教育]", "BOOLEAN")]


def columns_of(con, name="facts"):
    return [(d[0], d[1]) for d in con.execute(f'DESCRIBE "{name}"').fetchall()]


def test_table_columns_types_and_row_numbers(tmp_path):
    con = CON
    path = write(tmp_path, f"{HEADER},所属县区,上级单位\n{GOOD},武进区,\n坏镇,x\n{GOOD.replace('甲镇', '乙镇')},,甲镇\n")
    load_facts_table(con, path, POLICY, name="事实")
    assert columns_of(con, "事实") == COLUMNS
    assert con.execute('SELECT 单位, 所属县区, 上级单位, _行 FROM "事实"').fetchall() == [
        ("甲镇", "武进区", None, 2), ("乙镇", None, "甲镇", 4)]
    assert not con.execute("SELECT * FROM duckdb_tables() WHERE table_name LIKE '_jhdsl%'").fetchall()


def test_file_order_and_numbers_survive_slow_rows_and_repeats(tmp_path):
    rows = []
    for i in range(3000):
        cell = ["97.5", "９７．５", "97.5%", " 97.5 ", "x"][i % 5]
        rows.append(f"镇{i % 2900},是,{cell},1200,3,省级,2,是,否")
    con = CON
    same_as_facts_py(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"), con=con)
    numbers = [r[0] for r in con.execute("SELECT _行 FROM facts").fetchall()]
    assert numbers == sorted(numbers) and len(numbers) == 2900 * 4 // 5
    assert columns_of(con) == COLUMNS


def test_insertion_order_setting_is_restored(tmp_path):
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    load_facts_table(con, write(tmp_path, f"{HEADER}\n{GOOD}\n"), POLICY)
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [(False,)]


def test_loading_twice_replaces_the_table(tmp_path):
    con = CON
    load_facts_table(con, write(tmp_path, f"{HEADER}\n{GOOD}\n"), POLICY)
    load_facts_table(con, write(tmp_path, f"{HEADER}\n{GOOD.replace('甲镇', '乙镇')}\n", name="v.csv"), POLICY)
    assert con.execute("SELECT 单位 FROM facts").fetchall() == [("乙镇",)]


def test_whitespace_is_pythons():
    assert WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


# ---- other formats --------------------------------------------------------------------------


def test_parquet_round_trip(tmp_path):
    """The units of a CSV file written to Parquet with typed columns read back the same."""
    csv_path = write(tmp_path, f"{HEADER},所属县区\n{GOOD},武进区\n乙镇,否,90%,\"1,200\",0,,-1.5,否,是,\n")
    expected = facts.load_facts(csv_path, POLICY)
    con = CON
    units_table(con, expected.units, POLICY, name="from_units")
    parquet = tmp_path / "u.parquet"
    con.execute(f"COPY (SELECT * EXCLUDE (_行) FROM from_units) TO '{parquet}' (FORMAT parquet)")
    assert load_facts_table(con, parquet, POLICY) == []
    assert table_rows(con, POLICY) == reference_rows(expected.units)
    assert table_rows(con, POLICY, "from_units") == reference_rows(expected.units)
    assert con.execute("SELECT _行 FROM facts").fetchall() == [(2,), (3,)]


def test_parquet_of_strings_is_judged_like_csv(tmp_path):
    """Every messy row, written to Parquet as strings: the same units and problems as the CSV."""
    text = "\n".join([HEADER] + [row.replace("甲镇", f"镇{i}", 1) for i, row in enumerate(MESSY.values())]) + "\n"
    records = list(csv.reader(io.StringIO(text)))
    header, body = records[0], records[1:]
    columns = {name: pa.array([r[i] if i < len(r) else None for r in body], pa.string()) for i, name in enumerate(header)}
    parquet = tmp_path / "u.parquet"
    pq.write_table(pa.table(columns), parquet)
    expected = facts.load_facts(write(tmp_path, text), POLICY)
    con = CON
    assert load_facts_table(con, parquet, POLICY) == list(expected.problems)
    assert table_rows(con, POLICY) == reference_rows(expected.units)


def test_parquet_typed_cells_are_judged_like_json_ones(tmp_path):
    """A DOUBLE is its shortest repr, a DECIMAL its plain value, a BOOLEAN a 是否 value: the
    problems are those facts.py gives for the same values in a JSON file."""
    columns = {
        "单位": (["甲镇", "乙镇", "丙镇", "丁镇"], pa.string()),
        "专题研究": ([1, 1, 0, None], pa.int64()),
        "符合率": ([97.5, 0.1, 100.0, None], pa.float64()),
        "经费": ([1200.0, 1e20, -0.0, float("inf")], pa.float64()),
        "人数": ([3, 2.5, 11, None], pa.decimal128(10, 3)),
        "得分": ([1e-05, 1.5e-07, 0.30000000000000004, float("nan")], pa.float64()),
        "级别": ([True, False, None, True], pa.bool_()),
        "互通[公安]": ([True, False, True, None], pa.bool_()),
        "互通[教育]": (["是", "否", " 是 ", "x"], pa.string()),
    }
    arrays = {name: pa.array([D(str(v)) if t == pa.decimal128(10, 3) and v is not None else v for v in values], t)
              for name, (values, t) in columns.items()}
    parquet = tmp_path / "u.parquet"
    pq.write_table(pa.table(arrays), parquet)
    records = [{name: values[i] for name, (values, _t) in columns.items()} for i in range(4)]
    json_path = write(tmp_path, json.dumps(records, ensure_ascii=False), name="u.json")  # floats as repr
    expected = facts.load_facts(json_path, POLICY)
    assert len(expected.problems) > 5
    con = CON
    problems = load_facts_table(con, parquet, POLICY)
    rows = {f"第 {i} 个单位": f"第 {i + 1} 行" for i in range(1, 5)}  # a Parquet row is numbered as in CSV
    assert problems == [attrs.evolve(p, where=rows.get(p.where, p.where)) for p in expected.problems]
    assert table_rows(con, POLICY) == reference_rows(expected.units)


def test_parquet_errors(tmp_path):
    with pytest.raises(FactsError, match="找不到事实文件"):
        load_facts_table(CON, tmp_path / "none.parquet", POLICY)
    with pytest.raises(FactsError, match="无法读取 Parquet 文件"):
        load_facts_table(CON, write(tmp_path, "not parquet", name="u.parquet"), POLICY)


def test_json_and_xlsx_go_through_facts_py(tmp_path):
    path = write(tmp_path, json.dumps([{"单位": "甲镇", "专题研究": True, "符合率": 97.5, "人数": 3,
                                        "互通[公安]": "是", "互通[教育]": "否"}, {"单位": "乙镇"}], ensure_ascii=False),
                 name="u.json")
    con = CON
    expected = facts.load_facts(path, POLICY)
    assert load_facts_table(con, path, POLICY) == list(expected.problems)
    assert table_rows(con, POLICY) == reference_rows(expected.units)
    assert con.execute("SELECT _行 FROM facts").fetchall() == [(None,)]


def test_units_table_with_no_units():
    con = CON
    units_table(con, [], POLICY)
    assert con.execute("SELECT count(*) FROM facts").fetchall() == [(0,)]
    assert columns_of(con) == COLUMNS


def test_units_table_with_row_numbers(tmp_path):
    expected = facts.load_facts(write(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD.replace('甲镇', '乙镇')}\n"), POLICY)
    con = CON
    units_table(con, expected.units, POLICY, rows=[2, 3])
    assert con.execute("SELECT 单位, _行 FROM facts").fetchall() == [("甲镇", 2), ("乙镇", 3)]
    assert table_rows(con, POLICY) == reference_rows(expected.units)


# ---- any cell -------------------------------------------------------------------------------

CELL = st.text(alphabet="0123456789,.+-% e万元０９．，％＋－\u3000٣²", max_size=14) | st.sampled_from(
    ["1,000", "1,000.5", "0.5", "100%", "12,345,678", "1.5万元", "９７．５％", "-0", "1" * 30, "0." + "0" * 30 + "1"])
WORD = st.sampled_from(sorted(facts.TRUE_WORDS | facts.FALSE_WORDS) + [
    "", " 是 ", "YES", "False", "Ｙ", "是否", "1.0", "\u3000否", "x"])
KINDS = "考核 t\n事实\n  数: 数值\n  额: 金额\n  率: 百分比\n  个: 整数\n  否: 是否\n项目 一 1分\n  计分 1分 若 否\n"
KIND_POLICY = check_text(KINDS, "t.jhp").policy


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(CELL, CELL, CELL, CELL, WORD), min_size=1, max_size=12))
def test_any_cell_is_judged_as_parse_value_judges_it(tmp_path, rows):
    """Random cells of every kind: accepted or refused, with the value and the message, exactly
    as facts.parse_value does (the fractions warning too)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["单位", "数", "额", "率", "个", "否"])
    for i, cells in enumerate(rows):
        writer.writerow([f"镇{i}", *cells])
    same_as_facts_py(write(tmp_path, out.getvalue()), KIND_POLICY, CON)
