"""Exact decimal arithmetic and how numbers are written back to a reader.

Scores are computed with :class:`decimal.Decimal` in a context wide enough (60 digits) that
sums, differences and products are exact. Only a division can round: its quotient is rounded
half-up to ``DIVISION_PLACES`` decimal places, a stated scale that every engine shares.
Shown scores are rounded half-up (四舍五入), as the offices do.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
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


_SHORT = 28
"""Characters of ``str(value)`` below which a value has fewer digits than any context in use
(the default's 28, ``CONTEXT``'s 60) would round it to, in normalizing it or negating it."""


def _fixed_point(value: Decimal) -> str | None:
    """``plain(value)`` for the usual short value, from ``str()``, which writes it in fixed point
    (2.50, −0.0, 10): only trailing zeros and a negative zero's sign are left to drop. None for
    a value that ``str()`` writes with an exponent (1E+1), that is long, or not finite."""
    text = str(value)
    if len(text) >= _SHORT:
        return None
    if text.isdigit():
        return text
    if "E" in text or "e" in text or not text[-1].isdigit():
        return None
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _in_sentence(value: Decimal) -> str | None:
    """``approx(value)`` for the usual short value with no more places than a sentence shows,
    which rounding leaves as it is; None for any other."""
    text = _fixed_point(value)
    if text is None:
        return None
    point = text.find(".")
    return text if point < 0 or len(text) - point <= SENTENCE_PLACES + 1 else None


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
    text = _in_sentence(value)
    if text is not None:
        return text
    rounded = round_half_up(value, SENTENCE_PLACES)
    return plain(value) if rounded == value else f"≈{plain(rounded)}"


def shown(value: Decimal, places: int) -> str:
    """A score as published: rounded half-up to the policy's places, trailing zeros kept."""
    rounded = round_half_up(value, places)
    return f"{abs(rounded) if rounded == 0 else rounded:f}"


def points(value: Decimal) -> str:
    """A number of points in a sentence: 2.5分, −3分, ≈11.6667分."""
    text = _in_sentence(value)
    if text is None:
        return f"−{approx(-value)}分" if value < 0 else f"{approx(value)}分"
    return f"−{text[1:]}分" if text[0] == "-" else f"{text}分"


def divide(a: Decimal, b: Decimal) -> Decimal:
    """``a ÷ b`` rounded half-up to ``DIVISION_PLACES`` places (exact when it terminates sooner)."""
    return round_half_up(CONTEXT.divide(a, b), DIVISION_PLACES).normalize(CONTEXT) if a else Decimal(0)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.multiply(a, b)


def stepwise(step: Decimal, amount: Decimal, whole_steps: bool) -> Callable[[Decimal], tuple[Decimal, str]]:
    """``amount`` for every ``step`` of a quantity (≥ 0), and the arithmetic in words, as a
    function of the quantity; the words of the constants are made once.

    Whole steps (每满) count only complete steps, by exact integer division; otherwise a part
    of a step counts in proportion, multiplying before dividing so that 1 × 3 ÷ 3 is exactly 1.
    """
    step_text, amount_text = plain(step), points(amount)

    def written(quantity: Decimal) -> str:
        return f"{plain(quantity)}（负数按 0 计）" if quantity < 0 else plain(quantity)

    if whole_steps:
        def whole(quantity: Decimal) -> tuple[Decimal, str]:
            said = written(quantity)
            steps = CONTEXT.divide_int(max(quantity, ZERO), step)
            result, counted = multiply(steps, amount), plain(steps)
            return result, f"{said} 里有 {counted} 个整 {step_text}，{counted} × {amount_text} = {points(result)}"

        return whole
    times = f" × {amount_text} = " if step == 1 else f" ÷ {step_text} × {amount_text} = "

    def in_proportion(quantity: Decimal) -> tuple[Decimal, str]:
        said = written(quantity)
        result = divide(multiply(max(quantity, ZERO), amount), step)
        return result, f"{said}{times}{points(result)}"

    return in_proportion
