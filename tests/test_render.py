"""``jhdsl render`` and ``jhdsl template``: the published scoring table, checked cell by cell
against the seed's table (seed 004, wujin-2014) in every format, and the blank facts sheet,
checked column by column and read back by ``load_facts``."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.numbers import plain
from jhdsl.pipeline import load_policy
from jhdsl.render import (
    FACTS_SHEET,
    HEADERS,
    NOTES_SHEET,
    SCHEME_HEADER_ROW,
    TEMPLATE_ROWS,
    render_command,
    template_columns,
    template_command,
)

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.jhp"))
WUJIN = ROOT / "policies" / "wujin-2014.jhp"
SEED = Path(__file__).parent / "golden" / "seed-004-wujin-2014.txt"  # the seed document, as received

CATEGORIES = [("领导重视", 4), ("综合治理", 3), ("依法行政", 6), ("信息化建设", 6), ("宣传教育", 6),
              ("人口家庭公共服务体系建设", 1), ("出生缺陷干预", 2), ("家庭健康保健行动", 5), ("流动人口管理服务", 3),
              ("协会建设", 5), ("党风廉政建设", 6)]


def invoke(command: click.Command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


def squeeze(text) -> str:
    """A cell's text with every space, line break and <br> taken out (Word breaks lines anywhere)."""
    if text is None:
        return ""
    if isinstance(text, int | float):
        text = plain(Decimal(str(text)))
    return re.sub(r"\s+", "", str(text).replace("<br>", ""))


# ---- the seed's table ----------------------------------------------------------------------


def seed_rows() -> list[list[str]]:
    """The seed's table as rows of five squeezed cells; merged cells are empty below their
    first row. The last row (亮点工作) has only its label and content."""
    table = SEED.read_text(encoding="utf-8").split("\n\t项目及分值", 1)[1]
    cells = [squeeze(c) for c in ("项目及分值" + table).split("\n\t")]
    rows = [cells[i:i + 5] for i in range(0, len(cells), 5)]
    assert rows[0] == ["项目及分值", "考核内容", "分值", "考核方式", "责任科室"]
    return rows[1:]


def assert_matches_seed(rows: list[list[str]]) -> None:
    """The rendered table, squeezed, is the seed's table cell for cell, then the 加分 row."""
    expected = seed_rows()
    assert len(rows) == len(expected) == 48
    for number, (got, want) in enumerate(zip(rows[:-1], expected[:-1], strict=True), start=1):
        # the seed's 「效能\n监察\n台账」 lost its 、 to Word's line breaks; the policy writes 效能监察、台账
        got = [*got[:3], got[3].replace("、", ""), got[4]]
        want = [*want[:3], want[3].replace("、", ""), want[4]]
        assert got == want, f"row {number}"
    assert rows[-1][:2] == expected[-1] and rows[-1][2] == "加分"


def test_the_seed_has_eleven_categories_and_47_rows():
    rows = seed_rows()[:-1]
    labels = [row[0] for row in rows if row[0]]
    assert labels == [f"{name}（{points}）" for name, points in
                      [("领导重视", 10), ("综合治理", 7), ("依法行政", 18), ("信息化建设", 18), ("宣传教育", 10),
                       ("人口家庭公共服务体系建设", 2), ("出生缺陷干预", 7), ("家庭健康保健行动", 6),
                       ("流动人口管理服务", 9), ("协会建设", 7), ("党风廉政建设", 6)]]
    assert sum(n for _, n in CATEGORIES) == len(rows) == 47


