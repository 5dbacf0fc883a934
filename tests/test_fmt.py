"""``jhdsl fmt``: the canonical layout, comments kept, idempotence, meaning never changed, and
the command's modes (rewrite, --check, --diff) and exit codes.

The properties run over every shipped policy, every example file of docs/language.md, and
policies generated as AST objects by ``strategies.py`` and printed to text here. Each text is
also laid out at random (other indentation widths, blanks between tokens, blank lines, CRLF,
a byte-order mark) and given random comments, which the formatter must undo, or keep.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import policies  # tests/ is on the path, as for seedkit

from jhdsl import ast, formatter
from jhdsl.formatter import FormatRefused, fmt_command, format_text, normalise
from jhdsl.numbers import plain
from jhdsl.parser import SYNTAX_CODES, _lark, parse

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "policies").glob("*.jhp"))
EXAMPLES = int(os.environ.get("JHDSL_PROPERTY_EXAMPLES", "50"))
seeds = st.integers(0, 2**32).map(random.Random)
"""The random layouts are drawn from a seeded generator: as hypothesis data they would be
too many choices to shrink."""
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- texts to format ----------------------------------------------------------------------


def reference_examples() -> dict[str, str]:
    """The example files of docs/language.md (``<!-- file: 名称 -->`` blocks) that parse."""
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"<!--\s*file:\s*(.+?)\s*-->\s*\n```[^\n]*\n(.*?)\n```", text, re.S):
        name, body = match.group(1), match.group(2) + "\n"
        if name.endswith(".jhp") and not any(d.code in SYNTAX_CODES for d in parse(body).diagnostics):
            found[name] = body
    return found


SOURCES = {p.name: p.read_text(encoding="utf-8") for p in SHIPPED} | reference_examples()


# A policy drawn by strategies.py, printed in the layout a writer would use. Only the node kinds
# that strategies.py builds are printed.

VERBS = {ast.AWARD: "计分", ast.DEDUCT: "扣分"}


def policy_text(policy: ast.Policy) -> str:
    return "".join(f"{'  ' * depth}{line}\n" for depth, line in policy_lines(policy))


def policy_lines(policy: ast.Policy) -> Iterator[tuple[int, str]]:
    yield 0, f"考核 {policy.header.name}"
    if policy.header.full_marks is not None:
        yield 1, f"满分 {policy.header.full_marks}"
    yield 0, "事实"
    for fact in policy.facts:
        bounds = f" 范围 {fact.low} 至 {fact.high}" if fact.low is not None else ""
        yield 1, f"{fact.name}: {fact.type}{bounds}"
    for item in policy.items:
        yield from item_lines(item, 0)
    for section in policy.sections:
        yield from section_lines(section, 0)
    for veto in policy.vetoes:
        yield 0, veto_line(veto)
    if policy.bands:
        yield 0, "等次"
        yield from ((1, band_line(band)) for band in policy.bands)


def item_lines(item: ast.Item, depth: int) -> Iterator[tuple[int, str]]:
    yield depth, f"项目 {item.name} {item.points}"
    if item.start_full or item.start is not None:
        yield depth + 1, f"初始 {'满分' if item.start_full else item.start}"
    yield from body_lines(item, depth + 1)
    for child in item.children:
        yield from item_lines(child, depth + 1)


def section_lines(section: ast.Section, depth: int) -> Iterator[tuple[int, str]]:
    cap = f" 上限 {section.cap}" if section.cap is not None else ""
    yield depth, f"{'加分' if section.sign == ast.AWARD else '减分'} {section.name}{cap}"
    yield from body_lines(section, depth + 1)
    for child in section.children:
        yield from section_lines(child, depth + 1)


def body_lines(node: ast.Item | ast.Section, depth: int) -> Iterator[tuple[int, str]]:
    for rule in node.rules:
        yield from ((depth + extra, line) for extra, line in rule_lines(rule))
    yield from ((depth, veto_line(veto)) for veto in node.vetoes)


def rule_lines(rule: ast.Rule) -> Iterator[tuple[int, str]]:
    match rule:
        case ast.Fixed():
            yield 0, f"{VERBS[rule.sign]} {rule.points}{if_text(rule.condition)}"
        case ast.PerUnit():
            cap = f" 上限 {rule.cap}" if rule.cap is not None else ""
            step = "每满" if rule.whole_steps else "每"
            yield 0, (f"按 {ast.expr_text(rule.measure)} {step} {rule.step} {VERBS[rule.sign]} {rule.points}{cap}"
                      f"{if_text(rule.condition)}")
        case ast.RateScale():
            full = "计满分" if rule.full is None else f"计分 {rule.full}"
            decline = "每满降低" if rule.whole_steps else "每降低"
            floor = f"，低于 {rule.floor} 不计分" if rule.floor is not None else ""
            yield 0, (f"按率 {ast.expr_text(rule.measure)} 达到 {rule.target} {full}，{decline} {rule.step} "
                      f"扣分 {rule.slope}{floor}")
        case ast.Tiers():
            yield 0, f"分档 {ast.expr_text(rule.measure)}"
            for tier in rule.tiers:
                bound = "其余" if tier.op is None else f"{tier.op} {ast.expr_text(tier.bound)}"
                outcome = f"{VERBS[tier.sign]} {tier.points}" if tier.sign else "不计分"
                yield 1, f"{bound} {outcome}"
        case ast.Override():
            yield 0, f"{'满分' if rule.full else '不计分'}{if_text(rule.condition)}"
        case _:
            raise TypeError(rule)


def if_text(condition: ast.Expr | None) -> str:
    return f" 若 {ast.expr_text(condition)}" if condition is not None else ""


def veto_line(veto: ast.Veto) -> str:
    return f"一票否决 {veto.name}{if_text(veto.condition)}"


def band_line(band: ast.Band) -> str:
    if band.otherwise:
        return f"{band.name} 其余"
    low = f"{plain(band.low.value)} {'<=' if band.low.inclusive else '<'} " if band.low else ""
    if band.high is None:
        return f"{band.name} 总分 {'>=' if band.low.inclusive else '>'} {plain(band.low.value)}"
    return f"{band.name} {low}总分 {'<=' if band.high.inclusive else '<'} {plain(band.high.value)}"


# ---- laying a text out at random ----------------------------------------------------------

BLANKS = (" ", "  ", "   ", "\u3000", "\t", " \u3000 ")
COMMENTS = ("# 注释", "＃ 全角井号的注释", "#紧贴井号", "# 含「引号」、逗号，和 # 井号", "#", "# 末尾有空格   ")


def tokens_and_rest(body: str) -> tuple[list[tuple[int, int]], str]:
    """The (start, end) of each token of a line without indentation, and what follows the
    last token (blanks and a comment)."""
    spans = [(t.start_pos, t.end_pos) for t in _lark().lex(body + "\n") if t.type not in ("_NL", "_INDENT", "_DEDENT")]
    return spans, body[spans[-1][1]:] if spans else body


def respaced(body: str, rng: random.Random) -> str:
    """A line's tokens with blanks added between them (never taken away)."""
    spans, rest = tokens_and_rest(body)
    if not spans:
        return body
    out = []
    for index, (start, end) in enumerate(spans):
        if index:
            gap = body[spans[index - 1][1]:start]
            out.append(gap + rng.choice(("", "", *BLANKS)))
        out.append(body[start:end])
    if rest.strip():
        out.append(rng.choice(("", *BLANKS)) + rest.strip())
    return "".join(out)


