"""The compiler's intermediate form: a policy as a straight-line list of named column
computations over one row of facts, each with a static exact type.

Every number is a decimal whose integer digits and decimal places are known when the plan is
built (a fact holds 12 digits and 6 places, a literal its own, a product the sum of both), so
that each SQL engine can be told the exact DECIMAL(p, s) to compute in and no step ever
rounds, except a division, which rounds half-up at ``DIVISION_PLACES`` as the interpreter
does. A value that may be missing (a division by zero) is NULL; a unit whose result is NULL
has failed, as it would in the interpreter.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from jhdsl.numbers import DIVISION_PLACES

DIALECTS = ("duckdb", "spark", "postgres")
"""The SQL dialects a plan is printed in (jhdsl.sql)."""

MAX_PRECISION = 38
"""The widest DECIMAL that DuckDB and Spark keep exactly."""


@attrs.frozen
class Type:
    """``bool``, ``text``, or a decimal with ``digits`` before the point and ``scale`` after,
    and, where the plan can tell, the least and greatest value it takes on any row (facts are
    checked on reading: a count is ≥ 0, a percentage within 0–100, a fact within its range)."""

    kind: str  # "bool", "text" or "decimal"
    digits: int = 0
    scale: int = 0
    nullable: bool = False
    may_overflow: bool = False  # too wide for DECIMAL(38): NULL (the unit goes to the interpreter) if it does
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def precision(self) -> int:
        return min(MAX_PRECISION, max(self.digits, 1) + self.scale)

    def may_be_null(self, nullable: bool) -> Type:
        return attrs.evolve(self, nullable=self.nullable or nullable)


BOOL = Type("bool")
TEXT = Type("text")


def integer_digits(value: Decimal) -> int:
    """Digits before the point of a value's magnitude: 0.5 → 1, 100 → 3."""
    return max(1, len(str(int(abs(value)))))


def decimal_type(digits: int, scale: int, nullable: bool = False, low: Decimal | None = None,
                 high: Decimal | None = None) -> Type:
    """A decimal type, no wider than its bounds need (a sum of scores held to 10 has two
    digits however many terms it has); one that could need more than 38 digits is held in 38
    and marked: the engine computes it with a guard (NULL on overflow), and the interpreter
    scores the rare unit whose numbers do not fit."""
    if low is not None and high is not None:
        digits = min(digits, max(integer_digits(low), integer_digits(high)))
    if digits + scale > MAX_PRECISION:
        return Type("decimal", MAX_PRECISION - scale, scale, True, True, low, high)
    return Type("decimal", digits, scale, nullable, False, low, high)


# ---- nodes --------------------------------------------------------------------------------


@attrs.frozen
class Const:
    """A literal: a decimal, a truth value, or a text (a choice of an enumeration)."""

    value: Decimal | bool | str
    type: Type


@attrs.frozen
class Column:
    """A column of the facts table, or a value computed earlier in the plan."""

    name: str
    type: Type


@attrs.frozen
class Call:
    """An operation on its arguments.

    ``op`` is one of: + - * neg (exact), div (rounded half-up at ``DIVISION_PLACES``),
    steps (whole steps of a ≥ 0 quantity: ⌊a ÷ b⌋), min max (two or more arguments),
    < <= = != > >= and or not, if (condition, then, else), null_if_any (value, guards…:
    NULL when a guard is NULL, for a value the interpreter computes only after the guards),
    round (half-up at the division scale), any_null (whether one of the arguments is NULL).
    """

    op: str
    args: tuple[Node, ...]
    type: Type


@attrs.frozen
class Window:
    """A value over every unit of the run: sum, count, max, min of a column, or rank_desc
    (1 + the number of units with a larger value, ties sharing the better place)."""

    function: str
    arg: Node
    type: Type


@attrs.frozen
class Rank:
    """A unit's competition rank (ties share it) in one 排名, and its group's size."""

    keys: tuple[tuple[Node, bool], ...]  # (value, ascending)
    groups: tuple[Node, ...]  # units are ranked among those with the same values of these
    what: str  # "rank", "size" or "tied"
    type: Type


Node = Const | Column | Call | Window | Rank


@attrs.frozen
class Binding:
    """One named value of the plan; later nodes refer to it as a Column of the same name."""

    name: str
    node: Node


@attrs.frozen
class Output:
    """A value the plan returns: its column name and what it means to the engine."""

    column: str
    role: str  # "total", "base", "bonus", "penalty", "cut", "item", "section", "veto", "grade", "eligible", …
    index: int = 0  # which item, section, veto or ranking (in the order of the policy's walk)
    label: str = ""  # the result column's name: 总分, 项目:计划生育率, 一票否决:…


@attrs.frozen
class Plan:
    """A compiled policy: bindings in the order they can be computed, the facts columns it reads
    (name → type), and the outputs."""

    policy_name: str
    facts: dict[str, Type]
    bindings: tuple[Binding, ...]
    outputs: tuple[Output, ...]
    places: int = 2

    def output(self, role: str, index: int = 0) -> Output:
        return next(o for o in self.outputs if o.role == role and o.index == index)


DIVISION_SCALE = DIVISION_PLACES
