"""Results as a reader sees them: a terminal table, JSON, CSV, and the explanation tree."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal

from jhdsl import ast
from jhdsl.display import render_table
from jhdsl.interpreter import ItemResult, Line, SectionResult, UnitResult
from jhdsl.numbers import approx, plain, shown
from jhdsl.outcomes import money_text

VETOED = "一票否决"


def grade_text(result: UnitResult) -> str:
    return VETOED if result.vetoed else (result.grade or "")


def _rank(result: UnitResult, name: str) -> str:
    place = next((p for p in result.ranks if p.ranking == name), None)
    return f"{place.rank}/{place.size}" if place else ""


def _outcomes(result: UnitResult) -> str:
    return "、".join(a.name + (f"（{money_text(a.money)}）" if a.money is not None else "") for a in result.outcomes)


def _component(result: UnitResult, name: str, places: int) -> str:
    line = next((line for line in result.components if line.text.startswith(f"{name}：")), None)
    return shown(line.amount, places) if line is not None else ""


def _money(result: UnitResult) -> str:
    """The money of all a unit's outcomes together, in yuan: rewards less fines."""
    amounts = [a.money for a in result.outcomes if a.money is not None]
    return plain(sum(amounts, Decimal(0))) if amounts else ""


def _eligible(result: UnitResult) -> str:
    return {True: "符合", False: "不符合", None: ""}[result.eligible]


Column = tuple[str, Callable[[UnitResult], str], bool]  # header, cell, right-aligned


def summary_columns(results: Sequence[UnitResult], policy: ast.Policy) -> list[Column]:
    """The columns of the results table, those that the policy and its units use."""
    places = policy.places
    columns: list[Column] = [("单位", lambda r: r.unit, False)]
    if any(r.group for r in results):
        columns.append(("所属县区", lambda r: r.group or "", False))
    columns.append(("总分", lambda r: shown(r.total, places), True))
    if policy.combination is not None:
        for name in dict.fromkeys(c.name for c in policy.combination.components):
            columns.append((name, functools.partial(_component, name=name, places=places), True))
    columns += [
        ("基础分", lambda r: shown(r.base, places), True),
        ("加分", lambda r: shown(r.bonus, places), True),
        ("减分", lambda r: shown(r.penalty, places), True),
    ]
    if policy.share_cuts:
        columns.append(("扣减", lambda r: shown(r.cut, places), True))
    columns.append(("等次", grade_text, False))
    for ranking in policy.rankings:
        columns.append((ranking.name, functools.partial(_rank, name=ranking.name), True))
    if policy.outcomes:
        columns.append(("结果", _outcomes, False))
    if any(o.reward is not None or o.fine is not None for o in policy.outcomes):
        columns.append(("奖惩金额", _money, True))
    if policy.eligibility is not None:
        columns.append(("资格", _eligible, False))
    columns.append(("一票否决", lambda r: "、".join(v.name for v in r.vetoes), False))
    return columns


def table(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    """Every unit on one line: total, base, bonus, penalty, grade, ranks, outcomes, vetoes."""
    columns = summary_columns(results, policy)
    rows = [[cell(r) for _, cell, _ in columns] for r in results]
    right = {i for i, (_, _, is_number) in enumerate(columns) if is_number}
    return render_table([header for header, _, _ in columns], rows, right=right)


def csv_text(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    """One row per unit: the table's columns, the reasons, and every top-level item and section."""
    places = policy.places
    columns = [c for c in summary_columns(results, policy) if c[0] not in ("所属县区", "一票否决")]
    columns[1:1] = [("所属县区", lambda r: r.group or "", False), ("上级单位", lambda r: r.parent or "", False)]
    columns.append(("一票否决", lambda r: "；".join(v.reason for v in r.vetoes), False))
    if policy.eligibility is not None:
        columns.append(("不符合资格的原因", lambda r: "；".join(r.ineligible), False))
    for index, item in enumerate(policy.items):
        columns.append((item.name, lambda r, i=index: shown(r.items[i].score, places), True))
    for index, section in enumerate(policy.sections):
        columns.append((section.name, lambda r, i=index: shown(r.sections[i].amount, places), True))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header for header, _, _ in columns])
    for r in results:
        writer.writerow([cell(r) for _, cell, _ in columns])
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
        "applicable": item.applicable,
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
        "cut": shown(result.cut, places),
        "eligible": result.eligible,
        "ineligible": list(result.ineligible),
        "ranks": [{"ranking": p.ranking, "rank": p.rank, "of": p.size, "group": p.group, "tied": p.tied}
                  for p in result.ranks],
        "outcomes": [{"name": a.name, "reason": a.reason, "money": plain(a.money) if a.money is not None else None,
                      "veto": a.veto} for a in result.outcomes],
        "items": [_item_json(i, places) for i in result.items],
        "sections": [_section_json(s, places) for s in result.sections],
        "lines": [_line_json(li) for li in (*result.lines, *result.cut_lines)],
        "components": [_line_json(li) for li in result.components],
    }


