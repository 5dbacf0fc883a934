"""The facts of every unit read by DuckDB straight from a CSV or Parquet file, for compiled policies.

For 10^5–10^6 units, building a Python object per unit (as facts.py does) costs more than the
scoring itself. Here DuckDB reads the file and checks every cell in vectorised SQL; only the rows
with a problem come back to Python, to become :class:`~jhdsl.facts.FactProblem` objects.

facts.py stays the reference. For the same file, :func:`load_facts_table` keeps exactly the units
that ``facts.validate`` accepts, with the same values, and returns the same problems in the same
order. How that is kept exact without giving up speed:

- Two passes. The first (:class:`_Fast`) goes over every row and only glances at each cell: a
  是否 word as listed, a choice as written, a number as spreadsheets write it (``97.5``, ``-3``,
  ``97.5%``) is cast at once and checked against its kind's range and the fact's bounds. A row
  whose every cell passes that way is done. The second (:class:`_Check`) takes the other rows, and
  in them only the values the glance did not settle, through the general path, which does in SQL
  what ``facts.parse_value`` does in Python: full-width digits and signs are translated, spaces
  dropped, ``%``/``元``/``万元`` taken off, the text matched against the same pattern, and the
  digits split and counted as strings, so that no value is ever rounded; and it words the problems.
- NFKC normalisation and Python's ``\\d`` (any Unicode digit) have no SQL equivalent. A cell that
  still holds a character outside ASCII (besides 万元) after the translation, or that is longer than
  24 characters (where ``Decimal`` arithmetic in 28 digits starts to round), is handed to
  ``facts.parse_value`` itself through a Python function registered on the connection. Such cells
  are rare, and the function sees only them.
- DuckDB's CSV reader skips blank lines, which csv.reader counts, and accepts fewer cells than
  the header in a different way from facts.py when the quoting is odd. A file with a blank line, a
  lone carriage return or a NUL byte, or that DuckDB's strict reader refuses, is read by
  ``facts.read_rows`` instead (the rows then go to DuckDB as an Arrow table, and are checked by
  the same SQL), so its row numbers and errors are facts.py's own.

The table has the columns 单位, 所属县区, 上级单位, _行 and then one column per fact (one per
member, ``事实[成员]``, for a fact kept per member of a list), typed: 是否 BOOLEAN, 枚举 VARCHAR,
整数 DECIMAL(12,0), 百分比 DECIMAL(9,6), 数值/金额 DECIMAL(18,6): the types the compiled query
computes in (facts.py allows at most 12 digits before the point and 6 after, a percentage from
0 to 100, so every accepted value fits exactly).

facts.py reads no Parquet. A Parquet cell is judged as facts.py judges a JSON value: a string as a
CSV cell, a number by its plain writing (a DOUBLE by its shortest repr: 0.1 is 0.1, 1e-07 has too
many decimals), a boolean as a 是否 value (for a fact of another kind: 应为…，却是是否值). Column
names are stripped as a CSV header's are, and the first row is 第 2 行, as in the CSV file the
table would be exported to.
"""

from __future__ import annotations

import contextlib
import csv
import mmap
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import duckdb
import pyarrow as pa

from jhdsl import ast, facts
from jhdsl.compiler import FACT_TYPES
from jhdsl.errors import BadValue, FactsError, suggestion
from jhdsl.facts import (
    FRACTION_DIGITS,
    INTEGER_DIGITS,
    UNIT_COLUMNS,
    FactProblem,
    Unit,
    _Columns,
    _known_columns,
    _map_columns,
    default_value,
    load_facts,
    parse_value,
    read_rows,
)
from jhdsl.numbers import plain

# The whitespace that Python's str.strip() removes (facts.py strips every cell with it).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
              "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# NFKC of the full-width characters that numbers are written with (the ideographic space is a space).
FULL_WIDTH = "０１２３４５６７８９．，％＋－\u3000"
HALF_WIDTH = "0123456789.,%+- "

TRUE_WORDS = sorted(facts.TRUE_WORDS)
FALSE_WORDS = sorted(facts.FALSE_WORDS)

VALUE_TYPE = f"DECIMAL({INTEGER_DIGITS + FRACTION_DIGITS},{FRACTION_DIGITS})"
"""The type of a number while it is checked."""


def table_type(kind: str) -> str:
    """The column type of a fact of ``kind`` in the facts table: the compiled plan's own
    (compiler.FACT_TYPES: 整数 DECIMAL(12,0), 百分比 DECIMAL(9,6), 数值 and 金额 DECIMAL(18,6)),
    so that the query reads the column without converting it."""
    planned = FACT_TYPES[kind]
    return {"bool": "BOOLEAN", "text": "VARCHAR"}.get(planned.kind) or f"DECIMAL({planned.precision},{planned.scale})"

NOT_A_NUMBER_HINT = "数字如 12、97.5、1,200；不要写成 1e5 或 3,5"
MISSING = "缺少这个事实，且政策没有给出默认值"

# A cell that is a number as a spreadsheet writes it, cast without further ado.
_PLAIN_NUMBER = rf"[+-]?[0-9]{{1,{INTEGER_DIGITS}}}(\.[0-9]{{1,{FRACTION_DIGITS}}})?"
# facts._NUMBER in ASCII, anchored, with its parts captured: sign, integer part, decimals.
_NUMBER_PARTS = r"^([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$"
# After the translation, a character that NFKC might still change (万 and 元 it never does).
_EXOTIC = r"[^\x{0}-\x{7f}万元]"
_LONG = 24
"""A number text longer than this may carry more than 28 significant digits once multiplied by
10000 (万元), where facts.py's Decimal arithmetic rounds; such a cell is parsed by facts.py itself."""

UDF = "jhdsl_parse_cell"


def _lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _one_of(sql: str, values: Sequence[str]) -> str:
    """SQL for "the text is one of these" (never NULL). Not ``IN (…)`` nor list_contains: DuckDB
    plans those, with five values or more, as a join, which is far slower here (and keeps no
    order)."""
    return f"(CASE {sql} {' '.join(f'WHEN {_lit(v)} THEN TRUE' for v in values)} ELSE FALSE END)"


