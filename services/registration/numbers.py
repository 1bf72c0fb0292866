"""Numbers read from feed messages, parsed in bounded work: ASCII digits only, a bounded length,
no exponent, no Infinity or NaN. Python's `Decimal("1e999999")` is cheap, but `int()` of it or
`quantize` on it is not; `int("9" * 5000)` raises; `"²".isdigit()` is true while `int("²")` fails.
Every reader of a number a stranger sends goes through here, and a refusal is a `NotANumber`
whose message names no value (the caller turns it into an AE or a 422 naming the field).
"""

from __future__ import annotations

import re
from decimal import Decimal

_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_WHOLE = re.compile(r"[0-9]+")


class NotANumber(ValueError):
    """The text is not a plain decimal number within the bounds asked for."""


def decimal_value(text: str, *, integer_digits: int = 12, fraction_digits: int = 4) -> Decimal:
    """A plain decimal such as `125.00`, `-3` or `.5`, with at most `integer_digits` before the
    point and `fraction_digits` after it (trailing zeros beyond are accepted: `1.000000`)."""
    text = text.strip()
    if len(text) > integer_digits + fraction_digits + 24 or not _PLAIN_DECIMAL.fullmatch(text):
        raise NotANumber("not a plain decimal number")
    whole, _, fraction = text.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > integer_digits or len(fraction.rstrip("0")) > fraction_digits:
        raise NotANumber("too many digits")
    return Decimal(text)


def whole_number(text: str, *, digits: int = 9) -> int:
    """A non-negative whole number in ASCII digits, at most `digits` significant digits."""
    text = text.strip()
    if len(text) > digits + 16 or not _WHOLE.fullmatch(text) or len(text.lstrip("0")) > digits:
        raise NotANumber("not a whole number within range")
    return int(text)


def quantity(text: str, *, digits: int = 6) -> int:
    """A count of units (HL7 CQ, FHIR Quantity.value) such as `2` or `2.0`; a fraction is dropped,
    as billing counts whole units."""
    return int(decimal_value(text, integer_digits=digits, fraction_digits=4))
