"""Exact decimal arithmetic and how numbers are written back to a reader.

Scores are computed with :class:`decimal.Decimal` in a context wide enough that sums and
products of written values are exact; only a division can round, at 34 significant digits.
Shown scores are rounded half-up (四舍五入), as the offices do.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

CONTEXT = decimal.Context(prec=34, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation,
                                                                  decimal.DivisionByZero])

ZERO = Decimal(0)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half-up to ``places`` decimal places (2.345 → 2.35)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=CONTEXT)


def plain(value: Decimal) -> str:
    """The shortest exact writing of a value: 2.50 → 2.5, 10 → 10, 1E+1 → 10."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}"
    return f"{value.normalize(CONTEXT):f}"


def shown(value: Decimal, places: int) -> str:
    """A score as published: rounded half-up to the policy's places, trailing zeros kept."""
    return f"{round_half_up(value, places):f}"


def points(value: Decimal) -> str:
    """A number of points in a sentence: 2.5分."""
    return f"−{plain(-value)}分" if value < 0 else f"{plain(value)}分"


def divide(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.divide(a, b)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.multiply(a, b)
