"""Element values: X12 numbers, amounts, dates and times, read strictly and written minimally.

Amounts are `Decimal` to the cent. Reading refuses what X12 does not allow (exponents, spaces,
underscores, more than two decimal places for money) instead of rounding it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from shared.x12.errors import MappingError

_NUMERIC = "0123456789.-"
_MAX_DIGITS = 18  # longer than any X12 numeric element (N0 counts and ids are at most 15)


def is_number(text: str) -> bool:
    """True for an X12 decimal (R): optional leading minus, digits, at most one decimal point."""
    if not text or text.strip(_NUMERIC):
        return False
    minus = text.count("-")
    if minus and (minus > 1 or text[0] != "-"):
        return False
    dots = text.count(".")
    return dots <= 1 and len(text) > dots + minus


def amount(text: str, name: str) -> Decimal:
    """Return a monetary amount; raise MappingError (naming the element, not the value) if it is not one."""
    # Decimal() also accepts exponents, spaces, underscores, '+' and NaN, which X12 does not:
    # the strip leaves something behind for any of them.
    if not text or text.strip(_NUMERIC):
        raise MappingError(f"{name} is not an X12 amount")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise MappingError(f"{name} is not an X12 amount") from None
    dot = text.find(".")
    if dot >= 0 and len(text) - dot > 3:
        raise MappingError(f"{name} has fractions of a cent")
    return value


class AmountCache:
    """`amount()` remembering what it parsed: a remittance repeats the same amounts (fee schedule
    prices, zero, common adjustments) thousands of times. Decimal is immutable, so sharing is safe."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[str, Decimal] = {}

    def __call__(self, text: str, name: str) -> Decimal:
        value = self._known.get(text)
        if value is None:
            value = self._known[text] = amount(text, name)
        return value


def optional_amount(text: str, name: str) -> Decimal | None:
    return amount(text, name) if text else None


def number(text: str, name: str) -> Decimal:
    """Return a decimal quantity (units, percent, rate)."""
    if not text or text.strip(_NUMERIC):
        raise MappingError(f"{name} is not an X12 number")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise MappingError(f"{name} is not an X12 number") from None


def optional_number(text: str, name: str) -> Decimal | None:
    return number(text, name) if text else None


def integer(text: str, name: str) -> int:
    if not (text.isdigit() and text.isascii() and len(text) <= _MAX_DIGITS):
        raise MappingError(f"{name} is not a whole number")
    return int(text)


def small_whole(text: str) -> int | None:
    """`text` as a whole number when it is ASCII digits of a size X12 counts and ids can have,
    else None: never int() of a 5,000-digit or non-ASCII string."""
    return int(text) if len(text) <= _MAX_DIGITS and text.isdigit() and text.isascii() else None


@lru_cache(maxsize=4096)
def _cached_date(text: str) -> date | None:
    if len(text) != 8 or not (text.isdigit() and text.isascii()):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def parse_date(text: str, name: str) -> date:
    """Return the date of a CCYYMMDD element; raise MappingError if it is not a calendar date."""
    found = _cached_date(text)
    if found is None:
        raise MappingError(f"{name} is not a CCYYMMDD date")
    return found


def optional_date(text: str, name: str) -> date | None:
    return parse_date(text, name) if text else None


def parse_period(text: str, name: str) -> tuple[date, date]:
    """Return the two dates of an RD8 range (CCYYMMDD-CCYYMMDD)."""
    start, dash, end = text.partition("-")
    if not dash:
        raise MappingError(f"{name} is not a CCYYMMDD-CCYYMMDD range")
    return parse_date(start, name), parse_date(end, name)


def is_date(text: str) -> bool:
    return _cached_date(text) is not None


def is_time(text: str) -> bool:
    """True for HHMM, HHMMSS or HHMMSSd..d with a real hour and minute."""
    if not (4 <= len(text) <= 8 and text.isdigit() and text.isascii()):
        return False
    if len(text) == 5:
        return False
    return int(text[:2]) < 24 and int(text[2:4]) < 60 and (len(text) < 6 or int(text[4:6]) < 60)


def format_amount(value: Decimal | int) -> str:
    """X12 form of an amount or quantity: no exponent, no trailing zeros after the point ("100", "12.5")."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        return "0"
    return text


@lru_cache(maxsize=4096)
def format_date(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def format_time(value: datetime) -> str:
    return f"{value.hour:02d}{value.minute:02d}"


def elements(segment: list[str], count: int) -> list[str]:
    """`segment` padded with empty elements so that indexes up to `count` exist."""
    missing = count + 1 - len(segment)
    return segment + [""] * missing if missing > 0 else segment
