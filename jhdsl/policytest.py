"""``jhdsl test``: expected results pinned beside each policy, in a file the writer keeps by hand.

``policies/wujin-2014.test.toml`` holds the cases of ``policies/wujin-2014.jhp`` (the format is
described in docs/policy-tests.md). A case names a unit of the policy's example facts
(``examples/wujin-2014/units.csv``) or gives a unit's facts, with the results it must get:
total, item scores, grade, vetoes, outcomes, ranks. A run scores every case, shows expected
against actual for each failure with the rules that fired, and ends with ``N passed, N failed``.

Exit codes: 0 every case passed; 1 a case failed; 2 a usage mistake (no test file found, a
test file that cannot be read or names what the policy does not have).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import click

from jhdsl import ast, report
from jhdsl.display import render_table
from jhdsl.errors import JhdslError, suggestion
from jhdsl.facts import UNIT_COLUMNS, FactsRow, FactsTable, read_rows, validate
from jhdsl.interpreter import ItemResult, SectionResult, UnitResult, resolve_params
from jhdsl.numbers import plain, shown
from jhdsl.outcomes import evaluate_all
from jhdsl.pipeline import load_policy

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SUFFIX = ".test.toml"
DEFAULT_PATH = "policies"
NONE = "（无）"

FILE_KEYS = ("policy", "facts", "case")
NUMBERS = {"total": "总分", "base": "基础分", "bonus": "加分", "penalty": "减分", "cut": "扣减"}
EXPECTATIONS = (*NUMBERS, "items", "grade", "vetoes", "outcomes", "rank", "eligible")
CASE_KEYS = ("name", "unit", "facts", "set", "all_units", *EXPECTATIONS)


class BrokenTestFile(JhdslError):
    """A test file that cannot be run: not TOML, an unknown key, a name the policy lacks."""


# ---- the test file ----------------------------------------------------------------------------


@attrs.frozen
class Expected:
    """What a case says the unit gets; None (or empty) where the case does not say."""

    numbers: Mapping[str, Decimal]  # UnitResult attribute (total, base, …) → value
    items: Mapping[str, Decimal]  # item or section name → score
    grade: str | None = None  # "" for no grade, report.VETOED for a vetoed unit
    vetoes: tuple[str, ...] | None = None
    outcomes: tuple[str, ...] | None = None
    rank: int | Mapping[str, int] | None = None
    eligible: bool | None = None


@attrs.frozen
class Case:
    """One case: which unit, on what facts and parameters, and what it must get."""

    name: str
    unit: str
    facts: Mapping[str, object]
    settings: Mapping[str, object]
    all_units: bool
    expected: Expected


@attrs.frozen
class TestFile:
    """A test file as read: the policy and example facts it is about, and its cases."""

    path: Path
    policy: Path
    facts: Path
    cases: tuple[Case, ...]


def _toml_error(error: tomllib.TOMLDecodeError, text: str) -> str:
    """A TOML syntax error in Chinese, with the usual cause of it named."""
    message = str(error)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    where = f"第 {found.group(1)} 行第 {found.group(2)} 列：" if found else ""
    reason = re.sub(r"\s*\(at .*\)$", "", message)
    hint = ""
    if found:
        line = text.split("\n")[int(found.group(1)) - 1].lstrip()
        if line and not line[0].isascii():
            hint = "；中文的键名要加引号，如 \"计划生育率\" = 4"
    return f"{where}不是正确的 TOML 格式（{reason}）{hint}"


def _check_keys(table: Mapping, allowed: Iterable[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            hint = suggestion(key, allowed) or f"可用的键：{'、'.join(allowed)}"
            raise BrokenTestFile(f"{where}有未知的键「{key}」。{hint}")


def _table(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise BrokenTestFile(f"{where}应是一个表，如 {{ \"名称\" = 值 }}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise BrokenTestFile(f"{where}应是一个用引号括起的文字（收到：{value!r}）")
    return value


def _names(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BrokenTestFile(f"{where}应是名称的列表，如 [\"甲\", \"乙\"]，没有则写 []")
    return tuple(value)


def _number(value: object, where: str) -> Decimal:
    """An expected score: a TOML number (read exactly) or a text such as "87.5" or "87.5分"."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise BrokenTestFile(f"{where}应是一个数（收到：{value!r}）")
    try:
        return Decimal(str(value).strip().removesuffix("分"))
    except InvalidOperation:
        raise BrokenTestFile(f"{where}应是一个数（收到：{value!r}）") from None


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise BrokenTestFile(f"{where}应是 true 或 false（收到：{value!r}）")
    return value


