"""``jhdsl fmt``: one canonical layout for policy files, with every comment kept.

The formatter works on tokens, not on the tree: each line is lexed with the parser's own
lexer and written out again from its tokens, so a comment stays on the line where it was
written and nothing the writer typed is lost. The layout (see docs/formatting.md):

- two spaces of indentation per level, the levels being those the parser reads;
- one space between tokens, except that ``，、；`` and the closing marks ``) ] : , ;`` stick
  to what they follow, ``( [`` to what follows them, ``[`` and the ``(`` of ``枚举(…)`` and
  ``平均(…)`` (最高, 最低, 名次) to the word before them, and a sign to its number (``-5``);
- the colon of a declaration is written ``:`` (a half-width colon and a space);
- two spaces before an end-of-line comment; a whole-line comment at the level of the block
  it was written in (the deepest open level not to the right of where it starts);
- blank lines kept, but never two in a row, none at the start or the end of the file;
- UTF-8 without a byte-order mark, ``\\n`` line ends, a newline at the end of the file.

Everything else is kept as written: quoted text, the quote marks, full-width digits and
marks, ``≥`` or ``>=``. A file with syntax errors is never touched, and a result is checked
against the original (the same tree when parsed) before it is returned, so a bug here can
never change a policy's meaning.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs
import click
from lark import Token

from jhdsl import ast
from jhdsl.display import render_diagnostic
from jhdsl.errors import Diagnostic, JhdslError
from jhdsl.parser import SYNTAX_CODES, _lark, indent_width, leading_blanks, parse
from jhdsl.pipeline import read_policy_text

INDENT = "  "
COMMENT_GAP = "  "

_LAYOUT_TOKENS = frozenset({"_NL", "_INDENT", "_DEDENT"})
_STICK_TO_PREVIOUS = frozenset({"COLON", "SEP", "RPAR", "RBRACK", "LBRACK"})
_STICK_TO_NEXT = frozenset({"LPAR", "LBRACK"})
_CALLS = frozenset({"KW_ENUM", "KW_AVERAGE", "KW_HIGHEST_OF", "KW_LOWEST_OF", "KW_PLACE"})
"""Keywords written like a function call: 枚举(甲, 乙), 平均(率)."""
_OPERAND_ENDS = frozenset({"NAME", "QUOTED", "NUMBER", "RPAR", "RBRACK", "KW_YES", "KW_NO", "KW_TOTAL",
                           "KW_BASE", "KW_GRADES", "KW_IS_ELIGIBLE"})
"""Tokens that can end an operand: a + or - right after one of them is an operator, not a sign."""


class FormatRefused(JhdslError):
    """A file that cannot be formatted safely: it cannot be read, or it has syntax errors."""

    def __init__(self, diagnostics: Sequence[Diagnostic], source: str = "") -> None:
        super().__init__(f"{len(diagnostics)} 个错误，未格式化")
        self.diagnostics = tuple(diagnostics)
        self.source = source


# ---- text → canonical text ----------------------------------------------------------------


@attrs.frozen
class SourceLine:
    """One line of a policy as the formatter sees it: its indentation width, its tokens
    (none for a blank or comment-only line) and its comment, if any."""

    width: int
    tokens: tuple[Token, ...]
    comment: str | None

    @property
    def is_blank(self) -> bool:
        return not self.tokens and self.comment is None


def normalise(text: str) -> str:
    """The text as the parser reads it: no byte-order mark, ``\\n`` line ends."""
    return text.lstrip("\ufeff").replace("\r\n", "\n")


def format_text(text: str, file: str = "<policy>") -> str:
    """``text`` in the canonical layout. Raises :class:`FormatRefused` on syntax errors."""
    text = normalise(text)
    parsed = parse(text, file)
    _refuse_syntax_errors(parsed.diagnostics, text)
    lines = source_lines(text)
    result = render(lines, levels(lines))
    _verify(parsed.policy, result, file)
    return result


def _refuse_syntax_errors(diagnostics: Iterable[Diagnostic], text: str) -> None:
    syntax = [d for d in diagnostics if d.code in SYNTAX_CODES]
    if syntax:
        raise FormatRefused(syntax, text)


def _verify(policy: ast.Policy, result: str, file: str) -> None:
    """Make sure the result means exactly what the original meant (spans aside)."""
    again = parse(result, file)
    if again.policy != policy or any(d.code in SYNTAX_CODES for d in again.diagnostics):
        raise RuntimeError(f"格式化 {file} 会改变它的含义，已放弃（文件未改动）")


def source_lines(text: str) -> list[SourceLine]:
    """Every line of ``text`` (already normalised) with its tokens and comment."""
    tokens_by_line: dict[int, list[Token]] = {}
    for token in _lark().lex(text + "\n"):
        if token.type not in _LAYOUT_TOKENS:
            tokens_by_line.setdefault(token.line, []).append(token)
    return [_source_line(raw, tuple(tokens_by_line.get(number, ())))
            for number, raw in enumerate(text.split("\n"), start=1)]


def _source_line(raw: str, tokens: tuple[Token, ...]) -> SourceLine:
    rest = raw[tokens[-1].end_column - 1:] if tokens else raw
    comment = rest.strip() or None
    return SourceLine(indent_width(leading_blanks(raw)), tokens, comment)


def levels(lines: Sequence[SourceLine]) -> list[int]:
    """The nesting level of every line: a line with tokens at the level the parser reads
    it; a whole-line comment at the deepest level open there that does not lie to the
    right of where the comment starts (a comment ignores indentation when parsed)."""
    found = [0] * len(lines)
    open_widths = [0]
    open_after: list[tuple[int, ...]] = []
    for index, line in enumerate(lines):
        if line.tokens:
            found[index] = _enter(open_widths, line.width)
        open_after.append(tuple(open_widths))
    following: tuple[int, int] | None = None  # (width, level) of the next line with tokens
    for index in reversed(range(len(lines))):
        line = lines[index]
        if line.tokens:
            following = (line.width, found[index])
        elif line.comment is not None:
            found[index] = _comment_level(open_after[index], following, line.width)
    return found


def _enter(open_widths: list[int], width: int) -> int:
    """The level of a line indented ``width``, as the parser's indenter assigns it."""
    if width > open_widths[-1]:
        open_widths.append(width)
    else:
        while len(open_widths) > 1 and open_widths[-2] >= width:
            open_widths.pop()
    return len(open_widths) - 1