def relaid(canonical: str, rng: random.Random) -> str:
    """A text in canonical layout laid out otherwise, with the same tokens, comments and
    paragraphs: other indentation widths, more blanks, more blank lines, trailing blanks,
    CRLF line ends, a byte-order mark."""
    widths = [0]
    for _ in range(12):
        widths.append(widths[-1] + rng.randint(1, 4))
    out = [""] * rng.randint(0, 2)
    for line in canonical.split("\n")[:-1]:
        body = line.lstrip(" ")
        if not body:
            out.extend(rng.choice(("", " ", "\u3000")) for _ in range(rng.randint(1, 3)))
            continue
        level = (len(line) - len(body)) // 2
        out.append(" " * widths[level] + respaced(body, rng) + rng.choice(("", "", *BLANKS)))
    newline = rng.choice(("\n", "\r\n"))
    return rng.choice(("", "\ufeff")) + newline.join(out) + newline * rng.randint(0, 3)


def commented(text: str, rng: random.Random) -> str:
    """``text`` with comments added: whole lines at any indentation, and at lines' ends."""
    out = []
    for line in text.split("\n"):
        if rng.random() < 0.15:
            out.append(" " * rng.randint(0, 8) + rng.choice(COMMENTS))
        if line.strip() and "#" not in line and "＃" not in line and rng.random() < 0.15:
            line += rng.choice(BLANKS) + rng.choice(COMMENTS)
        out.append(line)
    return "\n".join(out)


def comments_of(text: str) -> list[str]:
    """Every comment of a text, in order, trailing blanks aside."""
    newlines = [t for t in _lark().lex(normalise(text) + "\n") if t.type == "_NL"]
    return [m.group().rstrip() for t in newlines for m in re.finditer(r"[#＃][^\n]*", t)]


# ---- properties ---------------------------------------------------------------------------