def _rank(value: object, where: str) -> int | dict[str, int]:
    if isinstance(value, dict):
        return {name: _whole(v, f"{where}「{name}」") for name, v in value.items()}
    return _whole(value, where)


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BrokenTestFile(f"{where}应是名次（1、2、3……）（收到：{value!r}）")
    return value


def _subtable(raw: Mapping, key: str, where: str) -> dict:
    """``[case.items]``, ``[case.facts]`` or ``set``; a case key inside one was meant for the case."""
    table = _table(raw.get(key, {}), f"{where}的 {key} ")
    misplaced = next((name for name in table if name in CASE_KEYS), None)
    if misplaced is not None:
        raise BrokenTestFile(f"{where}：「{misplaced}」写在了 [case.{key}] 之下；"
                             f"用例自己的键（{misplaced}）要写在 [case.{key}] 这一行之前")
    return table


def _optional(raw: Mapping, key: str, read, where: str):
    """``read`` applied to the case's ``key``, or None when the case does not give it."""
    return read(raw[key], f"{where}的 {key} ") if key in raw else None


def _expected(raw: Mapping, where: str) -> Expected:
    numbers = {key: _number(raw[key], f"{where}的 {key} ") for key in NUMBERS if key in raw}
    items = {name: _number(v, f"{where}的项目「{name}」") for name, v in _subtable(raw, "items", where).items()}
    return Expected(numbers, items, *(_optional(raw, key, read, where) for key, read in
                                      [("grade", _text), ("vetoes", _names), ("outcomes", _names),
                                       ("rank", _rank), ("eligible", _flag)]))


def _case(raw: object, number: int) -> Case:
    where = f"第 {number} 个用例"
    raw = _table(raw, where)
    _check_keys(raw, CASE_KEYS, where)
    if "unit" not in raw:
        raise BrokenTestFile(f"{where}缺少 unit（单位名称）")
    unit = _text(raw["unit"], f"{where}的 unit ")
    name = _text(raw.get("name", unit), f"{where}的 name ")
    where = f"{where}「{name}」"
    if not any(key in raw for key in EXPECTATIONS):
        raise BrokenTestFile(f"{where}没有写任何期望的结果（{'、'.join(EXPECTATIONS)} 至少写一个）")
    return Case(name, unit, _subtable(raw, "facts", where), _subtable(raw, "set", where),
                _flag(raw.get("all_units", False), f"{where}的 all_units "), _expected(raw, where))


def read_test_file(path: Path) -> TestFile:
    """Read a test file and check its layout (not yet its names: that needs the policy)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BrokenTestFile("不是 UTF-8 编码") from None
    except OSError as error:
        raise BrokenTestFile(f"无法读取（{error.strerror}）") from None
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise BrokenTestFile(_toml_error(error, text)) from None
    _check_keys(data, FILE_KEYS, "文件开头")
    cases = data.get("case", [])
    if not isinstance(cases, list) or not cases:
        raise BrokenTestFile("没有任何用例：每个用例以一行 [[case]] 开始")
    policy = _path(data, "policy", path, path.with_name(path.name.removesuffix(SUFFIX) + ".jhp"))
    facts = _path(data, "facts", path, policy.parent.parent / "examples" / policy.stem / "units.csv")
    return TestFile(path, policy, facts, tuple(_case(raw, n) for n, raw in enumerate(cases, start=1)))


def _path(data: Mapping, key: str, test: Path, default: Path) -> Path:
    """A path the file gives (relative to the test file), else where it is by convention."""
    return test.parent / _text(data[key], f"{key} ") if key in data else default


# ---- checking the names against the policy ---------------------------------------------------


def _known(name: str, known: Iterable[str], what: str, where: str) -> None:
    known = list(known)
    if name not in known:
        hint = suggestion(name, known) or (f"政策中的{what}：{'、'.join(known)}" if known else f"本政策没有任何{what}")
        raise BrokenTestFile(f"{where}：政策中没有{what}「{name}」。{hint}")


def _check_names(case: Case, policy: ast.Policy) -> None:
    """Every item, grade, veto, outcome and ranking a case names must be the policy's own."""
    where = f"用例「{case.name}」"
    expected = case.expected
    nodes = [i.name for i in ast.all_items(policy.items)] + [s.name for s in ast.all_sections(policy.sections)]
    for name in expected.items:
        _known(name, nodes, "项目或加减分项", where)
        if nodes.count(name) > 1:
            raise BrokenTestFile(f"{where}：政策中有不止一个「{name}」，无法确定是哪一个")
    if expected.grade:
        _known(expected.grade, [b.name for b in policy.bands] + [report.VETOED], "等次", where)
    vetoes = [v.name for v in ast.all_vetoes(policy)] + [o.name for o in policy.outcomes if o.veto]
    for name in expected.vetoes or ():
        _known(name, vetoes, "一票否决", where)
    for name in expected.outcomes or ():
        _known(name, [o.name for o in policy.outcomes], "结果", where)
    if isinstance(expected.rank, int) and len(policy.rankings) != 1:
        raise BrokenTestFile(f"{where}：政策有 {len(policy.rankings)} 个排名，rank 要写成 {{ \"排名名称\" = 名次 }}")
    for name in expected.rank if isinstance(expected.rank, dict) else ():
        _known(name, [r.name for r in policy.rankings], "排名", where)