def _ident(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


# ---- where the cells come from ------------------------------------------------------------


@attrs.frozen
class _Source:
    """The raw cells of a facts file as a SQL relation with columns c0 … cN.

    ``names`` are the header's names (stripped; '' for a column without a name) and ``types`` the
    DuckDB type of each column. The rows come in file order; ``numbered`` says that the relation
    also has their numbers as ``_行`` (facts.py's reader gives them), else a row's number is its
    place (the first row after the header is 第 2 行). ``crlf`` says that DuckDB read a CSV file
    itself, so a quoted cell may hold "\\r\\n" where facts.py (reading the text with universal
    newlines) sees "\\n".
    """

    relation: str
    names: tuple[str, ...]
    types: tuple[str, ...]
    numbered: bool = False
    crlf: bool = False

    @property
    def kept(self) -> dict[str, int]:
        """The named columns: name → index."""
        return {n: i for i, n in enumerate(self.names) if n}

    @property
    def nameless(self) -> list[int]:
        """The columns without a name: facts.py refuses the file if one has data."""
        return [j for j, n in enumerate(self.names) if not n]

    def text(self, j: int) -> str:
        return _cell_text(f"c{j}", self.types[j])


def _csv_header(path: Path) -> list[str] | None:
    """The header of a CSV file as facts.py reads it, or None when only facts.py can tell what
    is wrong with the file (missing, not UTF-8, empty, or a header without a single name)."""
    try:
        with path.open(encoding="utf-8-sig") as file:
            first = next(csv.reader(file), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if first is None:
        return None
    names = [name.strip() for name in first]
    return names if any(names) else None


_ODD_CRLF = re.compile(rb"\r(?!\n)|\n\r|\n\n")


def _plain_lines(path: Path) -> bool:
    """Whether DuckDB numbers the records of this CSV file as csv.reader does: no blank line
    before the last record (DuckDB skips them, csv.reader counts them), no carriage return
    outside "\\r\\n" (Python reads it as a line break), no NUL byte. A quoted cell that holds a
    blank line also sends the file to facts.py's reader, which is slower but never wrong."""
    with path.open("rb") as file:
        if path.stat().st_size == 0:
            return True
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start = 3 if data[:3] == b"\xef\xbb\xbf" else 0
            end = len(data)
            while end > start and data[end - 1] in b"\r\n":
                end -= 1
            if end > start and data[start] in b"\r\n":
                return False
            if data.find(b"\x00", start, end) >= 0 or data.find(b"\n\n", start, end) >= 0:
                return False
            if data.find(b"\r", start, end) >= 0:
                return _ODD_CRLF.search(data, start, end) is None
            return True


def _duckdb_csv(path: Path, names: list[str], parallel: bool) -> _Source:
    """DuckDB's own reader: every cell a string, the header skipped, no sniffing, strict quoting,
    rows with fewer cells padded with NULL (a row with more cells is an error, and goes to
    facts.py's reader, which knows when the extra cells are blank)."""
    columns = ", ".join(f"{_lit(f'c{i}')}: 'VARCHAR'" for i in range(len(names)))
    relation = (f"read_csv({_lit(str(path))}, header = true, auto_detect = false, all_varchar = true, "
                f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = true, "
                f"encoding = 'utf-8', parallel = {str(parallel).lower()}, columns = {{{columns}}})")
    return _Source(relation, tuple(names), ("VARCHAR",) * len(names), crlf=True)


def _python_csv(con: duckdb.DuckDBPyConnection, path: Path, view: str) -> _Source:
    """facts.py's reader, for the files DuckDB would read differently: its rows go to DuckDB as
    an Arrow table of strings, numbered as facts.py numbers them."""
    rows = read_rows(path)
    names = list(rows[0].cells) if rows else []
    columns = {f"c{i}": pa.array([str(r.cells[n]) for r in rows], pa.string()) for i, n in enumerate(names)}
    columns["_行"] = pa.array([int(re.search(r"\d+", r.where).group()) for r in rows], pa.int32())
    con.register(view, pa.table(columns))
    return _Source(view, tuple(names), ("VARCHAR",) * len(names), numbered=True)


def _parquet(con: duckdb.DuckDBPyConnection, path: Path) -> _Source:
    """A Parquet file: its columns renamed c0 … cN, their types kept (see :func:`_cell_text`).
    A row's number is counted as in a CSV file with a header line: the first row is 第 2 行."""
    if not path.is_file():
        raise FactsError(f"找不到事实文件：{path}")
    relation = f"read_parquet({_lit(str(path))})"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as error:
        raise FactsError(f"无法读取 Parquet 文件 {path}：{error}") from None
    names = tuple(str(d[0]).strip() for d in described)
    renamed = ", ".join(f"{_ident(d[0])} AS c{i}" for i, d in enumerate(described))
    return _Source(f"(SELECT {renamed} FROM {relation})", names, tuple(str(d[1]) for d in described))


# ---- the SQL of one cell ------------------------------------------------------------------


def _raw(column: str, sql_type: str) -> str | None:
    """SQL for a cell as written, for the fast path: a string as is, a Parquet number as DuckDB
    writes it (shortest repr for a DOUBLE); None for a boolean."""
    if sql_type == "BOOLEAN":
        return None
    return column if sql_type == "VARCHAR" else f"CAST({column} AS VARCHAR)"


def _cell_text(column: str, sql_type: str) -> str:
    """SQL for the text facts.py checks for a cell, ``facts._text`` of it ('' for NULL).

    A string is stripped as Python strips it. A Parquet number is written plainly, as a JSON number
    is in facts.py (``plain(Decimal(...))``): a DECIMAL without its trailing zeros, a DOUBLE by its
    shortest repr (1e-05 is 0.00001; inf and nan stay words, and are not numbers). A boolean is 是
    or 否.
    """
    if sql_type == "BOOLEAN":
        return f"(CASE WHEN {column} THEN '是' WHEN NOT {column} THEN '否' ELSE '' END)"
    if sql_type.startswith("DECIMAL") and not sql_type.endswith(",0)"):
        return f"coalesce({_without_zeros(f'CAST({column} AS VARCHAR)')}, '')"
    if sql_type in ("DOUBLE", "FLOAT", "REAL"):
        text = f"CAST({column} AS VARCHAR)"
        return (f"coalesce(CASE WHEN regexp_full_match({text}, '-?[0-9]+\\.[0-9]+') THEN {_without_zeros(text)} "
                f"WHEN contains({text}, 'e') THEN {UDF}('plain', {text}) ELSE {text} END, '')")
    text = f"coalesce({_raw(column, sql_type)}, '')"
    return f"(CASE WHEN regexp_matches({text}, {_EDGE}) THEN regexp_replace({text}, {_ENDS}, '', 'g') ELSE {text} END)"


_EDGE = _lit(f"^[{WHITESPACE}]|[{WHITESPACE}]$")
_ENDS = _lit(f"^[{WHITESPACE}]+|[{WHITESPACE}]+$")
"""Python's str.strip() in SQL: DuckDB's trim() with these characters is twenty times slower than
one regular expression that finds out whether there is anything to strip."""


def _without_zeros(text: str) -> str:
    """SQL for a decimal text without trailing zeros after the point: 97.500 → 97.5, -0.0 → 0."""
    trimmed = f"rtrim(rtrim({text}, '0'), '.')"
    return f"(CASE WHEN {trimmed} = '-0' THEN '0' ELSE {trimmed} END)"


def _udf(kind: pa.Array, text: pa.Array) -> pa.Array:
    """facts.parse_value for the cells SQL cannot judge exactly (see the module's docstring):
    the value written plainly, or "!" and the message. Kind ``plain`` turns a number in exponent
    notation (a DOUBLE's repr) into plain digits."""
    out = []
    for k, t in zip(kind.to_pylist(), text.to_pylist(), strict=True):
        if k == "plain":
            out.append(plain(Decimal(t)))
            continue
        try:
            out.append(plain(parse_value(ast.FactType(k), t)))
        except BadValue as bad:
            out.append("!" + bad.message)
    return pa.array(out, pa.string())


def _register_udf(con: duckdb.DuckDBPyConnection) -> None:
    """Register :func:`_udf` on the connection, once."""
    try:
        con.execute(f"SELECT {UDF}('plain', '0')").fetchall()
    except duckdb.CatalogException:
        varchar = duckdb.sqltype("VARCHAR")
        con.create_function(UDF, _udf, [varchar, varchar], varchar, type="arrow")


@attrs.frozen
class _Key:
    """One value every unit must have: a fact's, or one member's of a fact kept per member.
    ``sources`` are the indexes of the file's columns that give it, in file order (a member
    may be written 互通[公安] or 互通【公安】)."""

    number: int
    fact: ast.Fact
    member: str | None
    sources: tuple[int, ...]

    @property
    def column(self) -> str:
        return f"{self.fact.name}[{self.member}]" if self.member is not None else self.fact.name

    @property
    def kind(self) -> str:
        return self.fact.type.kind

    @property
    def numeric(self) -> bool:
        return self.kind not in (ast.BOOL, ast.CHOICE)

    @property
    def sql_type(self) -> str:
        """The type of the value while checking; the table holds it in its table_type."""
        return {ast.BOOL: "BOOLEAN", ast.CHOICE: "VARCHAR"}.get(self.kind, VALUE_TYPE)

    @property
    def table_type(self) -> str:
        return table_type(self.kind)

    def default_sql(self) -> str:
        value = default_value(self.fact)
        if value is None:
            return f"NULL::{self.sql_type}"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, str):
            return _lit(value)
        return f"CAST({_lit(plain(value))} AS {self.sql_type})"


def _keys(policy: ast.Policy, columns: _Columns, index: dict[str, int]) -> list[_Key]:
    lists = {li.name: li.members for li in policy.lists}
    keys = []
    for fact in policy.facts:
        for member in lists.get(fact.keyed_by, ()) if fact.keyed_by else (None,):
            sources = tuple(index[c] for c, (f, m) in columns.facts.items() if f.name == fact.name and m == member)
            keys.append(_Key(len(keys), fact, member, sources))
    return keys


def _name_sql(source: _Source, column: str | None) -> str:
    """SQL for the unit's name, group or parent (NULL when the file has no such column)."""
    if column is None:
        return "NULL::VARCHAR"
    text = source.text(source.kept[column])
    return f"replace({text}, chr(13) || chr(10), chr(10))" if source.crlf else text


def _fast_value(source: _Source, key: _Key) -> str:
    """SQL for the value of a cell that needs no more than a glance (NULL for any other cell): a
    是否 word as listed, a choice as written, a number as spreadsheets write it (97.5, -3,
    97.5%), cast at once. Only a value given by one column has one."""
    none = f"NULL::{key.sql_type}"
    if len(key.sources) != 1:
        return none
    j = key.sources[0]
    raw = _raw(f"c{j}", source.types[j])
    if raw is None:  # a Parquet boolean: the value of a 是否 fact, for another the general path
        return f"c{j}" if key.kind == ast.BOOL else none
    if key.kind == ast.BOOL:
        words = [(w, "TRUE") for w in TRUE_WORDS] + [(w, "FALSE") for w in FALSE_WORDS]
        return f"(CASE {raw} {' '.join(f'WHEN {_lit(w)} THEN {v}' for w, v in words)} END)"
    if key.kind == ast.CHOICE:
        return f"(CASE WHEN {_one_of(raw, key.fact.type.choices)} THEN {raw} END)"
    percent = key.kind == ast.PERCENT
    pattern = _lit(_PLAIN_NUMBER + ("%?" if percent else ""))
    number = f"rtrim({raw}, '%')" if percent else raw
    return f"(CASE WHEN regexp_full_match({raw}, {pattern}) THEN CAST({number} AS {VALUE_TYPE}) END)"


def _fast_class(source: _Source, key: _Key) -> str:
    """SQL for the class (see :meth:`_Check._rate_class`) of a rate cell with a fast value."""
    raw = _raw(f"c{key.sources[0]}", source.types[key.sources[0]]) or "''"
    return (f"CASE WHEN suffix({raw}, '%') OR f{key.number} > 1 THEN 'D' "
            f"WHEN f{key.number} > 0 THEN 'P' ELSE 'Z' END")


def _number_checks(key: _Key, value: str) -> list[tuple[str, str]]:
    """The checks parse_value and _check_bounds make on a number, in their order: (SQL of the
    condition that fails it, SQL of the message)."""
    checks = []
    if key.kind == ast.COUNT:
        checks += [(f"{value} <> floor({value})", "'应为整数'"), (f"{value} < 0", "'整数（个数）不能为负'")]
    if key.kind == ast.PERCENT:
        checks.append((f"({value} < 0 OR {value} > 100)", "'百分比应在 0% 到 100% 之间'"))
    low, high = key.fact.low, key.fact.high
    if low is not None or high is not None:
        outside = []
        if low is not None:
            outside.append(f"{value} < {_decimal(low.value)}")
        if high is not None:
            outside.append(f"{value} > {_decimal(high.value)}")
        low_text = plain(low.value) if low is not None else "不限"
        high_text = plain(high.value) if high is not None else "不限"
        checks.append(("(" + " OR ".join(outside) + ")", _lit(f"超出范围 {low_text} 至 {high_text}")))
    return checks


def _decimal(value: Decimal) -> str:
    """A decimal constant, of the values' own type when it fits (comparing in 64 bits)."""
    scale = max(0, -value.as_tuple().exponent)
    if scale <= FRACTION_DIGITS and abs(value) < Decimal(10) ** INTEGER_DIGITS:
        return f"{_lit(plain(value))}::{VALUE_TYPE}"
    return f"{_lit(plain(value))}::DECIMAL(38,{min(scale, 30)})"


def _rate_columns(source: _Source, columns: _Columns) -> list[int]:
    """The columns of 百分比 facts, in file order: the fractions warning looks at each."""
    return [source.kept[c] for c, (f, _m) in columns.facts.items() if f.type.kind == ast.PERCENT]


class _Fast:
    """The first pass, over every row: the unit's name, group and parent, the fast value of every
    cell (see :func:`_fast_value`), and ``_jh_ok``: the row is a unit whose values all took the
    fast path (or are empty and have a default) and pass their checks. Such a row is done. The
    cells of every other row are kept (``_jh_raw``) for :class:`_Check`, which judges them as
    facts.py does and words the problems, and so are the values that were not settled
    (``_jh_bad``): the full check looks only at those. In most files few rows need it, and its
    hundreds of expressions then cost next to nothing.

    Its table has the columns of the final table, then these helpers (and ``_jh_p<j>``, the
    class of a rate cell with a fast value, for the fractions warning): the values of the units
    the full check finds good are written into it, and without the other rows and the helper
    columns it becomes the final table, with no copy of a million rows and no sort."""

    def __init__(self, source: _Source, columns: _Columns, keys: list[_Key]) -> None:
        self.source = source
        self.columns = columns
        self.keys = keys
        self.rates = _rate_columns(source, columns)
        self.single = {k.sources[0]: k for k in keys if len(k.sources) == 1}

    def sql(self) -> str:
        first = [(_name_sql(self.source, self.columns.unit), "_unit"),
                 (_name_sql(self.source, self.columns.group), "_group"),
                 (_name_sql(self.source, self.columns.parent), "_parent")]
        first += [(f"(c{j} IS NOT NULL AND {self.source.text(j)} <> '')", f"s{j}") for j in self.source.nameless]
        first += [(_fast_value(self.source, key), f"f{key.number}") for key in self.keys]
        flags = [(self._ok(key), f"o{key.number}") for key in self.keys]
        ok = [("(" + " AND ".join(["_unit <> ''"] + [f"o{key.number}" for key in self.keys]) + ")", "_ok")]
        cells = ", ".join(f"c{j} := c{j}" for j in range(len(self.source.names)))
        bad = ", ".join(f"CASE WHEN NOT o{k.number} THEN {k.number} END" for k in self.keys)
        last = [(f"(CASE WHEN NOT _ok THEN struct_pack({cells}) END)", "_raw"),
                (f"(CASE WHEN NOT _ok THEN list_value({bad}) END)" if bad else "NULL::INTEGER[]", "_bad")]
        for j in self.rates:
            key = self.single.get(j)
            last.append((f"(CASE WHEN f{key.number} IS NOT NULL THEN {_fast_class(self.source, key)} END)"
                         if key is not None else "NULL::VARCHAR", f"p{j}"))
        stored = ["_unit AS 单位", "nullif(_group, '') AS 所属县区", "nullif(_parent, '') AS 上级单位",
                  "_行" if self.source.numbered else "NULL::INTEGER AS _行"]
        for key in self.keys:
            value = f"f{key.number}"
            if default_value(key.fact) is not None:
                value = f"coalesce({value}, {key.default_sql()})"
            # TRY_: a row that fails its checks (a percentage of 1000) is deleted; its value may not fit
            stored.append(f"TRY_CAST({value} AS {key.table_type}) AS {_ident(key.column)}")
        helpers = ["_ok", "_raw", "_bad"] + [f"s{j}" for j in self.source.nameless] + [f"p{j}" for j in self.rates]
        stored += [f"{h} AS {c}" for h, c in zip(helpers, self.helpers(self.source, self.rates), strict=True)]
        inputs = [f"c{j}" for j in range(len(self.source.names))] + (["_行"] if self.source.numbered else [])
        return _chain(self.source.relation, inputs, [first, flags, ok, last], stored)

    @staticmethod
    def helpers(source: _Source, rates: list[int]) -> list[str]:
        """The helper columns of the first pass's table, after the final table's columns."""
        return (["_jh_ok", "_jh_raw", "_jh_bad"] + [f"_jh_s{j}" for j in source.nameless]
                + [f"_jh_p{j}" for j in rates])

    def _ok(self, key: _Key) -> str:
        """SQL for "this value is settled by the fast path and has no problem" (``o<k>``); the
        values that are not, in some row, are the ones the full check looks at."""
        has_default = default_value(key.fact) is not None
        if len(key.sources) != 1:  # no column: the default or a problem; two columns: the full check
            return "TRUE" if has_default and not key.sources else "FALSE"
        value = f"f{key.number}"
        checks = _number_checks(key, value) if key.numeric else []
        ok = " AND ".join([f"{value} IS NOT NULL"] + [f"NOT {condition}" for condition, _m in checks])
        if not has_default:
            return f"({ok})"
        j = key.sources[0]
        empty = f"c{j} IS NULL" + (f" OR c{j} = ''" if self.source.types[j] == "VARCHAR" else "")
        return f"({ok} OR {empty})"


_NAME = re.compile(r"(?<![\w.])(?:_\w+|[a-z]{1,2}[0-9]+)(?!\w)")
"""The names of the columns the stages make (``_unit``, ``f3``, ``np12``, …), as they appear in SQL."""


def _chain(relation: str, inputs: Sequence[str], stages: list[list[tuple[str, str]]], result: list[str]) -> str:
    """SQL that computes ``stages`` (lists of (SQL, name)) one after the other over ``relation``,
    each SELECT passing on only the columns a later one uses: DuckDB takes long to plan a chain
    of ``SELECT *, …`` over hundreds of columns, and the full check runs once per file."""
    available = [set(inputs)]
    for stage in stages:
        available.append(available[-1] | {name for _sql, name in stage})
    needed = set(_NAME.findall(", ".join(result)))
    plan = []
    for number in range(len(stages) - 1, -1, -1):
        stage = [(sql, name) for sql, name in stages[number] if name in needed]
        through = sorted((needed - {name for _sql, name in stage}) & available[number])
        plan.append((through, stage))
        needed = set(through) | {n for sql, _name in stage for n in _NAME.findall(sql)}
    sql = relation
    for through, stage in reversed(plan):
        if stage:
            sql = f"(SELECT {', '.join(through + [f'{e} AS {a}' for e, a in stage])} FROM {sql})"
    return f"SELECT {', '.join(result)} FROM {sql}"


class _Check:
    """The second pass: the SQL that checks the cells of the rows the first pass did not settle
    as facts.py does, as a chain of SELECTs, each adding a few columns per value (a stage refers
    to the columns of the ones before, so that nothing is computed twice). Only the values in
    ``full`` (unsettled in one of these rows at least) go through it; the others keep their fast
    value.

    Here too a cell with a fast value (``f<k>``) needs nothing more. Only the other cells are
    stripped (``g<k>``, the given text) and go through the general path, whose columns stay NULL
    for the rest.

    The table it makes has, per row: ``_unit``, ``_group``, ``_parent``, ``_blank`` (a row facts.py
    skips), ``_ok`` (no problem in its values); per value ``v<k>`` (the value, or the default),
    ``e<k>`` (the message of its problem) and ``x<k>`` (the cell's text when it has a problem);
    per column of a value written twice ``q<j>``/``qx<j>`` (the conflict and the text); per rate
    column ``p<j>``, the class its text has for the fractions warning (``pt<j>``: the text, when
    only Python can tell).
    """

    def __init__(self, source: _Source, columns: _Columns, keys: list[_Key], full: set[int]) -> None:
        self.source = source
        self.columns = columns
        self.keys = keys
        self.full = [k for k in keys if k.number in full]
        self.checked = {k.number for k in self.full}
        self.index = source.kept
        self.numeric = [k for k in self.full if k.numeric]
        self.single = {k.sources[0]: k for k in keys if len(k.sources) == 1}

    def sql(self) -> str:
        stages = [self._fast(), self._given(), self._words(), self._stripped(), self._parts(), self._digits(),
                  self._parsed(), self._checked()]
        inputs = ["_r", *(f"c{j}" for j in range(len(self.source.names))), *(f"w{k.number}" for k in self.keys),
                  *(f"pp{j}" for j in self.rate_columns())] + (["_行"] if self.source.numbered else [])
        return _chain(self.source.relation, inputs, stages, self.stored())

    def stored(self) -> list[str]:
        problems = [f"e{k.number} IS NULL" for k in self.full] + [f"q{j} IS NULL" for j in self.conflicting()]
        names = ["_r", "_unit", "_group", "_parent", "_blank", f"({' AND '.join(problems or ['TRUE'])}) AS _ok"]
        if self.source.numbered:
            names.append("_行")
        for key in self.keys:
            names += [f"v{key.number}", f"e{key.number}", f"x{key.number}"]
            if len(key.sources) > 1:
                names.append(f"gc{key.number}")
        names += [f"q{j}, qx{j}" for j in self.conflicting()]
        names += [f"p{j}, pt{j}" for j in self.rate_columns()]
        return names

    def conflicting(self) -> list[int]:
        """The columns that give a value already given by an earlier column."""
        return sorted(j for k in self.keys for j in k.sources[1:])

    def rate_columns(self) -> list[int]:
        return _rate_columns(self.source, self.columns)

    @staticmethod
    def text(j: int) -> str:
        return f"t{j}"

    # -- stages: every one a list of (SQL, name) --

    def _fast(self):
        """The unit's name, group and parent; per value checked here and given by one column, its
        fast value ``f<k>``; ``t<j>``: the text of every cell of the values checked here, stripped once for
        all the uses below."""
        out = [(_name_sql(self.source, self.columns.unit), "_unit"),
               (_name_sql(self.source, self.columns.group), "_group"),
               (_name_sql(self.source, self.columns.parent), "_parent")]
        out += [(self.source.text(j), f"t{j}") for j in sorted({j for k in self.full for j in k.sources})]
        return out + [(_fast_value(self.source, key), f"f{key.number}") for key in self.full]

    def _given(self):
        """Whether the row is blank; per value without a fast value, the stripped text of the
        column that gives it (``g<k>``: the first one filled in, '' if none) and, for a value
        with two columns, which column that is (``gc<k>``) and the conflicts; whether the cell
        is a Parquet boolean (``gb<k>``)."""
        blank = " AND ".join(["_unit = ''"] + [f"{self.source.text(j)} = ''" for n, j in self.index.items()
                                                if n != self.columns.unit])
        out = [(f"({blank})", "_blank")]
        for key in self.full:
            k = key.number
            if len(key.sources) <= 1:
                text = self.text(key.sources[0]) if key.sources else "''"
                out.append((f"(CASE WHEN f{k} IS NULL THEN {text} END)", f"g{k}"))
            else:
                whens = " ".join(f"WHEN {self.text(j)} <> '' THEN {self.text(j)}" for j in key.sources)
                out.append((f"(CASE {whens} ELSE '' END)", f"g{k}"))
                whens = " ".join(f"WHEN {self.text(j)} <> '' THEN {_lit(self.source.names[j])}" for j in key.sources)
                out.append((f"(CASE {whens} END)", f"gc{k}"))
            booleans = [j for j in key.sources if self.source.types[j] == "BOOLEAN"]
            flag = "FALSE"
            if booleans and key.kind != ast.BOOL:
                whens = " ".join(f"WHEN {self.text(j)} <> '' THEN {'TRUE' if j in booleans else 'FALSE'}"
                                 for j in key.sources)
                flag = f"(CASE {whens} ELSE FALSE END)"
            out.append((flag, f"gb{k}"))
            for place, j in enumerate(key.sources[1:], start=1):
                this = _lit(self.source.names[j])
                whens = " ".join(f"WHEN {self.text(i)} <> '' THEN '「' || {_lit(self.source.names[i])} || '」和「' "
                                 f"|| {this} || '」是同一个事实，只能填一处'" for i in key.sources[:place])
                out.append((f"(CASE WHEN {self.text(j)} <> '' THEN CASE {whens} END END)", f"q{j}"))
                out.append((f"(CASE WHEN {self.text(j)} <> '' THEN {self.text(j)} END)", f"qx{j}"))
        return out

    def _words(self):
        """A 是否 value in any case (``b<k>``); a number's text normalised (``n<k>``: full-width
        characters translated and spaces dropped, as NFKC and ``.replace(" ", "")`` leave it in
        facts.py); the class of every rate cell for the fractions warning."""
        out = []
        for key in self.full:
            k = key.number
            given = f"g{k} <> '' AND NOT gb{k}"
            if key.kind == ast.BOOL:
                word = f"lower(g{k})"
                out.append((f"(CASE WHEN g{k} IS NULL THEN NULL WHEN {_one_of(word, TRUE_WORDS)} THEN TRUE "
                            f"WHEN {_one_of(word, FALSE_WORDS)} THEN FALSE END)", f"b{k}"))
            elif key.numeric:
                out.append((f"(CASE WHEN {given} THEN replace(translate(g{k}, {_lit(FULL_WIDTH)}, "
                            f"{_lit(HALF_WIDTH)}), ' ', '') END)", f"n{k}"))
        for j in self.rate_columns():
            key = self.single.get(j)
            if key is None:  # one of two columns for one value: judged on its own text
                out.append((self._rate_class(self.text(j)), f"p{j}"))
                continue
            if key.number not in self.checked:  # as the first pass found it
                out.append((f"pp{j}", f"p{j}"))
                continue
            out.append((f"(CASE WHEN f{key.number} IS NOT NULL THEN {_fast_class(self.source, key)} "
                        f"ELSE {self._rate_class(f'g{key.number}')} END)", f"p{j}"))
        return out

    @staticmethod
    def _rate_class(text: str) -> str:
        """How a rate cell bears on facts.py's fractions warning (every value of the column at
        most 1 and written without %, checked with Decimal): NULL nothing; 'D' a text that rules
        the warning out (it has %, or a comma Decimal refuses, or it is a plain number above 1);
        'P' a plain number in (0, 1]; 'Z' a plain number at most 0; 'O' anything else, for Python."""
        plain_number = f"regexp_full_match({text}, '[+-]?[0-9]+(\\.[0-9]+)?')"
        whole = f"ltrim(regexp_extract({text}, '[0-9]+'), '0')"
        decimals = f"regexp_matches({text}, '\\.[0-9]*[1-9]')"
        return (f"(CASE WHEN {text} = '' THEN NULL "
                f"WHEN contains({text}, '%') OR contains({text}, '％') OR contains({text}, ',') THEN 'D' "
                f"WHEN NOT {plain_number} THEN 'O' "
                f"WHEN starts_with({text}, '-') THEN 'Z' "
                f"WHEN {whole} = '' THEN CASE WHEN {decimals} THEN 'P' ELSE 'Z' END "
                f"WHEN {whole} = '1' AND NOT {decimals} THEN 'P' ELSE 'D' END)")

    def _stripped(self):
        """``u<k>``: facts.py's own verdict on a cell SQL cannot judge exactly; otherwise ``m<k>``:
        the text without its % (百分比) or 元/万元 (金额), and ``sh<k>``: 4 for 万元 (the point
        moves four places). The text of a rate cell, for Python, when only Python can tell."""
        out = []
        for key in self.numeric:
            k = key.number
            n = f"n{k}"
            exotic = f"(regexp_matches({n}, {_lit(_EXOTIC)}) OR length({n}) > {_LONG})"
            out.append((f"(CASE WHEN {n} IS NULL THEN NULL WHEN {exotic} THEN {UDF}({_lit(key.kind)}, g{k}) END)",
                        f"u{k}"))
            if key.kind == ast.PERCENT:
                bare = f"CASE WHEN suffix({n}, '%') THEN left({n}, length({n}) - 1) ELSE {n} END"
            elif key.kind == ast.MONEY:
                yuan = f"(CASE WHEN suffix({n}, '万元') THEN left({n}, length({n}) - 2) ELSE {n} END)"
                bare = f"CASE WHEN suffix({yuan}, '元') THEN left({yuan}, length({yuan}) - 1) ELSE {yuan} END"
            else:
                bare = n
            out.append((f"(CASE WHEN {n} IS NULL THEN NULL WHEN NOT {exotic} THEN {bare} END)", f"m{k}"))
            out.append((f"(CASE WHEN suffix({n}, '万元') THEN 4 ELSE 0 END)" if key.kind == ast.MONEY else "0",
                        f"sh{k}"))
        for j in self.rate_columns():
            key = self.single.get(j)
            if key is not None and key.number not in self.checked:
                out.append(("NULL::VARCHAR", f"pt{j}"))
                continue
            text = f"g{key.number}" if key is not None else self.text(j)
            out.append((f"(CASE WHEN p{j} = 'O' THEN {text} END)", f"pt{j}"))
        return out

    def _parts(self):
        """``np<k>``: sign, integer part and decimals of the text, if it is a number as facts.py
        writes them (the integer part is '' if it is not)."""
        return [(f"(CASE WHEN m{k.number} IS NOT NULL THEN regexp_extract(m{k.number}, {_lit(_NUMBER_PARTS)}, "
                 f"['sign', 'whole', 'decimals']) END)", f"np{k.number}") for k in self.numeric]

    def _digits(self):
        """``ni<k>``/``nd<k>``: the significant digits before and after the point, once the point
        has moved for 万元; counting them tells too large and too many decimals apart, with no
        rounding anywhere."""
        out = []
        for key in self.numeric:
            k = key.number
            whole, decimals = f"replace(np{k}.whole, ',', '')", f"np{k}.decimals"
            if key.kind == ast.MONEY:
                whole = f"CASE WHEN sh{k} = 4 THEN {whole} || left({decimals} || '0000', 4) ELSE {whole} END"
                decimals = f"CASE WHEN sh{k} = 4 THEN substr({decimals}, 5) ELSE {decimals} END"
            out.append((f"(CASE WHEN np{k} IS NOT NULL THEN ltrim({whole}, '0') END)", f"ni{k}"))
            out.append((f"(CASE WHEN np{k} IS NOT NULL THEN rtrim({decimals}, '0') END)", f"nd{k}"))
        return out

    def _parsed(self):
        """``nv<k>``: the number (the fast value, facts.py's, or the digits'; NULL if it is not
        one); ``pe<k>``: what parse_value says about its form (not a number, too large, too many
        decimals, a boolean)."""
        out = []
        for key in self.numeric:
            k = key.number
            digits = (f"CASE WHEN np{k}.sign = '-' THEN '-' ELSE '' END || "
                      f"CASE WHEN ni{k} = '' THEN '0' ELSE ni{k} END || '.' || nd{k} || '0'")
            out.append((f"(CASE WHEN f{k} IS NOT NULL THEN f{k} "
                        f"WHEN u{k} IS NOT NULL THEN TRY_CAST(u{k} AS {VALUE_TYPE}) "
                        f"WHEN np{k}.whole <> '' AND length(ni{k}) <= {INTEGER_DIGITS} "
                        f"AND length(nd{k}) <= {FRACTION_DIGITS} THEN CAST({digits} AS {VALUE_TYPE}) END)", f"nv{k}"))
            out.append((f"(CASE WHEN n{k} IS NULL AND NOT gb{k} THEN NULL "
                        f"WHEN gb{k} THEN {_lit(f'应为{key.fact.type}，却是是否值')} "
                        f"WHEN starts_with(u{k}, '!') THEN substr(u{k}, 2) "
                        f"WHEN np{k}.whole = '' THEN {_lit(f'应为{key.kind}，却不是一个数')} "
                        f"WHEN length(ni{k}) > {INTEGER_DIGITS} THEN '数值过大（整数部分超过 {INTEGER_DIGITS} 位）' "
                        f"WHEN length(nd{k}) > {FRACTION_DIGITS} THEN '小数位数过多（最多 {FRACTION_DIGITS} 位）' END)",
                        f"pe{k}"))
        return out

    def _checked(self):
        """``e<k>``: the message of the value's problem, in the order facts.py checks; ``v<k>``:
        the value, or the default when the cell is empty; ``x<k>``: the cell's text (the problem's
        value)."""
        out = []
        for key in self.keys:
            k = key.number
            if key.number not in self.checked:  # settled by the first pass in every row here
                out += [("NULL::VARCHAR", f"e{k}"), (f"w{k}", f"v{k}"), ("NULL::VARCHAR", f"x{k}")]
                continue
            fast = self.text(key.sources[0]) if len(key.sources) == 1 else "NULL"
            out.append((f"(CASE WHEN g{k} IS NULL THEN {fast} WHEN g{k} <> '' THEN g{k} END)", f"x{k}"))
            missing = _lit(MISSING) if default_value(key.fact) is None else "NULL"
            if key.kind == ast.BOOL:
                checks = [(f"b{k} IS NULL", "'应为「是」或「否」'")]
                value = f"b{k}"
            elif key.kind == ast.CHOICE:
                checks = [(f"gb{k}", _lit(f"应为{key.fact.type}，却是是否值")),
                          (f"NOT {_one_of(f'g{k}', key.fact.type.choices)}", "'不是可选的值之一'")]
                value = f"g{k}"
            else:
                checks = [(f"pe{k} IS NOT NULL", f"pe{k}")] + _number_checks(key, f"nv{k}")
                value = f"nv{k}"
            whens = " ".join(f"WHEN {condition} THEN {message}" for condition, message in checks)
            if key.numeric:  # a fast value is still checked against the kind's range and the bounds
                out.append((f"(CASE WHEN g{k} = '' THEN {missing} {whens} END)", f"e{k}"))
                out.append((f"(CASE WHEN g{k} = '' THEN {key.default_sql()} ELSE {value} END)", f"v{k}"))
            else:
                out.append((f"(CASE WHEN f{k} IS NOT NULL THEN NULL WHEN g{k} = '' THEN {missing} {whens} END)",
                            f"e{k}"))
                out.append((f"(CASE WHEN f{k} IS NOT NULL THEN f{k} WHEN g{k} = '' THEN {key.default_sql()} "
                            f"ELSE {value} END)", f"v{k}"))
        return out


# ---- loading ------------------------------------------------------------------------------


@contextlib.contextmanager
def _insertion_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep the file's order in the tables made here: a row's number is its rowid."""
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    if not kept:
        con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        if not kept:
            con.execute("SET preserve_insertion_order = false")


def load_facts_table(con: duckdb.DuckDBPyConnection, path: Path, policy: ast.Policy,
                     name: str = "facts") -> list[FactProblem]:
    """Read the facts file at ``path`` into the temporary table ``name`` and return its problems.

    The table holds the units that ``facts.validate`` accepts, in file order, with their values
    (defaults filled in); the problems equal ``facts.validate(facts.read_rows(path), policy)
    .problems``. A file that cannot be read at all raises :class:`FactsError`, with facts.py's
    message. .csv/.txt and .parquet are read by DuckDB; other files (.xlsx, .json) by facts.py,
    then put in the table by :func:`units_table` (``_行`` is then NULL).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".parquet"):
        table = load_facts(path, policy)
        units_table(con, table.units, policy, name)
        return list(table.problems)
    _register_udf(con)
    with _insertion_order(con):
        if suffix == ".parquet":
            return _Loader(con, policy, name).load(_parquet(con, path))
        return _load_csv(con, path, policy, name)


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, policy: ast.Policy, name: str) -> list[FactProblem]:
    """DuckDB's parallel reader, then its serial one (which alone copes with a quoted cell
    across lines when rows may be short), then facts.py's reader, whichever first reads the
    file as facts.py would."""
    loader = _Loader(con, policy, name)
    header = _csv_header(path)
    if header is not None and _plain_lines(path):
        for parallel in (True, False):
            try:
                return loader.load(_duckdb_csv(path, header, parallel))
            except duckdb.Error as error:
                if not parallel or "parallel" not in str(error):
                    break
    view = f"_jhdsl_rows_{name}"
    try:
        return loader.load(_python_csv(con, path, view))
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister(view)