def _comment_level(open_widths: tuple[int, ...], following: tuple[int, int] | None, width: int) -> int:
    """The deepest of the open levels (and the next line's, when it opens one) that starts
    at or left of ``width``."""
    candidates = list(open_widths)
    if following is not None and following[1] == len(open_widths):
        candidates.append(following[0])
    return max(level for level, start in enumerate(candidates) if start <= width)


def render(lines: Sequence[SourceLine], line_levels: Sequence[int]) -> str:
    """The lines at their levels, with single blank lines and a final newline."""
    out: list[str] = []
    for line, level in zip(lines, line_levels, strict=True):
        if line.is_blank:
            if out and out[-1]:
                out.append("")
        else:
            out.append(INDENT * level + _body(line))
    while out and not out[-1]:
        out.pop()
    return "".join(f"{text}\n" for text in out)


def _body(line: SourceLine) -> str:
    if not line.tokens:
        return line.comment
    text = join_tokens(line.tokens)
    return f"{text}{COMMENT_GAP}{line.comment}" if line.comment else text


def join_tokens(tokens: Sequence[Token]) -> str:
    """One line's tokens with canonical spacing."""
    parts = [_spelling(tokens[0])]
    for index in range(1, len(tokens)):
        parts.append(_gap(tokens, index))
        parts.append(_spelling(tokens[index]))
    return "".join(parts)


def _spelling(token: Token) -> str:
    return ":" if token.type == "COLON" else str(token)