# ---- the units a case is scored on ---------------------------------------------------------------


def _unit_column(rows: list[FactsRow]) -> str:
    names = {key for row in rows for key in row.cells}
    return next((c for c in UNIT_COLUMNS if c in names), UNIT_COLUMNS[0])


def _unit_name(row: FactsRow, column: str) -> str:
    return str(row.cells.get(column, "")).strip()


def _example_rows(test: TestFile, case: Case) -> list[FactsRow]:
    """The rows of the example facts file, or none when it does not exist."""
    if not test.facts.is_file():
        if not case.facts:
            raise BrokenTestFile(f"用例「{case.name}」：找不到示例事实文件 {test.facts}，"
                                 "请在用例的 facts 中写出单位的事实，或在文件开头用 facts = \"…\" 指明事实文件")
        return []
    try:
        return read_rows(test.facts)
    except JhdslError as error:
        raise BrokenTestFile(f"示例事实文件 {test.facts}：{error}") from None


def _case_rows(test: TestFile, case: Case) -> list[FactsRow]:
    """The rows to score: the case's unit (its example row with the case's facts over it, or
    the case's facts alone), and with all_units every other row of the example file."""
    rows = _example_rows(test, case)
    column = _unit_column(rows)
    own = next((r for r in rows if _unit_name(r, column) == case.unit), None)
    if own is None and not case.facts:
        hint = suggestion(case.unit, [_unit_name(r, column) for r in rows]) or ""
        raise BrokenTestFile(f"用例「{case.name}」：示例事实文件 {test.facts} 中没有单位「{case.unit}」。{hint}"
                             "（另立一个单位时，请在 facts 中写出它的事实）")
    cells = {**(own.cells if own else {}), column: case.unit, **case.facts}
    mine = FactsRow(f"用例「{case.name}」", cells)
    if not case.all_units:
        return [mine]
    if own is None:
        return [mine, *rows]
    return [mine if r is own else r for r in rows]


def _units(test: TestFile, case: Case, policy: ast.Policy) -> FactsTable:
    table = validate(_case_rows(test, case), policy)
    errors = [p for p in table.problems if not p.warning]
    if errors:
        raise BrokenTestFile(f"用例「{case.name}」的事实有误：{errors[0].describe()}")
    return table


@attrs.frozen
class Prepared:
    """A case ready to score: its units and parameter values."""

    case: Case
    table: FactsTable
    params: Mapping[str, object]


def prepare(test: TestFile, policy: ast.Policy) -> list[Prepared]:
    """Check every case against the policy and build its units; a mistake breaks the file."""
    prepared = []
    for case in test.cases:
        _check_names(case, policy)
        try:
            params = resolve_params(policy, dict(case.settings))
        except JhdslError as error:
            raise BrokenTestFile(f"用例「{case.name}」的 set：{error}") from None
        prepared.append(Prepared(case, _units(test, case, policy), params))
    return prepared


