"""Exact decimal arithmetic and how numbers are written back to a reader.

Scores are computed with :class:`decimal.Decimal` in a context wide enough (60 digits) that
sums, differences and products are exact. Only a division can round: its quotient is rounded
half-up to ``DIVISION_PLACES`` decimal places, a stated scale that every engine shares.
Shown scores are rounded half-up (四舍五入), as the offices do.
"""

from __future__ import annotations

import decimal
import functools
from decimal import ROUND_HALF_UP, Decimal

DIVISION_PLACES = 18

CONTEXT = decimal.Context(prec=60, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation,
                                                                  decimal.DivisionByZero])

ZERO = Decimal(0)


@functools.cache
def _quantum(places: int) -> Decimal:
    """1E−places, the quantum of rounding to ``places`` decimal places (made once each)."""
    return Decimal(1).scaleb(-places)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half-up to ``places`` decimal places (2.345 → 2.35)."""
    return value.quantize(_quantum(places), rounding=ROUND_HALF_UP, context=CONTEXT)


SENTENCE_PLACES = 4
"""Places a number is written with inside an explanation; a longer one is shown as ≈."""


_SHORT = 40
"""Characters of ``str(value)`` below which a value has too few digits for the context to round."""


def _fixed_point(value: Decimal) -> str | None:
    """``plain(value)`` for the usual short value, from ``str()``, which writes it in fixed point
    (2.50, −0.0, 10): only trailing zeros and a negative zero's sign are left to drop. None for
    a value that ``str()`` writes with an exponent (1E+1), that is long, or not finite."""
    text = str(value)
    if len(text) >= _SHORT or "E" in text or "e" in text or not text[-1].isdigit():
        return None
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def plain(value: Decimal) -> str:
    """The shortest exact writing of a value: 2.50 → 2.5, 10 → 10, 1E+1 → 10, −0 → 0."""
    text = _fixed_point(value)
    if text is not None:
        return text
    if value == 0:
        return "0"
    if value == value.to_integral_value(context=CONTEXT):
        return f"{value.quantize(Decimal(1), context=CONTEXT):f}"
    return f"{value.normalize(CONTEXT):f}"


def approx(value: Decimal) -> str:
    """A value for a sentence: exact when short (2.5), else ≈ rounded (≈11.6667)."""
    text = _fixed_point(value)
    if text is not None and ("." not in text or len(text) - text.index(".") <= SENTENCE_PLACES + 1):
        return text  # no more places than a sentence shows: rounding would not change it
    rounded = round_half_up(value, SENTENCE_PLACES)
    return plain(value) if rounded == value else f"≈{plain(rounded)}"


def shown(value: Decimal, places: int) -> str:
    """A score as published: rounded half-up to the policy's places, trailing zeros kept."""
    rounded = round_half_up(value, places)
    return f"{abs(rounded) if rounded == 0 else rounded:f}"


def points(value: Decimal) -> str:
    """A number of points in a sentence: 2.5分, −3分, ≈11.6667分."""
    return f"−{approx(-value)}分" if value < 0 else f"{approx(value)}分"


def divide(a: Decimal, b: Decimal) -> Decimal:
    """``a ÷ b`` rounded half-up to ``DIVISION_PLACES`` places (exact when it terminates sooner)."""
    return round_half_up(CONTEXT.divide(a, b), DIVISION_PLACES).normalize(CONTEXT) if a else Decimal(0)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.multiply(a, b)


def per_step(quantity: Decimal, step: Decimal, amount: Decimal, whole_steps: bool) -> tuple[Decimal, str]:
    """``amount`` for every ``step`` of ``quantity`` (≥ 0), and the arithmetic in words.

    Whole steps (每满) count only complete steps, by exact integer division; otherwise a part
    of a step counts in proportion, multiplying before dividing so that 1 × 3 ÷ 3 is exactly 1.
    """
    written = f"{plain(quantity)}（负数按 0 计）" if quantity < 0 else plain(quantity)
    quantity = max(quantity, ZERO)
    if whole_steps:
        steps = CONTEXT.divide_int(quantity, step)
        result = multiply(steps, amount)
        return result, (f"{written} 里有 {plain(steps)} 个整 {plain(step)}，"
                        f"{plain(steps)} × {points(amount)} = {points(result)}")
    result = divide(multiply(quantity, amount), step)
    if step == 1:
        return result, f"{written} × {points(amount)} = {points(result)}"
    return result, f"{written} ÷ {plain(step)} × {points(amount)} = {points(result)}"
