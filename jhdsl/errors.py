"""The one error hierarchy of jhdsl, and the diagnostic value that the checker collects.

Stages collect :class:`Diagnostic` values (a file gets all of its problems at once) and raise
a :class:`JhdslError` subclass only when they cannot go on. How a diagnostic is drawn for a
terminal lives in ``display.py``; nothing here formats.
"""

from __future__ import annotations

import difflib

import attrs

from jhdsl.ast import Span

ERROR = "错误"
WARNING = "警告"


@attrs.frozen
class Diagnostic:
    """One problem found in a policy: a stable code, a Chinese message, where, and a hint."""

    code: str
    severity: str
    message: str
    span: Span | None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple:
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.file, self.span.line, self.span.column, self.code)


class JhdslError(Exception):
    """Root of every error that jhdsl raises for a user's mistake."""


class FactsError(JhdslError):
    """A facts file as a whole could not be read (not one unit's bad value: see facts.py)."""


class EvaluationError(JhdslError):
    """A unit whose facts make a rule impossible to evaluate (a division by zero)."""


class BadValue(JhdslError):
    """One value that does not fit its fact's type: the unit that holds it fails, no other."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ParameterError(JhdslError):
    """A ``--set 名称=值`` that names no parameter or gives a value of the wrong type."""


def suggestion(name: str, candidates) -> str | None:
    """A "是否指 …？" hint naming the candidate closest to a misspelt name, if any is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return f"是否指「{close[0]}」？" if close else None
