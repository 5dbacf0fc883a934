"""The one small function that runs the stages: text → tree → checked tree."""

from __future__ import annotations

from pathlib import Path

import attrs

from jhdsl import ast
from jhdsl.checker import CASCADE_CODES, check
from jhdsl.errors import ERROR, Diagnostic
from jhdsl.parser import SYNTAX_CODES, parse


@attrs.frozen
class LoadedPolicy:
    """A policy as read and checked: the tree, every diagnostic, and the source lines."""

    policy: ast.Policy
    diagnostics: tuple[Diagnostic, ...]
    source: str

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def lines(self) -> list[str]:
        return self.source.split("\n")


def check_text(text: str, file: str) -> LoadedPolicy:
    """Parse and check a policy's text. Checks that would only echo a syntax error are dropped."""
    parsed = parse(text, file)
    found = check(parsed.policy)
    if any(d.code in SYNTAX_CODES for d in parsed.diagnostics):
        found = [d for d in found if d.code not in CASCADE_CODES]
    diagnostics = sorted(dict.fromkeys([*parsed.diagnostics, *found]), key=Diagnostic.sort_key)
    return LoadedPolicy(parsed.policy, tuple(diagnostics), text.lstrip("\ufeff").replace("\r\n", "\n"))


def load_policy(path: str | Path) -> LoadedPolicy:
    """Read a policy file and check it. An unreadable file is reported as a diagnostic too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = "不是 UTF-8 编码" if isinstance(error, UnicodeDecodeError) else "无法读取"
        diag = Diagnostic("E001", ERROR, f"政策文件 {path} {reason}", ast.Span(str(path), 1, 1, 1, 1),
                          "请以 UTF-8 编码保存 .jhp 文件" if reason != "无法读取" else None)
        return LoadedPolicy(ast.Policy(None), (diag,), "")
    return check_text(text, str(path))