# ---- Markdown ------------------------------------------------------------------------------


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every table of a Markdown text as rows of cells (header and rule lines left out)."""
    tables, current = [], None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if current is None:
                tables.append(current := [])
            elif not all(set(c) <= set(":-") for c in cells):
                current.append(cells)
        else:
            current = None
    return tables


def test_markdown_reproduces_the_seed_table():
    result = invoke(render_command, WUJIN, "--format", "md")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# 武进区2014年人口和计划生育岗位责任百分考核办法\n")
    assert "文号：武人口计生发〔2014〕10号" in text
    assert "| 项目及分值 | 考核内容 | 分值 | 考核方式 | 责任科室 |" in text
    main_table, vetoes, grades = markdown_tables(text)
    assert_matches_seed([[squeeze(c) for c in row] for row in main_table])
    # a merged cell is written once, in the first row of its category
    assert main_table[0][:4] == ["领导重视（10）", main_table[0][1], "3", "台账、工作评估"]
    assert main_table[1][0] == "" and main_table[1][3] == "" and main_table[1][4] == "办公室"
    assert vetoes == [["重大责任事故", "因行政行为不当而发生重大责任事故的，实行一票否决"]]
    assert grades == [["优秀", "总分 ≥ 90"], ["良好", "80 ≤ 总分 < 90"], ["合格", "60 ≤ 总分 < 80"],
                      ["不合格", "总分 < 60"]]
    assert "## 一票否决" in text and "## 等次" in text


# ---- HTML ----------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every <table> of a page as rows of (text, rowspan)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[tuple[str, int]]]] = []
        self.cell: list[str] | None = None
        self.span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell, self.span = [], int(dict(attrs).get("rowspan", 1))
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(("".join(self.cell), self.span))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def unmerge(rows: list[list[tuple[str, int]]]) -> list[list[str]]:
    """Rows with every cell covered by a rowspan put back, empty, as the seed shows them."""
    covered: dict[tuple[int, int], int] = {}
    out = []
    for r, row in enumerate(rows):
        cells, source = [], iter(row)
        column = 0
        while True:
            if (r, column) in covered:
                cells.append("")
            else:
                item = next(source, None)
                if item is None:
                    break
                text, span = item
                cells.append(text)
                for below in range(1, span):
                    covered[(r + below, column)] = 1
            column += 1
        out.append(cells)
    return out


def test_html_reproduces_the_seed_table_with_rowspans(tmp_path):
    target = tmp_path / "评分标准.html"
    result = invoke(render_command, WUJIN, "-o", target)
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<link" not in page and "<script" not in page  # self-contained
    parser = _Tables()
    parser.feed(page)
    main_table, vetoes, grades = parser.tables
    assert [text for text, _ in main_table[0]] == list(HEADERS)
    body = main_table[1:]
    assert body[0][0] == ("领导重视（10）", 4) and body[0][3] == ("台账、工作评估", 4)
    assert_matches_seed([[squeeze(c) for c in row] for row in unmerge(body)])
    assert [text for text, _ in grades[1]] == ["优秀", "总分 ≥ 90"]
    assert [text for text, _ in vetoes[1]][0] == "重大责任事故"


# ---- Excel ---------------------------------------------------------------------------------


def test_xlsx_reproduces_the_seed_table_with_merged_cells(tmp_path):
    target = tmp_path / "评分标准.xlsx"
    result = invoke(render_command, WUJIN, "--format", "xlsx", "-o", target)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value == "武进区2014年人口和计划生育岗位责任百分考核办法"
    header = SCHEME_HEADER_ROW
    assert [c.value for c in sheet[header]][:5] == list(HEADERS)
    merged = {str(r) for r in sheet.merged_cells.ranges}
    top = header + 1
    for name, count in CATEGORIES:
        assert sheet.cell(top, 1).value.startswith(name)
        if count > 1:
            assert f"A{top}:A{top + count - 1}" in merged, name
            assert f"D{top}:D{top + count - 1}" in merged, name  # one 考核方式 for the category
        top += count
    rows = [[squeeze(sheet.cell(r, c).value) for c in range(1, 6)] for r in range(header + 1, top + 1)]
    assert_matches_seed(rows)
    # a few cells as they are, not squeezed: numbers stay numbers
    assert sheet.cell(header + 3, 2).value == "经费投入到位。财务数据采集、报送和保管规范，各项收费使用、管理规范。"
    assert sheet.cell(header + 3, 3).value == 2 and sheet.cell(header + 3, 5).value == "办公室"
    row = header + 1 + 4 + 3 + 6  # 信息化建设's first row: 数据质量 10分
    assert sheet.cell(row, 3).value == 10 and sheet.cell(row, 4).value == "查看系统、现场查看、台账"
    assert sheet.cell(row, 5).value == "规统科"
    assert sheet.cell(top, 1).value == "亮点工作" and sheet.cell(top, 2).value.startswith("1、获得国家级")
    after: dict[str, int] = {}  # where each part's title is (its header row may repeat the word)
    for r in range(top + 1, sheet.max_row + 1):
        after.setdefault(sheet.cell(r, 1).value, r)
    assert sheet.cell(after["等次"] + 2, 1).value == "优秀" and sheet.cell(after["等次"] + 2, 2).value == "总分 ≥ 90"
    assert sheet.cell(after["一票否决"] + 2, 1).value == "重大责任事故"


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.stem)
def test_every_policy_renders_in_every_format(policy, tmp_path):
    loaded = load_policy(policy)
    for suffix in ("md", "html", "xlsx"):
        target = tmp_path / f"out.{suffix}"
        result = invoke(render_command, policy, "-o", target)
        assert result.exit_code == 0, result.output
    text = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {loaded.policy.name}")
    top_names = [item.name for item in loaded.policy.items]
    assert all(f"| {name}（" in text for name in top_names)
    for outcome in loaded.policy.outcomes:
        assert f"| {outcome.name} |" in text
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert [c.value for c in sheet[SCHEME_HEADER_ROW]][:5] == list(HEADERS)


def test_sections_of_other_policies_show_kind_and_cap():
    result = invoke(render_command, ROOT / "policies" / "city-township-b.jhp")
    row = next(line for line in result.stdout.splitlines() if line.startswith("| 累计加分 |"))
    assert "| 加分（上限 12分） |" in row and "1、" in row
    assert "## 组成：乡镇综合考核得分" in result.stdout


# ---- errors --------------------------------------------------------------------------------


def jhdsl_with_publishing() -> click.Group:
    """The real ``jhdsl`` group (its error handling) with the two commands added, leaving the
    module's group untouched."""
    return type(main)(name="jhdsl", commands={**main.commands, "render": render_command,
                                              "template": template_command})


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("verb", ["render", "template"])
def test_a_policy_with_errors_is_refused_in_chinese(verb, tmp_path):
    broken = tmp_path / "broken.jhp"
    broken.write_text(WUJIN.read_text(encoding="utf-8").replace("若 出生政策符合率", "若 出生政策符和率"),
                      encoding="utf-8")
    result = CliRunner().invoke(jhdsl_with_publishing(), [verb, str(broken)])
    assert result.exit_code == 1
    assert "未声明的事实「出生政策符和率」" in result.output and "政策有 1 个错误，未生成" in result.output
    no_traceback(result)