# ---- comparing ------------------------------------------------------------------------------


@attrs.frozen
class Row:
    """One checked value: expected against actual, and the item or section it is about."""

    label: str
    expected: str
    actual: str
    ok: bool
    node: ItemResult | SectionResult | None = None


def _number_row(label: str, expected: Decimal, actual: Decimal, places: int, node=None) -> Row:
    """Equal when the numbers are equal, or when the expected one is the score as published
    (rounded half-up to the policy's 小数位): 70.93 matches 70.928 at 2 places."""
    ok = expected == actual or expected == Decimal(shown(actual, places))
    return Row(label, plain(expected), plain(actual), ok, node)


def _names_row(label: str, expected: tuple[str, ...], actual: Iterable[str]) -> Row:
    actual = tuple(actual)
    return Row(label, "、".join(expected) or NONE, "、".join(actual) or NONE, sorted(expected) == sorted(actual))


def _find(result: UnitResult, name: str) -> ItemResult | SectionResult:
    return next(n for n in [*ast.all_items(result.items), *ast.all_sections(result.sections)] if n.name == name)


def _item_row(result: UnitResult, name: str, expected: Decimal, places: int) -> Row:
    node = _find(result, name)
    if isinstance(node, ItemResult):
        return _number_row(f"项目「{name}」", expected, node.score, places, node)
    word = "加分" if node.sign == ast.AWARD else "减分"
    return _number_row(f"{word}「{name}」", expected, node.amount, places, node)


def _rank_rows(result: UnitResult, rank: int | Mapping[str, int], policy: ast.Policy) -> Iterator[Row]:
    wanted = {policy.rankings[0].name: rank} if isinstance(rank, int) else rank
    for name, expected in wanted.items():
        place = next((p for p in result.ranks if p.ranking == name), None)
        actual = f"{place.rank}（共 {place.size} 个）" if place else NONE
        yield Row(f"排名「{name}」", str(expected), actual, place is not None and place.rank == expected)


def compare(expected: Expected, result: UnitResult, policy: ast.Policy) -> list[FactsRow]:
    """Every value the case pins, checked against the unit's result."""
    places = policy.places
    rows = [_number_row(NUMBERS[key], value, getattr(result, key), places) for key, value in expected.numbers.items()]
    rows += [_item_row(result, name, value, places) for name, value in expected.items.items()]
    if expected.grade is not None:
        grade = report.grade_text(result)
        rows.append(Row("等次", expected.grade or NONE, grade or NONE, expected.grade == grade))
    if expected.vetoes is not None:
        rows.append(_names_row("一票否决", expected.vetoes, (v.name for v in result.vetoes)))
    if expected.outcomes is not None:
        rows.append(_names_row("结果", expected.outcomes, (a.name for a in result.outcomes)))
    if expected.rank is not None:
        rows.extend(_rank_rows(result, expected.rank, policy))
    if expected.eligible is not None:
        words = {True: "符合", False: "不符合", None: NONE}
        rows.append(Row("资格", words[expected.eligible], words[result.eligible], expected.eligible is result.eligible))
    return rows


# ---- running ------------------------------------------------------------------------------------


@attrs.frozen
class Verdict:
    """How one case went: the rows checked, or why the unit could not be scored."""

    case: Case
    rows: tuple[Row, ...] = ()
    result: UnitResult | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(row.ok for row in self.rows)


def run_case(prepared: Prepared, policy: ast.Policy) -> Verdict:
    """Score the case's units and check its unit's result."""
    case = prepared.case
    try:
        settled = evaluate_all(policy, prepared.table.units, prepared.params)
    except JhdslError as error:
        return Verdict(case, error=str(error))
    failed = dict(settled.failed)
    if case.unit in failed:
        return Verdict(case, error=f"单位「{case.unit}」无法评分：{failed[case.unit]}")
    result = next(r for r in settled.results if r.unit == case.unit)
    return Verdict(case, tuple(compare(case.expected, result, policy)), result)


def _explain_node(node: ItemResult | SectionResult, places: int) -> list[str]:
    if isinstance(node, ItemResult):
        return report.explain_item(node, places, "")
    return report.explain_section(node, places, "")