def assert_formats_well(text: str) -> str:
    """The properties every formatting keeps; returns the formatted text."""
    formatted = format_text(text)
    assert parse(formatted).policy == parse(text).policy
    assert format_text(formatted) == formatted
    assert comments_of(formatted) == comments_of(text)
    assert not any(line != line.rstrip() for line in formatted.split("\n"))
    return formatted


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_shipped_policy_and_reference_example_formats_well(name):
    assert_formats_well(SOURCES[name])


@PROPERTY
@given(st.sampled_from(sorted(SOURCES)), seeds)
def test_layout_alone_never_changes_the_result(name, rng):
    canonical = format_text(SOURCES[name])
    assert format_text(relaid(canonical, rng)) == canonical


@PROPERTY
@given(st.sampled_from(sorted(SOURCES)), seeds)
def test_added_comments_are_kept_in_place(name, rng):
    assert_formats_well(relaid(commented(format_text(SOURCES[name]), rng), rng))


@PROPERTY
@given(policies(), seeds)
def test_generated_policies_format_well(policy, rng):
    text = policy_text(policy)
    assert parse(text).policy == policy  # the printer above is faithful
    messy = relaid(commented(text, rng), rng)
    assert parse(messy).policy == policy
    assert_formats_well(messy)
    canonical = format_text(text)
    assert format_text(relaid(canonical, rng)) == canonical


# ---- the canonical layout, by example ------------------------------------------------------

MESSY = """\ufeff# 示例\r
考核   示例办法\r
    满分   10分\r
\r
\r
事实\r
    专题研究：是否\t\t# 是否开会\r
    级别 : 枚举 ( 国家级 ,省级、 市级 )\r
        说明 "国家级 、省级"\r
    率:百分比 范围 0% 至 100%\r
      # 缩进不齐的注释\r
项目 领导重视 10分\r
       计分 6分 若 专题研究 且 ( 率 ≥ 90% 或 级别 = 国家级 )\r
       # 子项\r
       按 率 每满 10个百分点 计 1分 ， 上限 4分\r
\r
等次\r
    优秀    总分 >= 9\r
    其余档  - 5 < 总分   <9\r
    \r
"""

CANONICAL = """# 示例
考核 示例办法
  满分 10分

事实
  专题研究: 是否  # 是否开会
  级别: 枚举(国家级, 省级、市级)
    说明 "国家级 、省级"
  率: 百分比 范围 0% 至 100%
  # 缩进不齐的注释
项目 领导重视 10分
  计分 6分 若 专题研究 且 (率 ≥ 90% 或 级别 = 国家级)
  # 子项
  按 率 每满 10个百分点 计 1分，上限 4分

等次
  优秀 总分 >= 9
  其余档 -5 < 总分 < 9
"""


def test_a_messy_file_becomes_canonical():
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL
    assert parse(CANONICAL).policy == parse(MESSY).policy


@pytest.mark.parametrize(("line", "expected"), [
    ("  得分: 数值 范围 - 5 至 +5 默认 -1", "  得分: 数值 范围 -5 至 +5 默认 -1"),
    ("  计分 1分 若 得分 - 1 > - 2", "  计分 1分 若 得分 - 1 > -2"),
    ("  计分 1分 若 平均 ( 得分 ) > 名次(得分) * 2", "  计分 1分 若 平均(得分) > 名次(得分) * 2"),
    ("  计分 1分 若 互通 [ 公安 ]", "  计分 1分 若 互通[公安]"),
    ("  计分 1分 若 （互通【公安】 或 非 是）", "  计分 1分 若 （互通【公安】 或 非 是）"),
])
def test_marks_stick_where_they_should(line, expected):
    head = "考核 甲\n列表 部门: 公安、民政\n事实\n  互通: 是否 按 部门\n"
    text = head + ("项目 乙 1分\n" if "计分" in line else "") + line + "\n"
    formatted = format_text(text)
    assert formatted.endswith(expected + "\n")
    assert parse(formatted).policy == parse(text).policy


def test_quoted_text_and_full_width_marks_are_kept():
    text = '考核 「甲（乙）：丙，丁」\n  对象 “单位 ，  名称”\n  文号 "某发〔2014〕10号"\n'
    assert format_text(text) == text


def test_comments_stay_where_they_were_written():
    text = ("# 文件开头\n考核 甲  #  标题后\n  # 标题下\n  满分 1分 ＃全角\n\n    # 块末，缩进更深\n"
            "# 块间\n项目 乙 1分\n  计分 1分  # 行尾 # 两个井号\n  # 文件末尾\n")
    expected = ("# 文件开头\n考核 甲  #  标题后\n  # 标题下\n  满分 1分  ＃全角\n\n  # 块末，缩进更深\n"
                "# 块间\n项目 乙 1分\n  计分 1分  # 行尾 # 两个井号\n  # 文件末尾\n")
    assert format_text(text) == expected