@pytest.mark.parametrize("verb, suffix", [("render", "md"), ("render", "xlsx"), ("template", "csv"),
                                          ("template", "xlsx")])
def test_an_unwritable_output_is_refused_in_chinese(verb, suffix, tmp_path):
    target = tmp_path / "没有这个目录" / f"out.{suffix}"
    for group in (jhdsl_with_publishing(), {"render": render_command, "template": template_command}[verb]):
        args = [verb, str(WUJIN), "-o", str(target)] if isinstance(group, click.Group) else [str(WUJIN), "-o", str(target)]
        result = CliRunner().invoke(group, args)
        assert result.exit_code == 1
        assert f"无法写入「{target}」：所在目录不存在" in result.output
        no_traceback(result)


def test_an_output_that_is_a_directory_is_refused_in_chinese(tmp_path):
    for command, suffix in ((render_command, "xlsx"), (template_command, "csv")):
        folder = tmp_path / f"文件夹.{suffix}"
        folder.mkdir()
        result = invoke(command, WUJIN, "-o", folder)
        assert result.exit_code == 1 and "：这是一个目录" in result.output
        no_traceback(result)


def test_usage_mistakes_exit_2_in_chinese(tmp_path):
    group = jhdsl_with_publishing()
    cases = [(["render", str(WUJIN), "--format", "xlsx"], "xlsx 格式须用 -o 指定输出文件"),
             (["render", str(tmp_path / "无.jhp")], "找不到文件"),
             (["template", str(tmp_path)], "不是文件"),
             (["template", str(WUJIN), "-o", str(tmp_path / "x.pdf")], "无法从文件名")]
    for args, message in cases:
        result = CliRunner().invoke(group, args)
        assert result.exit_code == 2, args
        assert "用法错误" in result.output and message in result.output
        no_traceback(result)


# ---- the facts template --------------------------------------------------------------------


def csv_header(policy: Path) -> tuple[list[str], str]:
    result = invoke(template_command, policy)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeff")  # Excel opens UTF-8 CSV with a BOM
    records = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert len(records) == 1
    return records[0], result.stderr