def _gap(tokens: Sequence[Token], index: int) -> str:
    """The blank written before ``tokens[index]``: one space, or none where marks stick.

    Dropping a blank is safe only where no token could run on into the next one; every
    mark that sticks here is a one-character token that no name or number may contain.
    """
    before, token = tokens[index - 1], tokens[index]
    if token.type in _STICK_TO_PREVIOUS or before.type in _STICK_TO_NEXT:
        return ""
    if before.type == "SEP" and not before.isascii():  # ，、； carry their own space
        return ""
    if token.type == "LPAR" and before.type in _CALLS:
        return ""
    if before.type == "ADD_OP" and _is_sign(tokens, index - 1):
        return ""
    return " "


def _is_sign(tokens: Sequence[Token], index: int) -> bool:
    """Whether the + or - at ``index`` is a sign (范围 -5 至 5; 优秀 -5 <= 总分) rather than
    an operator (a - 5). The second token of a line is one: only a band's name precedes it."""
    return index <= 1 or tokens[index - 1].type not in _OPERAND_ENDS


# ---- files --------------------------------------------------------------------------------


@attrs.frozen
class Formatted:
    """A file's text as read and in the canonical layout."""

    path: Path
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self) -> str:
        """A unified diff from the old text to the new, every line ending in a newline."""
        lines = difflib.unified_diff(self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
                                     fromfile=str(self.path), tofile=str(self.path))
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def format_file(path: Path) -> Formatted:
    """Read and format one file (without writing it). Raises :class:`FormatRefused`."""
    old = read_policy_text(path)
    if isinstance(old, Diagnostic):
        raise FormatRefused([old])
    return Formatted(path, old, format_text(old, str(path)))


def policy_files(names: Iterable[str]) -> list[Path]:
    """The files named, and every ``.jhp`` file under the directories named, each once."""
    found: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(path.rglob("*.jhp")))
        elif path.is_file():
            found.append(path)
        else:
            raise click.UsageError(f"找不到文件「{name}」")
    return list(dict.fromkeys(found))


def _report_refusal(path: Path, refused: FormatRefused) -> None:
    lines = refused.source.split("\n")
    for diag in refused.diagnostics:
        click.echo(render_diagnostic(diag, lines) + "\n", err=True)
    click.echo(f"{path}：有错误，未格式化", err=True)


@click.command("fmt")
@click.argument("files", nargs=-1, required=True, metavar="文件或目录…")
@click.option("--check", is_flag=True, help="只检查不改写：有文件需要格式化时列出它们，退出码为 1 (check only)")
@click.option("--diff", "show_diff", is_flag=True, help="显示会做的改动（统一差异格式），不改写文件 (print a diff)")
def fmt_command(files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """把政策文件排成统一的格式，保留全部注释 (format policy files).

    缩进每层两个空格，词与词之间一个空格，引号里的文字原样不动；格式化从不改变政策的含义。
    给出目录时处理其中所有 .jhp 文件。不加选项时直接改写文件，并列出改动了哪些。
    有语法错误的文件不会被改动：列出错误，退出码为 1。详见 docs/formatting.md。
    """
    paths = policy_files(files)
    rewrite = not (check or show_diff)
    changed, refused = [], 0
    for path in paths:
        try:
            result = format_file(path)
        except FormatRefused as error:
            _report_refusal(path, error)
            refused += 1
            continue
        if not result.changed:
            continue
        changed.append(path)
        if show_diff:
            click.echo(result.diff(), nl=False)
        if rewrite:
            path.write_bytes(result.new.encode("utf-8"))
        click.echo(f"{'已格式化' if rewrite else '需要格式化'}：{path}", err=True)
    click.echo(_summary(len(paths), len(changed), refused, rewrite), err=True)
    sys.exit(1 if refused or (check and changed) else 0)


def _summary(total: int, changed: int, refused: int, rewrite: bool) -> str:
    done = f"已格式化 {changed} 个" if rewrite else f"{changed} 个需要格式化"
    errors = f"，{refused} 个有错误未处理" if refused else ""
    return f"共 {total} 个文件：{done}，{total - changed - refused} 个无需改动{errors}"
