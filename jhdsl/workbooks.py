"""Excel workbooks: the scoring table, the blank facts template and the results.

The one module that writes with openpyxl, imported only when a workbook is asked for: openpyxl
(and numpy, which it loads) would otherwise double the start-up time of every command.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from jhdsl import ast
from jhdsl.display import display_width
from jhdsl.interpreter import ItemResult, UnitResult
from jhdsl.numbers import plain, shown
from jhdsl.render import (
    CHOICES_SHEET,
    FACTS_SHEET,
    HEADERS,
    NOTES_HEADERS,
    NOTES_SHEET,
    SCHEME_HEADER_ROW,
    SCHEME_SHEET,
    TEMPLATE_ROWS,
    Block,
    Cell,
    Part,
    Scheme,
    TemplateColumn,
    cell_text,
    column_notes,
    param_notes,
    spans,
    template_columns,
)
from jhdsl.report import summary_columns

# ---- the scoring table ----------------------------------------------------------------------

_WIDTHS = (16, 64, 10, 16, 12)
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _lines_needed(text: str, width: int) -> int:
    """Lines a wrapped cell takes (Excel does not grow rows by itself for wrapped text)."""
    return sum(max(1, -(-display_width(line) // max(width - 1, 1))) for line in text.split("\n"))


def _set_row(sheet: Worksheet, row: int, cells: Sequence[Cell], row_spans: Sequence[int], widths: Sequence[int],
             header: bool = False) -> None:
    """Write one table row with borders and wrapping; a covered cell gets only the border."""
    lines = 1
    for column, (value, span) in enumerate(zip(cells, row_spans, strict=True), start=1):
        cell = sheet.cell(row, column)
        cell.border = _BORDER
        cell.alignment = _LEFT if widths[column - 1] >= 40 and not header else _CENTRED
        if header:
            cell.font, cell.fill = _BOLD, _HEADER_FILL
        if span:
            cell.value = value
            if span == 1:
                lines = max(lines, _lines_needed(cell_text(value), widths[column - 1]))
    sheet.row_dimensions[row].height = 15 * lines + 3


def _merge_down(sheet: Worksheet, top: int, block: Block) -> None:
    for offset, row_spans in enumerate(spans(block)):
        for column, span in enumerate(row_spans, start=1):
            if span > 1:
                sheet.merge_cells(start_row=top + offset, start_column=column, end_row=top + offset + span - 1,
                                  end_column=column)


def _write_part(sheet: Worksheet, row: int, part: Part) -> int:
    """A part below the table: a bold title, then name | text rows with the text across B:E."""
    sheet.cell(row, 1, part.title).font = _BOLD
    widths = (_WIDTHS[0], sum(_WIDTHS[1:]))
    for cells, header in [(part.headers, True), *((r, False) for r in part.rows)]:
        row += 1
        _set_row(sheet, row, cells, (1, 1), widths, header)
        for column in range(3, len(HEADERS) + 1):
            sheet.cell(row, column).border = _BORDER
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(HEADERS))
    return row


def scheme_workbook(scheme: Scheme) -> Workbook:
    """The table as an Excel sheet with merged category and 考核方式 cells, ready to print."""
    book = Workbook()
    sheet = book.active
    sheet.title = SCHEME_SHEET
    last = get_column_letter(len(HEADERS))
    for row, text, font in ((1, scheme.title, Font(bold=True, size=16)), (2, scheme.info, Font())):
        sheet.cell(row, 1, text).font = font
        sheet.cell(row, 1).alignment = _CENTRED
        sheet.merge_cells(f"A{row}:{last}{row}")
    for column, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = SCHEME_HEADER_ROW
    _set_row(sheet, row, HEADERS, [1] * len(HEADERS), _WIDTHS, header=True)
    for block in scheme.blocks:
        for cells, row_spans in zip(block.rows, spans(block), strict=True):
            row += 1
            _set_row(sheet, row, cells, row_spans, _WIDTHS)
        _merge_down(sheet, row - len(block.rows) + 1, block)
    for part in scheme.parts:
        row = _write_part(sheet, row + 2, part)
    sheet.freeze_panes = f"A{SCHEME_HEADER_ROW + 1}"
    sheet.print_title_rows = f"{SCHEME_HEADER_ROW}:{SCHEME_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return book


# ---- the blank facts sheet -----------------------------------------------------------------

_NOTES_WIDTHS = (24, 16, 50, 10, 50)


def _list_formula(book: Workbook, choices: Sequence[str]) -> str:
    """A dropdown's source: inline when Excel allows it (255 characters, no commas), else a
    range of a hidden 选项 sheet."""
    inline = ",".join(choices)
    if len(inline) <= 255 and not any("," in c or '"' in c for c in choices):
        return f'"{inline}"'
    if CHOICES_SHEET not in book.sheetnames:
        book.create_sheet(CHOICES_SHEET).sheet_state = "hidden"
    sheet = book[CHOICES_SHEET]
    column = get_column_letter(1 if sheet.max_row == 1 and sheet["A1"].value is None else sheet.max_column + 1)
    for row, choice in enumerate(choices, start=1):
        sheet[f"{column}{row}"] = choice
    return f"{quote_sheetname(CHOICES_SHEET)}!${column}$1:${column}${len(choices)}"


def _validation(book: Workbook, column: TemplateColumn) -> DataValidation | None:
    """The Excel check of a column: a dropdown for 是否 and 枚举, a number check for ranges."""
    fact_type = column.fact_type
    if fact_type is None:
        return None
    if fact_type.kind in (ast.BOOL, ast.CHOICE):
        choices = ("是", "否") if fact_type.kind == ast.BOOL else fact_type.choices
        check = DataValidation(type="list", formula1=_list_formula(book, choices))
    elif column.low is not None or column.high is not None:
        kind = "whole" if fact_type.kind == ast.COUNT else "decimal"
        if column.low is not None and column.high is not None:
            check = DataValidation(type=kind, operator="between", formula1=plain(column.low),
                                   formula2=plain(column.high))
        elif column.low is not None:
            check = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=plain(column.low))
        else:
            check = DataValidation(type=kind, operator="lessThanOrEqual", formula1=plain(column.high))
    else:
        return None
    check.allow_blank = True
    check.showErrorMessage = check.showInputMessage = True
    check.errorTitle, check.error = "填写有误", column.rule[:255]
    check.promptTitle, check.prompt = column.header[:32], column_notes(column)[:255]
    return check


def _notes_sheet(book: Workbook, policy: ast.Policy, columns: Sequence[TemplateColumn]) -> None:
    sheet = book.create_sheet(NOTES_SHEET)
    sheet["A1"] = f"{policy.name} 事实采集表 填写说明"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (f"「{FACTS_SHEET}」表第 1 行是列名，请勿改动；每个单位填一行，从第 2 行起。"
                   "填好后运行：jhdsl eval 政策文件 本文件")
    for index, width in enumerate(_NOTES_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    ones = [1] * len(NOTES_HEADERS)
    _set_row(sheet, 4, NOTES_HEADERS, ones, _NOTES_WIDTHS, header=True)
    for row, column in enumerate(columns, start=5):
        _set_row(sheet, row, (column.header, column.kind, column.rule, column.default, column.note), ones,
                 _NOTES_WIDTHS)
    for row, text in enumerate(param_notes(policy), start=len(columns) + 6):
        sheet.cell(row, 1, text)


def template_workbook(policy: ast.Policy) -> Workbook:
    """The Excel template: a 事实 sheet (first, so a reader takes it) whose row 1 holds exactly
    the column names, with a comment, an input message and a check on each column; and a
    填写说明 sheet that lists them all."""
    book = Workbook()
    sheet = book.active
    sheet.title = FACTS_SHEET
    columns = template_columns(policy)
    _notes_sheet(book, policy, columns)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index, column.header)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _CENTRED
        cell.comment = Comment(column_notes(column), "jhdsl", width=320, height=160)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(display_width(column.header) + 4, 40))
        check = _validation(book, column)
        if check is not None:
            check.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "B2"
    return book


# ---- the results ---------------------------------------------------------------------------

_RESULTS_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _leaves(items: Sequence[ItemResult], path: str = ""):
    for item in items:
        name = f"{path}/{item.name}" if path else item.name
        yield name, item
        yield from _leaves(item.children, name)


def _sheet(book, title: str, headers: list[str], rows: list[list], widths: dict[int, int] | None = None):
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _RESULTS_HEADER_FILL
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "B2"
    for index, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _number(text: str):
    """A shown score as an Excel number, so that the sheet can be summed and sorted."""
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def results_workbook(results: Sequence[UnitResult], policy: ast.Policy) -> Workbook:
    """Three sheets: 汇总 (one row per unit), 各项得分 (every item's score), 得分说明 (every line)."""
    book = Workbook()
    book.remove(book.active)
    columns = summary_columns(results, policy)
    rows = [[_number(cell(r)) if numeric else cell(r) for _, cell, numeric in columns] for r in results]
    _sheet(book, "汇总", [h for h, _, _ in columns], rows, {1: 18})

    places = policy.places
    names = [name for name, _ in _leaves(results[0].items)] if results else []
    item_rows = [[r.unit, *(_number(shown(item.score, places)) for _, item in _leaves(r.items))] for r in results]
    _sheet(book, "各项得分", ["单位", *names], item_rows, {1: 18})

    lines = []
    for r in results:
        for name, item in _leaves(r.items):
            lines.extend([r.unit, name, _number(plain(line.amount)), line.text] for line in item.lines)
        for section in r.sections:
            lines.extend([r.unit, section.name, _number(plain(line.amount)), line.text] for line in section.lines)
        lines.extend([r.unit, "总分", _number(plain(line.amount)), line.text] for line in r.lines + r.cut_lines)
    sheet = _sheet(book, "得分说明", ["单位", "项目", "分数", "说明"], lines, {1: 18, 2: 30, 4: 100})
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True)
    return book


def write_workbook(results: Sequence[UnitResult], policy: ast.Policy, path: Path) -> None:
    results_workbook(results, policy).save(path)