def test_csv_template_has_one_column_per_fact():
    header, notes = csv_header(WUJIN)
    facts = load_policy(WUJIN).policy.facts
    assert header == ["单位", *(f.name for f in facts)]
    assert "出生政策符合率：百分比；填数，0 至 100；97.5 即 97.5%" in notes
    assert "党员干部违法生育：是否；填「是」或「否」；可不填，不填按「否」；说明：包括村主要干部" in notes
    assert "其他亮点加分：数值；填一个数，0 至 10；可不填，不填按「0」" in notes


def test_csv_template_adds_group_and_parent_columns_where_used():
    assert csv_header(WUJIN)[0][:2] == ["单位", "党政领导重视达到要求"]
    assert csv_header(ROOT / "policies" / "kaifeng-2018.jhp")[0][:3] == ["单位", "所属县区", "单位类别"]
    assert csv_header(ROOT / "policies" / "city-township-a.jhp")[0][1] == "所属县区"
    assert csv_header(ROOT / "policies" / "macheng-2009.jhp")[0][:3] == ["单位", "所属县区", "上级单位"]
    header, notes = csv_header(ROOT / "policies" / "kaifeng-2018.jhp")
    assert "名额表中的县区：杞县、通许县" in notes


def test_csv_template_has_a_column_per_member_of_a_keyed_fact():
    header, notes = csv_header(ROOT / "policies" / "dengzhou-2016.jhp")
    members = ["卫生计生", "公安", "教育", "民政", "统计"]
    for fact in ("互通信息制度", "共享信息连续规范完整", "依信息开展工作有记录"):
        assert [h for h in header if h.startswith(fact + "[")] == [f"{fact}[{m}]" for m in members]
    assert "参数「期间」" in notes and "--set 期间=" in notes


def sample_value(column) -> str:
    """A value that a unit could write in a column."""
    if column.fact_type is None:
        return ""
    if column.fact_type.kind == "是否":
        return "是"
    if column.fact_type.kind == "枚举":
        return column.fact_type.choices[0]
    return plain(column.low) if column.low is not None else "1"


def filled_rows(policy) -> list[list[str]]:
    """Three units' rows for the template's columns: unit, group, parent (the first unit), facts."""
    columns = template_columns(policy)
    rows = []
    for number in range(1, 4):
        special = {"单位": f"单位{number}", "所属县区": "甲县", "上级单位": "单位1" if number > 1 else ""}
        rows.append([special.get(c.header, "") or sample_value(c) for c in columns])
    return rows


