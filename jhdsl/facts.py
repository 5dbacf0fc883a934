"""Reading the facts of every unit (CSV or JSON) and validating them against the policy.

A bad value fails only its own unit: the unit is reported with the fact and the value, and
every other unit is still scored. Problems of the file as a whole (an unknown column, a rate
column that looks like fractions) are reported once.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs

from jhdsl import ast
from jhdsl.errors import BadValue, FactsError, suggestion
from jhdsl.numbers import plain

UNIT_COLUMNS = ("单位", "被考核单位", "单位名称", "名称")
GROUP_COLUMNS = ("所属县区", "县区", "分组")
PARENT_COLUMNS = ("上级单位", "上级")

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "t"}
FALSE_WORDS = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "f"}

Value = Decimal | bool | str


@attrs.frozen
class Unit:
    """One assessed unit: its name, group and parent, and its validated fact values.

    A fact kept per member of a list has a dict member → value.
    """

    name: str
    values: Mapping[str, Value | Mapping[str, Value]]
    group: str | None = None
    parent: str | None = None


@attrs.frozen
class FactProblem:
    """Something wrong with the facts: of one unit (``unit`` set) or of the whole file."""

    message: str
    unit: str | None = None
    fact: str | None = None
    value: str | None = None
    where: str | None = None
    hint: str | None = None
    warning: bool = False

    def describe(self) -> str:
        where = []
        if self.where is not None:
            where.append(self.where)
        if self.unit is not None:
            where.append(f"单位「{self.unit}」")
        if self.fact is not None:
            where.append(f"事实「{self.fact}」")
        head = "，".join(where)
        value = f"（值：「{self.value}」）" if self.value is not None else ""
        hint = f"；{self.hint}" if self.hint else ""
        return f"{head}：{self.message}{value}{hint}" if head else f"{self.message}{value}{hint}"


@attrs.frozen
class FactsTable:
    """The units that can be scored, and every problem found while reading them."""

    units: tuple[Unit, ...]
    problems: tuple[FactProblem, ...]

    @property
    def failed_units(self) -> list[str]:
        return list(dict.fromkeys(p.unit for p in self.problems if p.unit is not None and not p.warning))

    @property
    def file_errors(self) -> list[FactProblem]:
        return [p for p in self.problems if p.unit is None and not p.warning]


# ---- reading rows -------------------------------------------------------------------------


@attrs.frozen
class FactsRow:
    where: str  # 第 3 行 of a CSV file, 第 3 个单位 of a JSON list, 工作表「…」第 3 行 of a workbook
    cells: Mapping[str, object]
    letters: Mapping[str, str] = attrs.field(factory=dict)  # column name → Excel column letter


def _read_csv(text: str) -> list[FactsRow]:
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        raise FactsError("事实文件是空的：第一行应是列名")
    return _table_rows(records[0], records[1:], lambda number: f"第 {number} 行", first_line=2)


def _table_rows(header_cells: list, body: list[list], where, first_line: int, letters=None) -> list[FactsRow]:
    """Rows of a table (CSV or a worksheet) keyed by its header: blank trailing columns
    dropped, a repeated column name or a cell beyond the header refused."""
    header = [str(name or "").strip() for name in header_cells]
    body = [[_cell_text(cell) for cell in row] for row in body]
    kept = []
    for index, name in enumerate(header):
        if name:
            kept.append(index)
        elif any(index < len(r) and r[index].strip() for r in body):
            raise FactsError(f"第 {index + 1} 列有数据却没有列名")
    names = [header[i] for i in kept]
    repeated = next((n for n in names if names.count(n) > 1), None)
    if repeated is not None:
        raise FactsError(f"列名「{repeated}」出现了不止一次：请删去多余的一列")
    rows = []
    for number, record in enumerate(body, start=first_line):
        if any(cell.strip() for cell in record[len(header):]):
            raise FactsError(f"{where(number)}的格数多于列名的个数")
        cells = {header[i]: record[i] if i < len(record) else "" for i in kept}
        if all(not cell.strip() for cell in cells.values()):
            continue
        rows.append(FactsRow(where(number), cells, {header[i]: letters[i] for i in kept} if letters else {}))
    return rows


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _read_xlsx(path: Path) -> list[FactsRow]:
    """The first worksheet whose header row (among its first ten) names the unit column."""
    import openpyxl  # here, not at the top: slow to load, and most facts are CSV
    from openpyxl.utils import get_column_letter

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise FactsError(f"无法读取 Excel 文件 {path}：{error}") from None
    for sheet in workbook.worksheets:
        rows = [[_excel_value(c) for c in row] for row in sheet.iter_rows()]
        for index, row in enumerate(rows[:10]):
            if any(str(c or "").strip() in UNIT_COLUMNS for c in row):
                letters = [get_column_letter(i + 1) for i in range(len(row))]
                return _table_rows(row, rows[index + 1:], lambda n, t=sheet.title: f"工作表「{t}」第 {n} 行",
                                   first_line=index + 2, letters=letters)
    raise FactsError(f"{path} 中没有一个工作表的表头含有「单位」列")


def _excel_value(cell) -> object:
    """A cell's value as written: a percentage-formatted 0.975 is 97.5 (that is, 97.5%)."""
    value = cell.value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and "%" in (cell.number_format or ""):
        return f"{plain(Decimal(repr(value)) * 100)}%"
    return value


