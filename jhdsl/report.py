"""Results as a reader sees them: a terminal table, JSON, CSV, and the explanation tree."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from jhdsl import ast
from jhdsl.display import render_table
from jhdsl.interpreter import ItemResult, Line, SectionResult, UnitResult
from jhdsl.numbers import plain, shown

VETOED = "一票否决"


def _grade(result: UnitResult) -> str:
    return VETOED if result.vetoed else (result.grade or "")


def _vetoes(result: UnitResult) -> str:
    return "；".join(v.reason for v in result.vetoes)


def _has_groups(results: Sequence[UnitResult]) -> bool:
    return any(r.group for r in results)


def table(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    """Every unit on one line: total, base, bonus, penalty, grade and vetoes."""
    places = policy.places
    groups = _has_groups(results)
    headers = ["单位", *(["所属县区"] if groups else []), "总分", "基础分", "加分", "减分", "等次", "一票否决"]
    rows = []
    for r in results:
        rows.append([
            r.unit,
            *([r.group or ""] if groups else []),
            shown(r.total, places),
            shown(r.base, places),
            shown(r.bonus, places),
            shown(r.penalty, places),
            _grade(r),
            "、".join(v.name for v in r.vetoes),
        ])
    first_number = 2 if groups else 1
    return render_table(headers, rows, right=set(range(first_number, first_number + 4)))


def csv_text(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    """One row per unit with every top-level item and section, rounded as published."""
    places = policy.places
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    item_names = [i.name for i in policy.items]
    section_names = [s.name for s in policy.sections]
    writer.writerow(["单位", "所属县区", "上级单位", "总分", "基础分", "加分", "减分", "等次", "一票否决",
                     *item_names, *section_names])
    for r in results:
        writer.writerow([
            r.unit, r.group or "", r.parent or "",
            shown(r.total, places), shown(r.base, places), shown(r.bonus, places), shown(r.penalty, places),
            _grade(r), _vetoes(r),
            *(shown(i.score, places) for i in r.items),
            *(shown(s.amount, places) for s in r.sections),
        ])
    return out.getvalue()


def _line_json(line: Line) -> dict:
    where = {"line": line.span.line, "column": line.span.column} if line.span else {}
    return {"amount": plain(line.amount), "text": line.text, **where}


def _item_json(item: ItemResult, places: int) -> dict:
    return {
        "name": item.name,
        "points": plain(item.points),
        "score": shown(item.score, places),
        "score_exact": plain(item.score),
        "start": plain(item.start),
        "lines": [_line_json(li) for li in item.lines],
        "children": [_item_json(c, places) for c in item.children],
    }


def _section_json(section: SectionResult, places: int) -> dict:
    return {
        "name": section.name,
        "kind": "bonus" if section.sign == ast.AWARD else "penalty",
        "cap": plain(section.cap) if section.cap is not None else None,
        "amount": shown(section.amount, places),
        "amount_exact": plain(section.amount),
        "lines": [_line_json(li) for li in section.lines],
        "children": [_section_json(c, places) for c in section.children],
    }


def result_json(result: UnitResult, policy: ast.Policy) -> dict:
    """A unit's whole result as plain JSON data; numbers are decimal strings, never floats."""
    places = policy.places
    return {
        "unit": result.unit,
        "group": result.group,
        "parent": result.parent,
        "total": shown(result.total, places),
        "total_exact": plain(result.total),
        "base": shown(result.base, places),
        "bonus": shown(result.bonus, places),
        "penalty": shown(result.penalty, places),
        "grade": result.grade if not result.vetoed else None,
        "vetoed": result.vetoed,
        "vetoes": [{"name": v.name, "reason": v.reason} for v in result.vetoes],
        "items": [_item_json(i, places) for i in result.items],
        "sections": [_section_json(s, places) for s in result.sections],
        "lines": [_line_json(li) for li in result.lines],
    }


def json_text(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    data = {"policy": policy.name, "units": [result_json(r, policy) for r in results]}
    return json.dumps(data, ensure_ascii=False, indent=2)


# ---- explanation --------------------------------------------------------------------------


def _signed(amount: Decimal) -> str:
    if amount > 0:
        return f"+{plain(amount)}"
    if amount < 0:
        return f"−{plain(-amount)}"
    return "0"


def _lines(lines: Sequence[Line], indent: str) -> list[str]:
    return [f"{indent}{_signed(li.amount):>6}  {li.text}" for li in lines]


def _explain_item(item: ItemResult, places: int, indent: str) -> list[str]:
    out = [f"{indent}{item.name}  {shown(item.score, places)} / {plain(item.points)}分"]
    inner = indent + "  "
    if not item.children and item.start:
        out.append(f"{inner}{'':>6}  从 {plain(item.start)}分 起算")
    for child in item.children:
        out.extend(_explain_item(child, places, inner))
    out.extend(_lines(item.lines, inner))
    return out


def _explain_section(section: SectionResult, places: int, indent: str) -> list[str]:
    word = "加分" if section.sign == ast.AWARD else "减分"
    cap = f"（上限 {plain(section.cap)}分）" if section.cap is not None else ""
    sign = "+" if section.sign == ast.AWARD else "−"
    out = [f"{indent}{word} {section.name}  {sign}{shown(section.amount, places)}{cap}"]
    inner = indent + "  "
    for child in section.children:
        out.extend(_explain_section(child, places, inner))
    out.extend(_lines(section.lines, inner))
    return out


def explain(result: UnitResult, policy: ast.Policy) -> str:
    """Where every point of a unit came from and where every lost point went."""
    places = policy.places
    head = (f"【{result.unit}】 总分 {shown(result.total, places)} = 基础分 {shown(result.base, places)}"
            f" + 加分 {shown(result.bonus, places)} − 减分 {shown(result.penalty, places)}")
    out = [head, f"等次：{_grade(result) or '（未设等次）'}"]
    if result.vetoed:
        out.extend(f"一票否决：{v.reason}" for v in result.vetoes)
    out.append("")
    for item in result.items:
        out.extend(_explain_item(item, places, ""))
    out.extend(_lines(result.lines, ""))
    for section in result.sections:
        out.extend(_explain_section(section, places, ""))
    return "\n".join(out)
