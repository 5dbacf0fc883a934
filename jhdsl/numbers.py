"""Exact decimal arithmetic and how numbers are written back to a reader.

Scores are computed with :class:`decimal.Decimal` in a context wide enough (60 digits) that
sums, differences and products are exact. Only a division can round: its quotient is rounded
half-up to ``DIVISION_PLACES`` decimal places, a stated scale that every engine shares.
Shown scores are rounded half-up (四舍五入), as the offices do.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

DIVISION_PLACES = 18

CONTEXT = decimal.Context(prec=60, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation,
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
    """``a ÷ b`` rounded half-up to ``DIVISION_PLACES`` places (exact when it terminates sooner)."""
    return round_half_up(CONTEXT.divide(a, b), DIVISION_PLACES).normalize(CONTEXT) if a else Decimal(0)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.multiply(a, b)