def _read_json(text: str) -> list[FactsRow]:
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as error:
        raise FactsError(f"JSON 格式错误：第 {error.lineno} 行第 {error.colno} 列：{error.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("单位"), list):
        data = data["单位"]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise FactsError("JSON 事实文件应是一个列表，每个单位一个对象：[{\"单位\": \"湖塘镇\", …}, …]")
    return [FactsRow(f"第 {i} 个单位", record) for i, record in enumerate(data, start=1)]


def read_rows(path: Path) -> list[FactsRow]:
    """The raw rows of a facts file, by its suffix."""
    if path.suffix.lower() == ".xlsx":
        if not path.is_file():
            raise FactsError(f"找不到事实文件：{path}")
        return _read_xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FactsError(f"找不到事实文件：{path}") from None
    except UnicodeDecodeError:
        raise FactsError(f"事实文件 {path} 不是 UTF-8 编码；请在 Excel 中另存为「CSV UTF-8」") from None
    if path.suffix.lower() == ".json":
        return _read_json(text)
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(text)
    raise FactsError(f"不认识的事实文件格式「{path.suffix}」：请用 .csv、.xlsx 或 .json")


# ---- validating ---------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
INTEGER_DIGITS = 12
FRACTION_DIGITS = 6
"""A fact holds at most 12 digits before the point and 6 after (after 万元 → 元): the compiled
engines keep facts as DECIMAL(18, 6), so every engine reads the same value."""

_KEYED_COLUMN = re.compile(r"(.+?)[\[【](.+)[\]】]")


@attrs.define
class _Columns:
    """How the columns of a facts file map to the policy's facts."""

    unit: str
    group: str | None
    parent: str | None
    facts: dict[str, tuple[ast.Fact, str | None]]  # column → (fact, member or None)
    unknown: list[str]


def _map_columns(names: Iterable[str], policy: ast.Policy) -> _Columns:
    names = list(dict.fromkeys(names))
    facts = {f.name: f for f in policy.facts}
    lists = {li.name: li.members for li in policy.lists}
    unit = next((n for n in UNIT_COLUMNS if n in names), None)
    if unit is None:
        raise FactsError(f"事实文件缺少单位名称列：请把第一列命名为「单位」（现有列：{'、'.join(names[:8])}）")
    group = next((n for n in GROUP_COLUMNS if n in names), None)
    parent = next((n for n in PARENT_COLUMNS if n in names), None)
    mapped: dict[str, tuple[ast.Fact, str | None]] = {}
    unknown = []
    for name in names:
        if name in (unit, group, parent):
            continue
        keyed = _KEYED_COLUMN.fullmatch(name)
        if name in facts and facts[name].keyed_by is None:
            mapped[name] = (facts[name], None)
        elif keyed and keyed.group(1) in facts and keyed.group(2) in lists.get(facts[keyed.group(1)].keyed_by, ()):
            mapped[name] = (facts[keyed.group(1)], keyed.group(2))
        else:
            unknown.append(name)
    return _Columns(unit, group, parent, mapped, unknown)


def _known_columns(policy: ast.Policy) -> list[str]:
    lists = {li.name: li.members for li in policy.lists}
    names = []
    for fact in policy.facts:
        if fact.keyed_by:
            names.extend(f"{fact.name}[{m}]" for m in lists.get(fact.keyed_by, ()))
        else:
            names.append(fact.name)
    return names


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, Decimal):
        return plain(cell)
    return str(cell).strip()


