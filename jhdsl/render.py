"""Publishing a policy: the official scoring table (评分标准) as Markdown, HTML or Excel, and a
blank facts sheet (事实采集表) as CSV or Excel that ``jhdsl eval`` reads back unchanged.

The scoring table is built once as plain data (:class:`Scheme`) and then written by one small
writer per format, so that the three formats cannot drift apart. Cells that the offices merge
in their Word tables (the category, and a 考核方式 shared by the rows below it) are worked out
once too, as row spans, and each writer shows them its own way: HTML with ``rowspan``, Excel
with merged cells, Markdown (which cannot merge) by leaving the covered cells empty.

The facts sheet has exactly one header row whose cells are the fact names, so that it reads
back as it is; what a column wants (type, range, default) is told beside it: in Excel in a
comment on the header, an input message, a data validation and a 填写说明 sheet; for CSV on
standard error.
"""

from __future__ import annotations

import csv
import html
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from jhdsl import ast
from jhdsl.display import render_diagnostic
from jhdsl.facts import default_value
from jhdsl.numbers import plain
from jhdsl.pipeline import load_policy

if TYPE_CHECKING:
    from openpyxl import Workbook

HEADERS = ("项目及分值", "考核内容", "分值", "考核方式", "责任科室")
MERGED_COLUMNS = (0, 3)
"""The columns whose equal neighbouring cells are merged: the category, and 考核方式 (as in the
offices' tables, where one method is written once for a whole category)."""

Cell = str | Decimal


# ---- the scoring table as data -------------------------------------------------------------


@attrs.frozen
class Block:
    """One category of the table: its rows of five cells, each starting with the category's
    label (领导重视（10）), which the writers merge."""

    rows: tuple[tuple[Cell, ...], ...]


@attrs.frozen
class Part:
    """A small two-column table after the main one: 一票否决, 等次, 资格, 排名, 结果, …"""

    title: str
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


@attrs.frozen
class Scheme:
    """The whole published scheme: title, a line of facts about it, the table, the parts."""

    title: str
    info: str
    blocks: tuple[Block, ...]
    parts: tuple[Part, ...]


def build_scheme(policy: ast.Policy) -> Scheme:
    """The scoring table of a checked policy, ready for any writer."""
    blocks = [_item_block(item) for item in policy.items]
    blocks += [_section_block(section) for section in policy.sections]
    return Scheme(policy.name, _info(policy), tuple(blocks), tuple(all_parts(policy)))


def _info(policy: ast.Policy) -> str:
    header = policy.header
    facts = []
    if header and header.doc_number:
        facts.append(f"文号：{header.doc_number}")
    if header and header.target:
        facts.append(f"考核对象：{header.target}")
    facts.append(f"满分：{plain(policy.full_marks)}分")
    return "；".join(facts)


def _item_block(item: ast.Item) -> Block:
    """A top-level item: one row per item beneath it, or its own row when it is a leaf.

    考核方式 and 责任科室 are inherited from the nearest item above that states them, which is
    what a merged cell in the offices' tables means.
    """
    label = f"{item.name}（{plain(item.points.value)}）"
    method, office = item.method or "", item.office or ""
    if not item.children:
        return Block((_item_row(item, label, method, office),))
    return Block(tuple(_descendant_rows(item, label, method, office)))


def _descendant_rows(item: ast.Item, label: str, method: str, office: str) -> Iterator[tuple[Cell, ...]]:
    for child in item.children:
        child_method, child_office = child.method or method, child.office or office
        yield _item_row(child, label, child_method, child_office)
        yield from _descendant_rows(child, label, child_method, child_office)


def _item_row(item: ast.Item, label: str, method: str, office: str) -> tuple[Cell, ...]:
    return (label, item.content or item.name, item.points.value, method, office)


def _section_block(section: ast.Section) -> Block:
    """A 加分 or 减分 section as one row, its sub-sections numbered in the content cell (as the
    offices write 亮点工作); 分值 tells its kind and cap."""
    kind = "加分" if section.sign == ast.AWARD else "减分"
    notes = [f"上限 {section.cap}"] if section.cap is not None else []
    if section.highest_only:
        notes.append("取最高")
    points = f"{kind}（{'，'.join(notes)}）" if notes else kind
    return Block(((section.name, "\n".join(_section_lines(section)), points, "", ""),))