class _Loader:
    """Checks the cells of one source in SQL (:class:`_Fast` over every row, :class:`_Check` over
    the rows that need it), then builds the problems and the table."""

    def __init__(self, con: duckdb.DuckDBPyConnection, policy: ast.Policy, name: str) -> None:
        self.con = con
        self.policy = policy
        self.name = name
        self.first = _ident(f"_jhdsl_first_{name}")
        self.full = _ident(f"_jhdsl_full_{name}")
        self.duplicates = _ident(f"_jhdsl_duplicates_{name}")

    def load(self, source: _Source) -> list[FactProblem]:
        names = [n for n in source.names if n]
        repeated = next((n for n in names if names.count(n) > 1), None)
        if repeated is not None or not any(n in names for n in UNIT_COLUMNS):
            return self._refuse(source, repeated)
        columns = _map_columns(names, self.policy)
        keys = _keys(self.policy, columns, source.kept)
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {self.first} AS {_Fast(source, columns, keys).sql()}")
            return self._finish(source, columns, keys)
        finally:
            for table in (self.first, self.full, self.duplicates):
                self.con.execute(f"DROP TABLE IF EXISTS {table}")

    def _refuse(self, source: _Source, repeated: str | None) -> list[FactProblem]:
        """A header facts.py refuses (a name twice, no unit column) — unless a column without a
        name has data (facts.py says so first), or there is no unit at all (facts.py then only
        says that)."""
        named = " OR ".join(f"{source.text(j)} <> ''" for j in source.kept.values()) or "FALSE"
        stray = "".join(f", bool_or({source.text(j)} <> '')" for j in source.nameless)
        found = self.con.execute(f"SELECT count(*) FILTER (WHERE {named}){stray} FROM {source.relation}").fetchall()[0]
        _raise_stray(source, found[1:])
        if repeated is not None:
            raise FactsError(f"列名「{repeated}」出现了不止一次：请删去多余的一列")
        if not found[0]:
            return self._no_units()
        _map_columns([n for n in source.names if n], self.policy)  # raises facts.py's error
        raise AssertionError("unreachable: the header has no unit column")

    def _no_units(self) -> list[FactProblem]:
        units_table(self.con, (), self.policy, self.name)
        return [FactProblem("事实文件中没有任何单位")]

    def _finish(self, source: _Source, columns: _Columns, keys: list[_Key]) -> list[FactProblem]:
        rates = _rate_columns(source, columns)
        units, others, stats = self._count_first(source, rates)
        bad = f"SELECT DISTINCT unnest(_jh_bad) FROM {self.first} WHERE NOT _jh_ok"
        full = {k for (k,) in self.con.execute(bad).fetchall() if k is not None} if others else set()
        check = _Check(_full_source(source, self.first, keys, rates), columns, keys, full)
        good_others = 0
        if others:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {self.full} AS {check.sql()}")
            more, good_others = self._count_full(rates, stats)
            units += more
        if not units:
            return self._no_units()
        problems = self._file_problems(source, columns, rates, stats)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {self.duplicates} AS SELECT rowid AS r FROM {self.first} "
                         f"WHERE 单位 <> '' QUALIFY row_number() OVER (PARTITION BY 单位 ORDER BY rowid) > 1")
        duplicates = self.con.execute(f"SELECT count(*) FROM {self.duplicates}").fetchall()[0][0]
        problems += self._row_problems(source, keys, check, others, duplicates)
        if good_others:
            self._adopt(check.full)
        self._keep_first(source, rates, others, duplicates)
        return problems

    def _count_first(self, source: _Source, rates: list[int]) -> tuple[int, int, list[list]]:
        """From the first pass: the units it settled, the rows it left, and per rate column the
        counts of its settled cells for the fractions warning. A column without a name that has
        data after all is facts.py's first complaint."""
        counts = ["count(*) FILTER (WHERE _jh_ok)", "count(*) FILTER (WHERE NOT _jh_ok)"]
        counts += [f"bool_or(_jh_s{j})" for j in source.nameless]
        counts += [c for j in rates for c in _rate_counts(f"_jh_p{j}", "_jh_ok")]
        found = self.con.execute(f"SELECT {', '.join(counts)} FROM {self.first}").fetchall()[0]
        _raise_stray(source, found[2:2 + len(source.nameless)])
        rated = found[2 + len(source.nameless):]
        return found[0], found[1], [[*rated[3 * i:3 * i + 3], []] for i in range(len(rates))]

    def _count_full(self, rates: list[int], stats: list[list]) -> tuple[int, int]:
        """From the full check: the rows that are not blank, the good units among them; and the
        counts of the fractions warning, added to ``stats``, with the texts only Python judges."""
        counts = ["count(*) FILTER (WHERE NOT _blank)", "count(*) FILTER (WHERE NOT _blank AND _unit <> '' AND _ok)"]
        counts += [c for j in rates for c in _rate_counts(f"p{j}", "TRUE")]
        counts += [f"list(DISTINCT pt{j}) FILTER (WHERE p{j} = 'O')" for j in rates]
        found = self.con.execute(f"SELECT {', '.join(counts)} FROM {self.full}").fetchall()[0]
        for i, stat in enumerate(stats):
            stat[:3] = [a + b for a, b in zip(stat[:3], found[2 + 3 * i:5 + 3 * i], strict=True)]
            stat[3] = found[2 + 3 * len(rates) + i] or []
        return found[0], found[1]

    def _file_problems(self, source: _Source, columns: _Columns, rates: list[int], stats: list[list]) -> list[FactProblem]:
        """The unknown columns, then the rate columns that look like fractions (a warning)."""
        known = _known_columns(self.policy)
        problems = [FactProblem(f"未知的列「{c}」：政策中没有这个事实，这一列没有参与评分", hint=suggestion(c, known))
                    for c in columns.unknown]
        for j, stat in zip(rates, stats, strict=True):
            if _looks_like_fractions(*stat):
                problems.append(FactProblem(f"百分比列「{source.names[j]}」的值都不大于 1，可能写成了小数",
                                            hint="97.5% 应写作 97.5 或 97.5%，不是 0.975", warning=True))
        return problems

    def _row_problems(self, source: _Source, keys: list[_Key], check: _Check, others: int,
                      duplicates: int) -> list[FactProblem]:
        """The problems of the rows that have one, built in Python in facts.py's order: a row
        without a name, a repeated name, or the unit's values (two columns for one value first,
        then each value in the policy's order)."""
        found: list[tuple] = []
        if duplicates:  # a repeated name in a row the first pass settled: only the repetition
            found += self.con.execute(
                f"SELECT {_row_number(source, 'rowid')}, 单位, TRUE FROM {self.first} "
                f"WHERE _jh_ok AND rowid IN (SELECT r FROM {self.duplicates})").fetchall()
        if others:
            duplicate = f"_r IN (SELECT r FROM {self.duplicates})" if duplicates else "FALSE"
            fields = [_row_number(source, "_r"), "_unit", duplicate]
            for key in keys:
                fields += [f"e{key.number}", f"x{key.number}", f"gc{key.number}" if len(key.sources) > 1 else "NULL"]
            fields += [f"q{j}, qx{j}" for j in check.conflicting()]
            found += self.con.execute(f"SELECT {', '.join(fields)} FROM {self.full} "
                                      f"WHERE NOT _blank AND (_unit = '' OR NOT _ok OR {duplicate})").fetchall()
        problems = []
        for row in sorted(found, key=lambda r: r[0]):
            problems += self._problems_of(row, source, keys, check)
        return problems

    @staticmethod
    def _problems_of(row: tuple, source: _Source, keys: list[_Key], check: _Check) -> list[FactProblem]:
        number, unit, duplicate = row[:3]
        where = f"第 {number} 行"
        if not unit:
            return [FactProblem("缺少单位名称", where=where)]
        if duplicate:
            return [FactProblem(f"单位名称「{unit}」重复，这一行没有评分", where=where,
                                hint="每个单位只能有一行；已按第一次出现的那一行评分")]
        problems = []
        conflicts = row[3 + 3 * len(keys):]
        for place, j in enumerate(check.conflicting()):
            message, text = conflicts[2 * place:2 * place + 2]
            if message is not None:
                problems.append(FactProblem(message, unit, source.names[j], _newlines(text, source), where))
        for key in keys:
            message, text, given = row[3 + 3 * key.number:6 + 3 * key.number]
            if message is None:
                continue
            if message == MISSING:
                problems.append(FactProblem(message, unit, key.column, None, where,
                                            f"请在事实文件中补上「{key.column}」列的值"))
                continue
            column = given or source.names[key.sources[0]]
            text = _newlines(text, source)
            problems.append(FactProblem(message, unit, column, text, where, _hint(key, message, text)))
        return problems

    def _keep_first(self, source: _Source, rates: list[int], others: int, duplicates: int) -> None:
        """The first pass's table, without the rows facts.py does not accept and the helper
        columns, becomes the final one."""
        if not source.numbered:
            self.con.execute(f"UPDATE {self.first} SET _行 = CAST(rowid + 2 AS INTEGER)")
        if others or duplicates:
            repeated = f" OR rowid IN (SELECT r FROM {self.duplicates})" if duplicates else ""
            self.con.execute(f"DELETE FROM {self.first} WHERE NOT _jh_ok{repeated}")
        for column in _Fast.helpers(source, rates):
            self.con.execute(f"ALTER TABLE {self.first} DROP COLUMN {column}")
        self.con.execute(f"DROP TABLE IF EXISTS temp.{_ident(self.name)}")
        self.con.execute(f"ALTER TABLE {self.first} RENAME TO {_ident(self.name)}")

    def _adopt(self, checked: list[_Key]) -> None:
        """The units the full check found good take its values (of the values it checked) in the
        first pass's table, in their own rows: the file's order stays as it is."""
        values = [f"{_ident(k.column)} = CAST(good.v{k.number} AS {k.table_type})" for k in checked]
        self.con.execute(
            f"UPDATE {self.first} SET {', '.join([*values, '_jh_ok = TRUE'])} "
            f"FROM (SELECT * FROM {self.full} WHERE NOT _blank AND _unit <> '' AND _ok) AS good "
            f"WHERE {self.first}.rowid = good._r")