def parse_value(fact_type: ast.FactType, cell: object) -> Value:
    """One cell as a value of ``fact_type``; raises :class:`BadValue` with a Chinese reason."""
    if isinstance(cell, bool):
        if fact_type.kind == ast.BOOL:
            return cell
        raise BadValue(f"应为{fact_type}，却是是否值")
    text = _text(cell)
    kind = fact_type.kind
    if kind == ast.BOOL:
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise BadValue("应为「是」或「否」")
    if kind == ast.CHOICE:
        if text in fact_type.choices:
            return text
        raise BadValue("不是可选的值之一",
                       suggestion(text, fact_type.choices) or f"可选：{'、'.join(fact_type.choices)}")
    number_text = unicodedata.normalize("NFKC", text).replace(" ", "")
    scale = Decimal(1)
    if kind == ast.PERCENT:
        number_text = number_text.removesuffix("%")
    if kind == ast.MONEY:
        if number_text.endswith("万元"):
            number_text, scale = number_text.removesuffix("万元"), Decimal(10000)
        number_text = number_text.removesuffix("元")
    if not _NUMBER.fullmatch(number_text):
        raise BadValue(f"应为{kind}，却不是一个数", "数字如 12、97.5、1,200；不要写成 1e5 或 3,5")
    number = Decimal(number_text.replace(",", "")) * scale
    if abs(number) >= Decimal(10) ** INTEGER_DIGITS:
        raise BadValue(f"数值过大（整数部分超过 {INTEGER_DIGITS} 位）")
    if number.as_tuple().exponent < -FRACTION_DIGITS and number != round(number, FRACTION_DIGITS):
        raise BadValue(f"小数位数过多（最多 {FRACTION_DIGITS} 位）")
    if kind == ast.COUNT:
        if number != number.to_integral_value():
            raise BadValue("应为整数")
        if number < 0:
            raise BadValue("整数（个数）不能为负")
    if kind == ast.PERCENT and not 0 <= number <= 100:
        raise BadValue("百分比应在 0% 到 100% 之间")
    return number


def _check_bounds(fact: ast.Fact, value: Value) -> None:
    if not isinstance(value, Decimal):
        return
    low = fact.low.value if fact.low is not None else None
    high = fact.high.value if fact.high is not None else None
    if (low is not None and value < low) or (high is not None and value > high):
        low_text = plain(low) if low is not None else "不限"
        high_text = plain(high) if high is not None else "不限"
        raise BadValue(f"超出范围 {low_text} 至 {high_text}")


def default_value(decl: ast.Fact | ast.Param) -> Value | None:
    """The declared default of a fact or parameter, as a value; None if there is none."""
    match decl.default:
        case None:
            return None
        case ast.Boolean(value=value):
            return value
        case ast.Ref(name=name):
            return name
        case ast.Quantity(value=value):
            return value
    return None