def test_empty_and_comment_only_files():
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("  # 只有注释  \n") == "# 只有注释\n"


def test_syntax_errors_refuse_formatting():
    with pytest.raises(FormatRefused) as refused:
        format_text("考核 甲\n项目 乙\n\t计分 1分\n")
    assert {d.code for d in refused.value.diagnostics} <= SYNTAX_CODES


# ---- the reference's example stays true ----------------------------------------------------


def test_the_example_of_docs_formatting_md():
    text = (ROOT / "docs" / "formatting.md").read_text(encoding="utf-8")
    blocks = {m.group(1): m.group(2) + "\n"
              for m in re.finditer(r"<!--\s*fmt-example:\s*(\w+)\s*-->\s*\n```[^\n]*\n(.*?)\n```", text, re.S)}
    assert format_text(blocks["before"]) == blocks["after"]


# ---- the command ---------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    """A messy policy, a canonical one and one with a syntax error."""
    (tmp_path / "messy.jhp").write_bytes(MESSY.encode("utf-8"))
    (tmp_path / "tidy.jhp").write_text(CANONICAL, encoding="utf-8")
    (tmp_path / "broken.jhp").write_text("考核 甲\n项目 乙 1分\n  计分\n", encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(fmt_command, [str(a) for a in args])


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_fmt_rewrites_changed_files_and_says_which(files):
    result = run(files / "messy.jhp", files / "tidy.jhp")
    assert result.exit_code == 0, result.output
    assert (files / "messy.jhp").read_text(encoding="utf-8") == CANONICAL
    assert f"已格式化：{files / 'messy.jhp'}" in result.stderr
    assert "tidy.jhp" not in result.stderr
    assert "共 2 个文件：已格式化 1 个，1 个无需改动" in result.stderr
    again = run(files / "messy.jhp")
    assert again.exit_code == 0 and "已格式化 0 个" in again.stderr


def test_fmt_check_lists_files_to_format_and_changes_nothing(files):
    before = contents(files)
    result = run("--check", files / "messy.jhp", files / "tidy.jhp")
    assert result.exit_code == 1
    assert f"需要格式化：{files / 'messy.jhp'}" in result.stderr
    assert "tidy.jhp" not in result.stderr
    assert contents(files) == before
    assert run("--check", files / "tidy.jhp").exit_code == 0


def test_fmt_diff_prints_a_unified_diff_and_changes_nothing(files):
    before = contents(files)
    result = run("--diff", files / "messy.jhp", files / "tidy.jhp")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"--- {files / 'messy.jhp'}\n+++ {files / 'messy.jhp'}\n@@")
    assert "+  专题研究: 是否  # 是否开会\n" in result.stdout
    assert contents(files) == before
    assert run("--diff", "--check", files / "messy.jhp").exit_code == 1


def test_a_file_with_syntax_errors_is_left_untouched(files):
    before = (files / "broken.jhp").read_bytes()
    result = run(files / "broken.jhp", files / "messy.jhp")
    assert result.exit_code == 1
    assert (files / "broken.jhp").read_bytes() == before
    assert "错误[E106]: 这一行提前结束了" in result.stderr
    assert f"{files / 'broken.jhp'}：有错误，未格式化" in result.stderr
    assert (files / "messy.jhp").read_text(encoding="utf-8") == CANONICAL  # the others are still done
    assert "1 个有错误未处理" in result.stderr


def test_a_directory_means_its_policy_files(files):
    (files / "notes.txt").write_text("不是政策\n", encoding="utf-8")
    result = run("--check", files)
    assert result.exit_code == 1
    assert "共 3 个文件：1 个需要格式化，1 个无需改动，1 个有错误未处理" in result.stderr


def test_a_missing_file_is_a_usage_error(files):
    result = run(files / "none.jhp")
    assert result.exit_code == 2
    assert "找不到文件" in result.output


def test_a_file_not_in_utf8_is_reported(files):
    (files / "gbk.jhp").write_bytes("考核 甲\n".encode("gbk"))
    result = run(files / "gbk.jhp")
    assert result.exit_code == 1
    assert "不是 UTF-8 编码" in result.stderr


def test_a_result_that_would_mean_something_else_is_never_written(files, monkeypatch):
    monkeypatch.setattr(formatter, "_gap", lambda tokens, index: "")  # 专题研究且率 would be one name
    before = contents(files)
    with pytest.raises(RuntimeError, match="会改变它的含义"):
        format_text(CANONICAL)
    assert isinstance(run(files / "messy.jhp").exception, RuntimeError)
    assert contents(files) == before