def _full_source(source: _Source, first: str, keys: list[_Key], rates: list[int]) -> _Source:
    """The rows the first pass left to the full check: their cells as read, ``_r`` (the row's
    place in the first pass), and what the first pass found: ``w<k>`` the value, ``pp<j>`` the
    class of a rate cell (the full check keeps them for the values it has no need to look at)."""
    cells = [f"_jh_raw.c{j} AS c{j}" for j in range(len(source.names))]
    found = [f"{_ident(k.column)} AS w{k.number}" for k in keys] + [f"_jh_p{j} AS pp{j}" for j in rates]
    numbered = ["_行"] if source.numbered else []
    relation = f"(SELECT {', '.join(['rowid AS _r', *cells, *found, *numbered])} FROM {first} WHERE NOT _jh_ok)"
    return attrs.evolve(source, relation=relation)


def _row_number(source: _Source, place: str) -> str:
    """SQL for a row's number, from its place in the first pass (the header is row 1)."""
    return "_行" if source.numbered else f"{place} + 2"


def _rate_counts(column: str, rows: str) -> list[str]:
    """SQL for how many cells of a rate column rule the fractions warning out, are at most 1,
    and are above 0 (``column`` has their classes)."""
    return [f"count(*) FILTER (WHERE {rows} AND {column} = 'D')",
            f"count(*) FILTER (WHERE {rows} AND ({column} = 'P' OR {column} = 'Z'))",
            f"count(*) FILTER (WHERE {rows} AND {column} = 'P')"]