def _fraction_columns(rows: list[FactsRow], columns: _Columns) -> list[str]:
    """Rate columns whose every value is at most 1 and written without %: probably fractions."""
    found = []
    for column, (fact, _member) in columns.facts.items():
        if fact.type.kind != ast.PERCENT:
            continue
        texts = [_text(r.cells.get(column)) for r in rows]
        texts = [t for t in texts if t]
        try:
            small = texts and all("%" not in t and "％" not in t and Decimal(t) <= 1 for t in texts)
        except InvalidOperation:
            small = False
        if small and any(Decimal(t) > 0 for t in texts):
            found.append(column)
    return found


def validate(rows: list[FactsRow], policy: ast.Policy) -> FactsTable:
    """Turn raw rows into units, each validated; bad units are reported, not dropped silently."""
    names: list[str] = []
    for row in rows:
        names.extend(str(k) for k in row.cells)
    if not rows:
        return FactsTable((), (FactProblem("事实文件中没有任何单位"),))
    columns = _map_columns(names, policy)
    problems: list[FactProblem] = []
    known = _known_columns(policy)
    for column in columns.unknown:
        problems.append(FactProblem(f"未知的列「{column}」：政策中没有这个事实，这一列没有参与评分",
                                    hint=suggestion(column, known)))
    for column in _fraction_columns(rows, columns):
        problems.append(FactProblem(
            f"百分比列「{column}」的值都不大于 1，可能写成了小数", hint="97.5% 应写作 97.5 或 97.5%，不是 0.975",
            warning=True))

    units: list[Unit] = []
    seen: set[str] = set()
    lists = {li.name: li.members for li in policy.lists}
    for row in rows:
        name = _text(row.cells.get(columns.unit))
        if not name:
            problems.append(FactProblem("缺少单位名称", where=row.where))
            continue
        if name in seen:
            problems.append(FactProblem(f"单位名称「{name}」重复，这一行没有评分", where=row.where,
                                        hint="每个单位只能有一行；已按第一次出现的那一行评分"))
            continue
        seen.add(name)
        unit_problems, values = _unit_values(row, name, columns, policy, lists)
        problems.extend(unit_problems)
        if not unit_problems:
            group = _text(row.cells.get(columns.group)) if columns.group else ""
            parent = _text(row.cells.get(columns.parent)) if columns.parent else ""
            units.append(Unit(name, values, group or None, parent or None))
    return FactsTable(tuple(units), tuple(problems))


def _unit_values(row: FactsRow, name: str, columns: _Columns, policy: ast.Policy, lists):
    given: dict[tuple[str, str | None], object] = {}
    problems = []
    for column, (fact, member) in columns.facts.items():
        cell = row.cells.get(column)
        if _text(cell) == "":
            continue
        if (fact.name, member) in given:
            first = given[(fact.name, member)][0]
            problems.append(FactProblem(f"「{first}」和「{column}」是同一个事实，只能填一处", name, column,
                                        _text(cell), row.where))
            continue
        given[(fact.name, member)] = (column, cell)
    values: dict[str, object] = {}
    for fact in policy.facts:
        members = lists.get(fact.keyed_by, ()) if fact.keyed_by else (None,)
        per_member = {}
        for member in members:
            column = f"{fact.name}[{member}]" if member else fact.name
            if (fact.name, member) in given:
                column, cell = given[(fact.name, member)]
                try:
                    value = parse_value(fact.type, cell)
                    _check_bounds(fact, value)
                except BadValue as bad:
                    where = f"{row.where} {row.letters[column]} 列" if column in row.letters else row.where
                    problems.append(FactProblem(bad.message, name, column, _text(cell), where, bad.hint))
                    continue
            else:
                value = default_value(fact)
                if value is None:
                    problems.append(FactProblem("缺少这个事实，且政策没有给出默认值", name, column, None,
                                                row.where, f"请在事实文件中补上「{column}」列的值"))
                    continue
            per_member[member] = value
        values[fact.name] = per_member if fact.keyed_by else per_member.get(None)
    return problems, values


def load_facts(path: Path, policy: ast.Policy) -> FactsTable:
    """Read and validate a facts file (.csv or .json) for ``policy``."""
    return validate(read_rows(path), policy)

