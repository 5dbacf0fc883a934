"""Drawing for a terminal: display widths (汉字 are two columns), diagnostics, tables.

Spans count characters; only here, when a caret or a column is drawn, is width computed.
"""

from __future__ import annotations

import unicodedata

from jhdsl.errors import Diagnostic


def char_width(char: str) -> int:
    """Columns a character takes on a terminal: 2 for wide and full-width ones."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    return sum(char_width(c) for c in text)


def pad(text: str, width: int, align: str = "left") -> str:
    """``text`` padded with spaces to ``width`` display columns."""
    gap = max(0, width - display_width(text))
    return " " * gap + text if align == "right" else text + " " * gap


def render_diagnostic(diag: Diagnostic, source_lines: list[str]) -> str:
    """A diagnostic as the writer sees it: position, message, the line, a caret, the hint."""
    out = []
    span = diag.span
    where = f"{span.file}:{span.line}:{span.column}: " if span else ""
    out.append(f"{where}{diag.severity}[{diag.code}]: {diag.message}")
    if span and 1 <= span.line <= len(source_lines):
        line = source_lines[span.line - 1].rstrip("\r\n")
        gutter = str(span.line)
        prefix = line[: span.column - 1]
        end = span.end_column if span.end_line == span.line else len(line) + 1
        marked = line[span.column - 1 : max(end, span.column) - 1]
        carets = "^" * max(1, display_width(marked))
        out.append(f" {' ' * len(gutter)} |")
        out.append(f" {gutter} | {line}")
        out.append(f" {' ' * len(gutter)} | {' ' * display_width(prefix)}{carets}")
    if diag.hint:
        out.append(f"  提示：{diag.hint}")
    return "\n".join(out)


def render_table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    """A plain aligned table; columns listed in ``right`` are right-aligned (numbers)."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))

    def line(cells: list[str]) -> str:
        return "  ".join(
            pad(cell, widths[i], "right" if i in right else "left") for i, cell in enumerate(cells)
        ).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