def describe_failure(verdict: Verdict, policy: ast.Policy) -> str:
    """Expected against actual for every checked value, then the rules that fired: those of the
    items that differ, or the unit's whole explanation when the total or anything else differs."""
    if verdict.error is not None:
        return verdict.error
    table = render_table(["检查", "期望", "实际", "核对"],
                         [[r.label, r.expected, r.actual, "相符" if r.ok else "不符"] for r in verdict.rows])
    wrong = [row for row in verdict.rows if not row.ok]
    if any(row.node is None for row in wrong):
        fired = report.explain(verdict.result, policy).split("\n")
    else:
        fired = [line for row in wrong for line in _explain_node(row.node, policy.places)]
    return f"{table}\n\n触发的规则：\n{_indent(fired, '  ')}"


def _indent(lines: list[str], prefix: str) -> str:
    return "\n".join(prefix + line if line else "" for line in lines)


def run_file(test: TestFile) -> list[Verdict]:
    """Run every case of a test file, printing each as it goes; a broken file raises."""
    if not test.policy.is_file():
        raise BrokenTestFile(f"找不到所测的政策文件 {test.policy}（可在文件开头用 policy = \"…\" 指明）")
    loaded = load_policy(test.policy)
    if loaded.errors:
        reason = f"政策 {test.policy} 有 {len(loaded.errors)} 个错误，未评分；运行 jhdsl check {test.policy} 查看"
        verdicts = [Verdict(case, error=reason) for case in test.cases]
    else:
        verdicts = [run_case(p, loaded.policy) for p in prepare(test, loaded.policy)]
    for verdict in verdicts:
        click.echo(f"  {'通过' if verdict.passed else '失败'}  {verdict.case.name}")
        if not verdict.passed:
            click.echo(_indent(describe_failure(verdict, loaded.policy).split("\n"), " " * 8) + "\n")
    return verdicts


# ---- finding the test files ----------------------------------------------------------------------


def find_test_files(paths: Iterable[str]) -> list[Path]:
    """The test files PATHS name: test files themselves, the test file beside a policy, and
    every test file under a directory. Raises click.UsageError for a path that gives none."""
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found.extend(sorted(path.rglob("*" + SUFFIX)))
        elif path.name.endswith(SUFFIX) and path.is_file():
            found.append(path)
        elif path.suffix == ".jhp" and path.is_file():
            beside = path.with_name(path.stem + SUFFIX)
            if not beside.is_file():
                raise click.UsageError(f"政策「{text}」旁边没有测试文件 {beside.name}")
            found.append(beside)
        elif not path.exists():
            raise click.UsageError(f"找不到「{text}」")
        else:
            raise click.UsageError(f"「{text}」既不是政策文件（.jhp）、测试文件（{SUFFIX}），也不是目录")
    found = list(dict.fromkeys(found))
    if not found:
        raise click.UsageError(f"没有找到测试文件（*{SUFFIX}）：{'、'.join(paths)}")
    return found


@click.command("test", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, metavar="[PATHS]...")
@click.pass_context
def test_command(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """运行政策旁的测试用例，核对总分、各项得分、等次、一票否决、结果和名次 (run the policies' test cases).

    PATHS 可以是政策文件（.jhp，测它旁边的同名 .test.toml）、测试文件（.test.toml）或目录（其中所有的 .test.toml），默认为 policies/。

    测试文件的写法见 docs/policy-tests.md。

    \b
    最后一行为「N passed, N failed」。退出码：
      0  全部通过
      1  有用例未通过（列出期望与实际，以及触发的规则）
      2  用法错误：没有找到测试文件，或测试文件有误
    """
    try:
        files = find_test_files(paths or (DEFAULT_PATH,))
    except click.UsageError as error:
        click.echo(f"用法错误：{error.format_message()}", err=True)
        ctx.exit(EXIT_USAGE)
    passed = failed = broken = 0
    for path in files:
        click.echo(str(path))
        try:
            verdicts = run_file(read_test_file(path))
        except BrokenTestFile as error:
            click.echo(f"错误：测试文件 {path}：{error}", err=True)
            broken += 1
            continue
        passed += sum(v.passed for v in verdicts)
        failed += sum(not v.passed for v in verdicts)
    click.echo(f"{passed} passed, {failed} failed")
    ctx.exit(EXIT_USAGE if broken else EXIT_FAILED if failed else EXIT_OK)