def _section_lines(section: ast.Section, depth: int = 0) -> list[str]:
    lines = [section.content] if section.content else []
    if section.gate is not None:
        lines.append(f"（{ast.expr_text(section.gate)} 时计）")
    for number, child in enumerate(section.children, start=1):
        inner = _section_lines(child, depth + 1) or [child.name]
        cap = f"（上限 {child.cap}）" if child.cap is not None else ""
        mark = f"{number}、" if depth == 0 else f"（{number}）"
        lines.append(f"{mark}{inner[0]}{cap}")
        lines.extend(inner[1:])
    return lines


# ---- the parts after the table -------------------------------------------------------------


def _veto_part(policy: ast.Policy) -> Part:
    def text(veto: ast.Veto) -> str:
        climb = {0: "", 1: "（上否一级）"}.get(veto.climb, f"（上否 {veto.climb} 级）")
        return (veto.content or f"若 {ast.expr_text(veto.condition)}") + climb

    return Part("一票否决", ("否决事项", "内容"), tuple((v.name, text(v)) for v in ast.all_vetoes(policy)))


def _share_cut_part(policy: ast.Policy) -> Part:
    return Part("扣减", ("扣减", "条件"), tuple(
        (f"扣减总分的 {cut.share}", cut.content or f"若 {ast.expr_text(cut.condition)}") for cut in policy.share_cuts))


def band_text(band: ast.Band) -> str:
    """A grade's interval as a reader writes it: 80 ≤ 总分 < 90, 总分 ≥ 90, 其余."""
    low, high = band.low, band.high
    if low is not None and high is not None:
        return (f"{plain(low.value)} {'≤' if low.inclusive else '<'} 总分 "
                f"{'≤' if high.inclusive else '<'} {plain(high.value)}")
    if low is not None:
        return f"总分 {'≥' if low.inclusive else '>'} {plain(low.value)}"
    if high is not None:
        return f"总分 {'≤' if high.inclusive else '<'} {plain(high.value)}"
    return "其余"


def _band_part(policy: ast.Policy) -> Part:
    return Part("等次", ("等次", "总分"), tuple((band.name, band_text(band)) for band in policy.bands))


def _combination_part(policy: ast.Policy) -> Part | None:
    combination = policy.combination
    if combination is None:
        return None

    def text(component: ast.Component) -> str:
        if component.source is not None:
            source = f"事实「{component.source}」"
        elif component.source_file is not None:
            source = f"政策文件「{component.source_file}」的总分"
        else:
            source = "本办法总分" + (f"（{component.period}）" if component.period else "")
        if component.share is not None:
            source += f" × {component.share}"
        if component.rescale is not None:
            source += f"，折合 {component.rescale}"
        if component.condition is not None:
            source += f"（若 {ast.expr_text(component.condition)}）"
        return source

    return Part(f"组成：{combination.name}", ("组成部分", "计法"),
                tuple((c.name, text(c)) for c in combination.components))


def _eligibility_part(policy: ast.Policy) -> Part | None:
    if policy.eligibility is None:
        return None
    rows = [("必须", ast.expr_text(c.expr)) for c in policy.eligibility.requirements]
    rows += [("排除", ast.expr_text(c.expr)) for c in policy.eligibility.exclusions]
    return Part("资格", ("类别", "条件"), tuple(rows))


def _ranking_part(policy: ast.Policy) -> Part:
    def text(ranking: ast.Ranking) -> str:
        order = "从低到高" if ranking.ascending else "从高到低"
        words = [f"按 {ranking.key or '总分'} {order}排列"]
        if ranking.in_group:
            words.append("组内排名（按所属县区分组）")
        if ranking.has_tie_break:
            words.append(f"同分按 {ranking.tie_break or '总分'}")
        return "，".join(words)

    return Part("排名", ("排名", "方法"), tuple((r.name, text(r)) for r in policy.rankings))


def _quota_parts(policy: ast.Policy) -> list[Part]:
    parts = []
    for table in policy.quotas:
        total = f"（合计 {table.stated_total}）" if table.stated_total is not None else ""
        parts.append(Part(f"名额：{table.name}{total}", ("县区", "名额"),
                          tuple((row.group, str(row.count)) for row in table.rows)))
    return parts