def _raise_stray(source: _Source, flags: Sequence[bool | None]) -> None:
    for j, has_data in zip(source.nameless, flags, strict=True):
        if has_data:
            raise FactsError(f"第 {j + 1} 列有数据却没有列名")


def _newlines(text: str | None, source: _Source) -> str | None:
    return text.replace("\r\n", "\n") if text is not None and source.crlf else text


def _hint(key: _Key, message: str, text: str) -> str | None:
    """The hint facts.parse_value gives with a message."""
    if message.endswith("却不是一个数"):
        return NOT_A_NUMBER_HINT
    if message == "不是可选的值之一":
        choices = key.fact.type.choices
        return suggestion(text, choices) or f"可选：{'、'.join(choices)}"
    return None


def _looks_like_fractions(ruling_out: int, small: int, positive: int, others: list[str] | None) -> bool:
    """facts._fraction_columns for one rate column, from the counts of its cells' classes (see
    :meth:`_Check._rate_class`) and the texts only Decimal can judge."""
    if ruling_out:
        return False
    others = others or []
    try:
        if not all("%" not in t and "％" not in t and Decimal(t) <= 1 for t in others):
            return False
    except InvalidOperation:
        return False
    if not small and not others:
        return False
    return bool(positive) or any(Decimal(t) > 0 for t in others)