def json_text(results: Sequence[UnitResult], policy: ast.Policy) -> str:
    data = {"policy": policy.name, "units": [result_json(r, policy) for r in results]}
    return json.dumps(data, ensure_ascii=False, indent=2)


# ---- explanation --------------------------------------------------------------------------


def _signed(amount: Decimal) -> str:
    if amount > 0:
        return f"+{approx(amount)}"
    if amount < 0:
        return f"−{approx(-amount)}"
    return "0"


def _lines(lines: Sequence[Line], indent: str) -> list[str]:
    return [f"{indent}{_signed(li.amount):>6}  {li.text}" for li in lines]


def explain_item(item: ItemResult, places: int, indent: str) -> list[str]:
    score = shown(item.score, places) if item.applicable else "不适用"
    out = [f"{indent}{item.name}  {score} / {plain(item.points)}分"]
    inner = indent + "  "
    if not item.children and item.start:
        out.append(f"{inner}{'':>6}  从 {plain(item.start)}分 起算")
    for child in item.children:
        out.extend(explain_item(child, places, inner))
    out.extend(_lines(item.lines, inner))
    return out


def explain_section(section: SectionResult, places: int, indent: str) -> list[str]:
    word = "加分" if section.sign == ast.AWARD else "减分"
    cap = f"（上限 {plain(section.cap)}分）" if section.cap is not None else ""
    sign = "" if not section.amount else "+" if section.sign == ast.AWARD else "−"
    out = [f"{indent}{word} {section.name}  {sign}{shown(section.amount, places)}{cap}"]
    inner = indent + "  "
    for child in section.children:
        out.extend(explain_section(child, places, inner))
    out.extend(_lines(section.lines, inner))
    return out


def explain(result: UnitResult, policy: ast.Policy) -> str:
    """Where every point of a unit came from and where every lost point went."""
    places = policy.places
    cut = f" − 扣减 {shown(result.cut, places)}" if result.cut else ""
    own = result.base + result.bonus - result.penalty - result.cut
    breakdown = (f"{shown(own, places)} = 基础分 {shown(result.base, places)} + 加分 {shown(result.bonus, places)}"
                 f" − 减分 {shown(result.penalty, places)}{cut}")
    head = f"【{result.unit}】 总分 {breakdown}"
    if result.components:
        parts = " + ".join(f"{line.text.split('：')[0]} {shown(line.amount, places)}" for line in result.components)
        head = f"【{result.unit}】 总分 {shown(result.total, places)} = {parts}\n本办法得分 {breakdown}"
    out = [head, f"等次：{grade_text(result) or '（未设等次）'}"]
    out.extend(f"排名：{p.ranking}{f'（{p.group}）' if p.group else ''}{'并列' if p.tied else ''}第 {p.rank} 名"
               f"（共 {p.size} 个）" for p in result.ranks)
    out.extend(f"结果：{a.name}" + (f"，{money_text(a.money)}" if a.money is not None else "") + f"——{a.reason}"
               for a in result.outcomes)
    if result.eligible is not None:
        out.append("资格：符合" if result.eligible else "资格：不符合——" + "；".join(result.ineligible))
    out.extend(f"一票否决：{v.reason}" for v in result.vetoes)
    out.append("")
    for item in result.items:
        out.extend(explain_item(item, places, ""))
    out.extend(_lines(result.lines, ""))
    for section in result.sections:
        out.extend(explain_section(section, places, ""))
    out.extend(_lines(result.cut_lines, ""))
    if result.components:
        out.extend(["", f"{policy.combination.name}："])
        out.extend(_lines(result.components, ""))
    return "\n".join(out)