def outcome_text(outcome: ast.Outcome) -> str:
    """Who receives an outcome and what it brings, in one line."""
    match outcome.select:
        case "top":
            words = [f"{outcome.ranking} 前 {outcome.count}"]
        case "bottom":
            words = [f"{outcome.ranking} 后 {outcome.count}"]
        case "quota":
            words = [f"{outcome.ranking} 在名额「{outcome.quota}」内"]
        case _:
            words = [f"若 {ast.expr_text(outcome.condition)}"]
    if outcome.hand_down:
        words.append(f"已获得{'、'.join(outcome.hand_down)}的顺延")
    if outcome.reward is not None:
        words.append(f"奖励 {outcome.reward}")
    if outcome.fine is not None:
        words.append(f"罚款 {outcome.fine}")
    if outcome.veto:
        words.append("一票否决")
    text = "；".join(words)
    return f"{outcome.content}\n（{text}）" if outcome.content else text


def _outcome_part(policy: ast.Policy) -> Part:
    return Part("结果", ("结果", "条件与奖惩"), tuple((o.name, outcome_text(o)) for o in policy.outcomes))


def all_parts(policy: ast.Policy) -> list[Part]:
    """The parts after the table, in the order a reader needs them; empty ones left out."""
    parts = [_veto_part(policy), _share_cut_part(policy), _band_part(policy), _combination_part(policy),
             _eligibility_part(policy), _ranking_part(policy), *_quota_parts(policy), _outcome_part(policy)]
    return [part for part in parts if part is not None and part.rows]


# ---- merged cells --------------------------------------------------------------------------


def run_lengths(values: Sequence[Cell]) -> list[int]:
    """How many rows each cell covers when equal non-empty neighbours are merged; 0 for a cell
    covered by the one above."""
    lengths = [0] * len(values)
    start = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or not values[start] or values[index] != values[start]:
            lengths[start] = index - start
            start = index
    return lengths


def spans(block: Block) -> list[list[int]]:
    """The row span of every cell of a block (1 for the cells that are never merged)."""
    grid = [[1] * len(HEADERS) for _ in block.rows]
    for column in MERGED_COLUMNS:
        for row, length in enumerate(run_lengths([cells[column] for cells in block.rows])):
            grid[row][column] = length
    return grid


def cell_text(value: Cell) -> str:
    return plain(value) if isinstance(value, Decimal) else value


# ---- Markdown ------------------------------------------------------------------------------


def _md_row(cells: Sequence[str]) -> str:
    escaped = (cell.replace("|", "\\|").replace("\n", "<br>") for cell in cells)
    return "| " + " | ".join(escaped) + " |"


def scheme_markdown(scheme: Scheme) -> str:
    """The table in Markdown. Markdown cannot merge cells, so a merged cell is written in its
    first row and left empty below, which reads like the printed table."""
    out = [f"# {scheme.title}", "", scheme.info, "", _md_row(HEADERS), "| --- | --- | :---: | :---: | :---: |"]
    for block in scheme.blocks:
        for cells, row_spans in zip(block.rows, spans(block), strict=True):
            out.append(_md_row([cell_text(c) if span else "" for c, span in zip(cells, row_spans, strict=True)]))
    for part in scheme.parts:
        out += ["", f"## {part.title}", "", _md_row(part.headers), "| --- | --- |", *map(_md_row, part.rows)]
    return "\n".join(out) + "\n"


# ---- HTML ----------------------------------------------------------------------------------

_HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "SimSun", "Songti SC", serif; margin: 2em auto; max-width: 60em; }}
h1 {{ text-align: center; font-size: 1.5em; }}
p.info {{ text-align: center; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }}
th, td {{ border: 1px solid #000; padding: 0.3em 0.5em; vertical-align: middle; }}
th, td.category, td.points, td.method, td.office, td.name {{ text-align: center; }}
th {{ background: #eee; }}
th, td.points, td.office {{ white-space: nowrap; }}
@media print {{ body {{ margin: 0; }} thead {{ display: table-header-group; }} }}
</style>
</head>
<body>
{body}
</body>
</html>
"""

_CLASSES = ("category", "content", "points", "method", "office")


def _html_text(value: Cell) -> str:
    return html.escape(cell_text(value)).replace("\n", "<br>")


def _html_row(cells: Sequence[Cell], classes: Sequence[str], row_spans: Sequence[int] | None = None) -> str:
    row_spans = row_spans or [1] * len(cells)
    tds = [f'<td class="{cls}"{f" rowspan={span}" if span > 1 else ""}>{_html_text(value)}</td>'
           for value, cls, span in zip(cells, classes, row_spans, strict=True) if span]
    return "<tr>" + "".join(tds) + "</tr>"


def _html_head(headers: Sequence[str]) -> str:
    return "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr></thead>"


def scheme_html(scheme: Scheme) -> str:
    """The table as one self-contained HTML page (no outside files), for the web or print."""
    body = [f"<h1>{html.escape(scheme.title)}</h1>", f'<p class="info">{html.escape(scheme.info)}</p>',
            '<table class="scheme">', _html_head(HEADERS), "<tbody>"]
    for block in scheme.blocks:
        for cells, row_spans in zip(block.rows, spans(block), strict=True):
            body.append(_html_row(cells, _CLASSES, row_spans))
    body.append("</tbody></table>")
    for part in scheme.parts:
        body += [f"<h2>{html.escape(part.title)}</h2>", '<table class="part">', _html_head(part.headers), "<tbody>",
                 *(_html_row(row, ("name", "text")) for row in part.rows), "</tbody></table>"]
    return _HTML_PAGE.format(title=html.escape(scheme.title), body="\n".join(body))


# ---- Excel: the scoring table --------------------------------------------------------------

SCHEME_SHEET = "评分标准"
SCHEME_HEADER_ROW = 3
"""Row 1 holds the title and row 2 the 文号/对象/满分 line; the table's header is row 3."""

# ---- the blank facts sheet -----------------------------------------------------------------

FACTS_SHEET = "事实"
NOTES_SHEET = "填写说明"
CHOICES_SHEET = "选项"
TEMPLATE_ROWS = 1000
"""Rows (after the header) that carry the dropdowns and checks of the Excel template."""

UNIT_COLUMN, GROUP_COLUMN, PARENT_COLUMN = "单位", "所属县区", "上级单位"
NOTES_HEADERS = ("列名", "类型", "填写要求", "不填时按", "说明")


@attrs.frozen
class TemplateColumn:
    """One column of the facts sheet: its header (exactly what ``load_facts`` expects) and
    what it wants, for the comment, the 填写说明 sheet and the validation."""

    header: str
    kind: str
    rule: str
    default: str = ""
    note: str = ""
    fact_type: ast.FactType | None = None
    low: Decimal | None = None
    high: Decimal | None = None


def uses_groups(policy: ast.Policy) -> bool:
    """Whether units must say their group: a ranking within groups, or places per group."""
    return bool(policy.quotas) or any(r.in_group for r in policy.rankings) or any(
        o.select == "quota" for o in policy.outcomes)


def uses_parents(policy: ast.Policy) -> bool:
    """Whether units must name their parent: a 一票否决 that climbs (上否)."""
    return any(veto.climb for veto in ast.all_vetoes(policy))


def template_columns(policy: ast.Policy) -> list[TemplateColumn]:
    """Every column of the facts sheet, in the order of the policy's declarations."""
    columns = [TemplateColumn(UNIT_COLUMN, "文字", "被考核单位的名称；每个单位一行，名称不可重复")]
    if uses_groups(policy):
        groups = [row.group for table in policy.quotas for row in table.rows]
        known = f"；名额表中的县区：{'、'.join(dict.fromkeys(groups))}" if groups else ""
        columns.append(TemplateColumn(GROUP_COLUMN, "文字", f"单位所属的县区：组内排名和名额按这一列分组{known}"))
    if uses_parents(policy):
        columns.append(TemplateColumn(PARENT_COLUMN, "文字", "一票否决「上否」时，否决传给这一列所写的单位"
                                                           "（须是表中的另一个单位）；没有上级的留空"))
    members = {li.name: li.members for li in policy.lists}
    for fact in policy.facts:
        for member in members.get(fact.keyed_by, ()) if fact.keyed_by else (None,):
            columns.append(_fact_column(fact, member))
    return columns


def _bounds(fact: ast.Fact) -> tuple[Decimal | None, Decimal | None]:
    """The values a fact may take: its declared range within what its type allows."""
    low = fact.low.value if fact.low is not None else None
    high = fact.high.value if fact.high is not None else None
    if fact.type.kind in (ast.COUNT, ast.PERCENT):
        low = Decimal(0) if low is None else max(low, Decimal(0))
    if fact.type.kind == ast.PERCENT:
        high = Decimal(100) if high is None else min(high, Decimal(100))
    return low, high


def _range_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"{plain(low)} 至 {plain(high)}"
    if low is not None:
        return f"不小于 {plain(low)}"
    return f"不大于 {plain(high)}" if high is not None else ""


def _rule(fact: ast.Fact, low: Decimal | None, high: Decimal | None) -> str:
    """What to write in a fact's cells, in words."""
    kind = fact.type.kind
    if kind == ast.BOOL:
        return "填「是」或「否」"
    if kind == ast.CHOICE:
        return f"填其中之一：{'、'.join(fact.type.choices)}"
    limits = _range_text(low, high)
    if kind == ast.PERCENT:
        return f"填数，{limits}；97.5 即 97.5%（不要填成 0.975）"
    if kind == ast.COUNT:
        return f"填整数，{limits}"
    what = "金额（元），也可写「3万元」" if kind == ast.MONEY else "一个数"
    return f"填{what}" + (f"，{limits}" if limits else "")


def _default_text(fact: ast.Fact) -> str:
    value = default_value(fact)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return plain(value) if isinstance(value, Decimal) else value


def _fact_column(fact: ast.Fact, member: str | None) -> TemplateColumn:
    low, high = _bounds(fact)
    header = f"{fact.name}[{member}]" if member else fact.name
    note = "；".join(filter(None, [f"「{fact.keyed_by}」中「{member}」一项" if member else "", fact.note or ""]))
    return TemplateColumn(header, fact.type.kind, _rule(fact, low, high), _default_text(fact), note, fact.type,
                          low, high)


def column_notes(column: TemplateColumn) -> str:
    """Everything a writer needs to know about a column, a few short lines."""
    lines = [f"类型：{column.kind}", column.rule]
    if column.default:
        lines.append(f"可不填，不填按「{column.default}」")
    if column.note:
        lines.append(f"说明：{column.note}")
    return "\n".join(lines)


def param_notes(policy: ast.Policy) -> list[str]:
    """Parameters are set for the whole run, not per unit: say how, since they have no column."""
    return [f"参数「{p.name}」（{p.type}）不在表中填写：评分时用 --set {p.name}=值 给出" for p in policy.params]


def template_csv(policy: ast.Policy) -> str:
    """The CSV template: the header row alone. A CSV cell cannot hold a note without
    becoming data, so the notes go to :func:`notes_table` instead."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([c.header for c in template_columns(policy)])
    return out.getvalue()


def notes_lines(policy: ast.Policy) -> list[str]:
    """What every column wants, a line each (for the CSV template, on standard error)."""
    lines = []
    for column in template_columns(policy):
        words = [column.kind, column.rule]
        if column.default:
            words.append(f"可不填，不填按「{column.default}」")
        if column.note:
            words.append(f"说明：{column.note}")
        lines.append(f"{column.header}：{'；'.join(words)}")
    return lines + param_notes(policy)


# ---- the commands --------------------------------------------------------------------------

def _workbook(builder: str) -> Callable:
    """A builder of ``jhdsl.workbooks``, imported when called: openpyxl is slow to load and
    most runs never write a workbook."""
    def build(subject):
        from jhdsl import workbooks
        return getattr(workbooks, builder)(subject)
    return build


RENDERERS: dict[str, Callable[[Scheme], str | Workbook]] = {
    "md": scheme_markdown, "html": scheme_html, "xlsx": _workbook("scheme_workbook"),
}
TEMPLATES: dict[str, Callable[[ast.Policy], str | Workbook]] = {
    "csv": template_csv, "xlsx": _workbook("template_workbook"),
}
_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".xlsx": "xlsx", ".csv": "csv"}


def _fail(message: str) -> None:
    """Stop with a Chinese message and exit code 1. (Not ``click.ClickException``: the
    ``jhdsl`` group runs click in non-standalone mode and would let it escape.)"""
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def _load(path: str) -> ast.Policy:
    """The checked policy, or exit: 2 when the file is missing (a usage mistake, as for the
    other verbs), 1 when the policy has errors, each shown as ``jhdsl check`` shows it."""
    if not Path(path).is_file():
        raise click.UsageError(f"找不到文件「{path}」" if not Path(path).exists() else f"「{path}」不是文件")
    loaded = load_policy(path)
    for diag in loaded.errors:
        click.echo(render_diagnostic(diag, loaded.lines_of(diag.span.file if diag.span else None)) + "\n", err=True)
    if loaded.errors:
        _fail(f"政策有 {len(loaded.errors)} 个错误，未生成")
    if loaded.warnings:
        click.echo(f"提示：政策有 {len(loaded.warnings)} 个警告，可运行 jhdsl check {path} 查看", err=True)
    return loaded.policy


def _choose_format(given: str | None, output: str | None, choices: Sequence[str]) -> str:
    """The format asked for, else the one the output file's suffix names, else the first."""
    if given is not None:
        return given
    guessed = _SUFFIXES.get(Path(output).suffix.lower()) if output else None
    if output and guessed not in choices:
        raise click.UsageError(f"无法从文件名「{output}」看出格式：请用 --format 指定（{'、'.join(choices)}）")
    return guessed or choices[0]


_WRITE_PROBLEMS = ((IsADirectoryError, "这是一个目录"), (FileNotFoundError, "所在目录不存在"),
                   (PermissionError, "没有写入权限"))


def _write(document: str | Workbook, output: str | None, bom: bool = False) -> None:
    """Write text or a workbook to ``output`` (text to standard output when there is none)."""
    if output is None:
        click.echo(("\ufeff" if bom else "") + document, nl=False)
        return
    try:
        if isinstance(document, str):
            Path(output).write_text(("\ufeff" if bom else "") + document, encoding="utf-8")
        else:
            document.save(output)
    except OSError as error:
        reason = next((text for kind, text in _WRITE_PROBLEMS if isinstance(error, kind)), error.strerror or error)
        _fail(f"无法写入「{output}」：{reason}")
    click.echo(f"已写出 {output}", err=True)


def _output_options(formats: Sequence[str], what: str):
    """The ``--format`` and ``-o`` options shared by both commands."""
    def decorate(command):
        command = click.option("-o", "--output", type=click.Path(), metavar="文件",
                               help="写入这个文件（默认写到标准输出；xlsx 必须给出） (output file)")(command)
        return click.option("--format", "output_format", type=click.Choice(list(formats)), default=None,
                            help=f"{what}的格式；不给时按 -o 的后缀，否则为 {formats[0]} (output format)")(command)
    return decorate


@click.command("render")
@click.argument("policy", type=click.Path())
@_output_options(tuple(RENDERERS), "评分标准表")
def render_command(policy: str, output_format: str | None, output: str | None) -> None:
    """生成公开发布用的评分标准表 (render the official scoring table).

    \b
    表头：项目及分值 | 考核内容 | 分值 | 考核方式 | 责任科室；
    大类和共用的考核方式合并单元格（Markdown 中只在第一行写出），
    其后是加分、减分各节，以及一票否决、等次、资格、排名、结果等。
    例：jhdsl render 办法.jhp --format xlsx -o 评分标准.xlsx
    """
    chosen = _choose_format(output_format, output, tuple(RENDERERS))
    if chosen == "xlsx" and output is None:
        raise click.UsageError("xlsx 格式须用 -o 指定输出文件")
    _write(RENDERERS[chosen](build_scheme(_load(policy))), output)


@click.command("template")
@click.argument("policy", type=click.Path())
@_output_options(tuple(TEMPLATES), "事实采集表")
def template_command(policy: str, output_format: str | None, output: str | None) -> None:
    """生成空白的事实采集表，填好后可直接交给 jhdsl eval (a blank facts sheet).

    \b
    每个事实一列，列名就是事实名称（按列表分项的事实为「事实[成员]」），
    另有「单位」列，政策分组排名或有名额时加「所属县区」列，有上否时加「上级单位」列。
    xlsx：列名批注写明类型和范围，是否、枚举有下拉框，数值有范围校验，另附「填写说明」表。
    csv：只有列名一行；各列的类型和范围打印到标准错误。
    例：jhdsl template 办法.jhp -o 事实.xlsx
    """
    chosen = _choose_format(output_format, output, tuple(TEMPLATES))
    if chosen == "xlsx" and output is None:
        raise click.UsageError("xlsx 格式须用 -o 指定输出文件")
    loaded = _load(policy)
    _write(TEMPLATES[chosen](loaded), output, bom=chosen == "csv")
    if chosen == "csv":
        click.echo("各列的填写要求：\n" + "\n".join(notes_lines(loaded)), err=True)