# ---- units already read -------------------------------------------------------------------


def units_table(con: duckdb.DuckDBPyConnection, units: Sequence[Unit], policy: ast.Policy, name: str = "facts",
                rows: Sequence[int | None] | None = None) -> None:
    """The table :func:`load_facts_table` makes, from units facts.py has validated (for .xlsx and
    .json facts, and for tests that make units in Python). ``rows`` gives ``_行`` (else NULL).

    The values go to DuckDB as an Arrow table, one array per column (exact decimals: pyarrow
    refuses to round one), and take the table's types there."""
    lists = {li.name: li.members for li in policy.lists}
    arrays = {
        "单位": pa.array([u.name for u in units], pa.string()),
        "所属县区": pa.array([u.group for u in units], pa.string()),
        "上级单位": pa.array([u.parent for u in units], pa.string()),
        "_行": pa.array(list(rows) if rows is not None else [None] * len(units), pa.int32()),
    }
    types = {"单位": "VARCHAR", "所属县区": "VARCHAR", "上级单位": "VARCHAR", "_行": "INTEGER"}
    for fact in policy.facts:
        values = [u.values.get(fact.name) for u in units]
        for member in lists.get(fact.keyed_by, ()) if fact.keyed_by else (None,):
            column = f"{fact.name}[{member}]" if member is not None else fact.name
            cells = values if member is None else [v.get(member) if v is not None else None for v in values]
            arrays[column] = pa.array(cells, ARROW_TYPES.get(fact.type.kind, ARROW_TYPES[None]))
            types[column] = table_type(fact.type.kind)
    view = f"_jhdsl_units_{name}"
    con.register(view, pa.table(arrays))
    try:
        casts = ", ".join(f"CAST({_ident(c)} AS {t}) AS {_ident(c)}" for c, t in types.items())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_ident(name)} AS SELECT {casts} FROM {_ident(view)}")
    finally:
        con.unregister(view)


ARROW_TYPES = {ast.BOOL: pa.bool_(), ast.CHOICE: pa.string(), ast.COUNT: pa.decimal128(INTEGER_DIGITS + FRACTION_DIGITS, 0),
               None: pa.decimal128(INTEGER_DIGITS + FRACTION_DIGITS, FRACTION_DIGITS)}
"""The Arrow type of each kind of fact's values (None: 数值, 金额, 百分比)."""