@pytest.mark.parametrize("policy_path", POLICIES, ids=lambda p: p.stem)
def test_a_filled_in_csv_template_reads_back_without_problems(policy_path, tmp_path):
    target = tmp_path / "事实.csv"
    result = invoke(template_command, policy_path, "-o", target)
    assert result.exit_code == 0, result.output
    policy = load_policy(policy_path).policy
    with target.open("a", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(filled_rows(policy))
    table = load_facts(target, policy)
    assert [p.describe() for p in table.problems] == []
    assert [u.name for u in table.units] == ["单位1", "单位2", "单位3"]
    run = CliRunner().invoke(jhdsl_with_publishing(), ["eval", str(policy_path), str(target)])
    assert "已评分 3 个单位" in run.output, run.output
    no_traceback(run)


# ---- the Excel template --------------------------------------------------------------------


def open_template(policy: Path, tmp_path: Path):
    target = tmp_path / "事实.xlsx"
    result = invoke(template_command, policy, "-o", target)
    assert result.exit_code == 0, result.output
    return target, openpyxl.load_workbook(target)


def validations_by_column(sheet) -> dict[str, object]:
    found = {}
    for check in sheet.data_validations.dataValidation:
        for cell_range in check.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row == TEMPLATE_ROWS + 1
            found[sheet.cell(1, cell_range.min_col).value] = check
    return found


def test_xlsx_template_header_comments_and_notes(tmp_path):
    _, book = open_template(WUJIN, tmp_path)
    assert book.sheetnames == [FACTS_SHEET, NOTES_SHEET]
    sheet = book[FACTS_SHEET]
    header = [c.value for c in sheet[1]]
    assert header == csv_header(WUJIN)[0]
    assert sheet.max_row == 1  # nothing but the header: the units are the writer's to add
    assert sheet.freeze_panes == "B2"
    comment = sheet.cell(1, header.index("出生政策符合率") + 1).comment.text
    assert comment.startswith("类型：百分比\n填数，0 至 100")
    notes = book[NOTES_SHEET]
    listed = {notes.cell(r, 1).value: [notes.cell(r, c).value for c in range(2, 6)] for r in range(5, notes.max_row + 1)}
    assert listed["党员干部违法生育"] == ["是否", "填「是」或「否」", "否", "包括村主要干部"]
    assert set(header) <= set(listed)


def test_xlsx_template_dropdowns_and_number_checks(tmp_path):
    _, book = open_template(WUJIN, tmp_path)
    checks = validations_by_column(book[FACTS_SHEET])
    yes_no = checks["党政领导重视达到要求"]
    assert (yes_no.type, yes_no.formula1, yes_no.allow_blank) == ("list", '"是,否"', True)
    assert checks["党员干部违法生育"].formula1 == '"是,否"'
    rate = checks["出生政策符合率"]
    assert (rate.type, rate.operator, rate.formula1, rate.formula2) == ("decimal", "between", "0", "100")
    count = checks["调研分析报告篇数"]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    other = checks["其他亮点加分"]
    assert (other.type, other.operator, other.formula1, other.formula2) == ("decimal", "between", "0", "10")
    assert rate.showErrorMessage and rate.error and rate.prompt.startswith("类型：百分比")
    assert "单位" not in checks


def test_xlsx_template_enumerations_and_group_columns(tmp_path):
    _, book = open_template(ROOT / "policies" / "macheng-2009.jhp", tmp_path)
    sheet = book[FACTS_SHEET]
    assert [c.value for c in sheet[1]][:4] == ["单位", "所属县区", "上级单位", "单位类别"]
    kind = validations_by_column(sheet)["单位类别"]
    assert kind.type == "list" and kind.formula1 == '"乡镇办,开发区,村社区,机关团体,事业单位,国有企业,非公企业"'
    assert "长效节育措施落实率" in validations_by_column(sheet)


def test_xlsx_template_ranged_counts(tmp_path):
    _, book = open_template(ROOT / "policies" / "changge-2008.jhp", tmp_path)
    months = validations_by_column(book[FACTS_SHEET])["按月排查上报月数"]
    assert (months.type, months.operator, months.formula1, months.formula2) == ("whole", "between", "0", "3")


def fill_workbook(path: Path, policy) -> None:
    """Fill in the Excel template as a writer would: values typed into rows 2, 3, 4."""
    book = openpyxl.load_workbook(path)
    sheet = book[FACTS_SHEET]
    for rows_down, row in enumerate(filled_rows(policy), start=2):
        for column, value in enumerate(row, start=1):
            if value:
                number = re.fullmatch(r"\d+(\.\d+)?", value)
                sheet.cell(rows_down, column, (float(value) if "." in value else int(value)) if number else value)
    book.save(path)


@pytest.mark.parametrize("policy_path", POLICIES, ids=lambda p: p.stem)
def test_a_filled_in_xlsx_template_reads_back(policy_path, tmp_path):
    target, _ = open_template(policy_path, tmp_path)
    policy = load_policy(policy_path).policy
    fill_workbook(target, policy)
    table = load_facts(target, policy)
    assert [p.describe() for p in table.problems] == []
    assert [u.name for u in table.units] == ["单位1", "单位2", "单位3"]
    if any(c.header == "上级单位" for c in template_columns(policy)):
        assert table.units[1].parent == "单位1"


def test_a_long_enumeration_takes_its_dropdown_from_a_hidden_sheet(tmp_path):
    choices = [f"很长的选项名称第{i}号类别" for i in range(30)]  # more than Excel's 255 characters inline
    policy = tmp_path / "长枚举.jhp"
    policy.write_text(f"考核 长枚举\n事实\n  类别: 枚举({', '.join(choices)})\n\n"
                      f"项目 甲 10分\n  计分 10分 若 类别 = {choices[0]}\n", encoding="utf-8")
    target, book = open_template(policy, tmp_path)
    assert book.sheetnames == [FACTS_SHEET, NOTES_SHEET, "选项"]
    assert book["选项"].sheet_state == "hidden"
    assert [book["选项"].cell(r, 1).value for r in range(1, 31)] == choices
    check = validations_by_column(book[FACTS_SHEET])["类别"]
    assert (check.type, check.formula1) == ("list", "'选项'!$A$1:$A$30")
    sheet = openpyxl.load_workbook(target)[FACTS_SHEET]
    sheet["A2"], sheet["B2"] = "单位1", choices[29]
    sheet.parent.save(target)
    assert load_facts(target, load_policy(policy).policy).units[0].values["类别"] == choices[29]
