"""Results for publication: a self-contained HTML report (考核情况通报).

It carries the same fields as the table, JSON and CSV of ``report.py`` (and the workbook of
``workbooks.py``); it opens offline (no scripts or styles fetched) and draws its charts as
inline SVG.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

from jhdsl import ast
from jhdsl.interpreter import UnitResult
from jhdsl.numbers import ZERO, plain, shown
from jhdsl.report import explain, summary_columns

# ---- HTML ---------------------------------------------------------------------------------

STYLE = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #bbb; padding: 4px 8px; }
th, td { white-space: nowrap; } td.w { white-space: normal; min-width: 16em; }
th { background: #ddebf7; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.veto td { background: #fde2e2; } details { margin: .5em 0; } summary { cursor: pointer; font-weight: bold; }
pre { white-space: pre-wrap; background: #f7f7f7; padding: .8em; } svg text { font-size: 12px; }
"""

# Records any script error on the page, so that a headless browser test can see it.
GUARD = "window.addEventListener('error', function (e) { document.body.dataset.errors = String(e.message); });"


def _escape(text: object) -> str:
    return html.escape(str(text))


def _summary_table(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    columns = summary_columns(results, policy)
    head = "".join(f"<th>{_escape(h)}</th>" for h, _, _ in columns)
    body = []
    for r in results:
        cells = "".join(f"<td{_cell_class(header, numeric)}>{_escape(cell(r))}</td>"
                        for header, cell, numeric in columns)
        body.append(f"<tr{' class=veto' if r.vetoed else ''}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


WRAPPED = ("结果", "一票否决")


def _cell_class(header: str, numeric: bool) -> str:
    if numeric:
        return " class=n"
    return " class=w" if header in WRAPPED else ""


def _bar_chart(title: str, bars: list[tuple[str, Decimal]], unit: str = "") -> str:
    """A horizontal bar chart as inline SVG: one bar per (label, value)."""
    if not bars:
        return ""
    top = max((v for _, v in bars), default=ZERO) or Decimal(1)
    row, left, width = 22, 150, 420
    parts = [f'<svg role="img" aria-label="{_escape(title)}" width="{left + width + 80}" '
             f'height="{row * len(bars) + 10}" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value) in enumerate(bars):
        y = index * row + 4
        length = int(width * value / top)
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_escape(label)}</text>'
                     f'<rect x="{left}" y="{y}" width="{length}" height="{row - 6}" fill="#5b9bd5"/>'
                     f'<text x="{left + length + 4}" y="{y + 14}">{_escape(plain(value))}{unit}</text>')
    parts.append("</svg>")
    return f"<figure><figcaption>{_escape(title)}</figcaption>{''.join(parts)}</figure>"


def _distribution(results: Sequence[UnitResult]) -> list[tuple[str, Decimal]]:
    """How many units fall in each band of ten points of the total."""
    counts: dict[int, int] = {}
    for r in results:
        band = int(r.total // 10) * 10
        counts[band] = counts.get(band, 0) + 1
    return [(f"{band}–{band + 10}分", Decimal(counts[band])) for band in sorted(counts, reverse=True)]


def _points_lost(results: Sequence[UnitResult], policy: ast.Policy) -> list[tuple[str, Decimal]]:
    """Per top-level item, the points all units together did not get."""
    lost = []
    for index, item in enumerate(policy.items):
        total = sum((r.items[index].points - r.items[index].score for r in results), ZERO)
        lost.append((item.name, total))
    return sorted(lost, key=lambda pair: pair[1], reverse=True)


def results_html(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    """The whole report as one HTML page: summary table, charts, and every unit's breakdown."""
    title = f"{policy.name}考核情况通报" if policy.name else "考核情况通报"
    units = "".join(
        f"<details><summary>{_escape(r.unit)}　{_escape(shown(r.total, policy.places))}分</summary>"
        f"<pre>{_escape(explain(r, policy))}</pre></details>" for r in results)
    charts = (_bar_chart("总分分布（单位个数）", _distribution(results), "个")
              + _bar_chart("各项目失分合计", _points_lost(results, policy), "分"))
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_escape(title)}</title>'
            f"<style>{STYLE}</style><script>{GUARD}</script></head><body>"
            f"<h1>{_escape(title)}</h1><p>共 {len(results)} 个单位。</p>"
            f"<h2>汇总</h2>{_summary_table(results, policy)}<h2>图表</h2>{charts}"
            f"<h2>各单位得分说明</h2>{units}</body></html>")
