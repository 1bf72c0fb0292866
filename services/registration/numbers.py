"""Numbers read from feed text, with bounded work. HL7 v2's NM type is an optional sign, digits and
an optional decimal point with digits: no exponent, no Infinity or NaN, no other digit scripts.
The one place the feeds turn text into a number, so its limits are the same everywhere."""

from __future__ import annotations

import re
from decimal import Decimal

MAX_NUMBER_CHARACTERS = 20  # 15 digits before the point and some after are more than any quantity or amount
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


def feed_decimal(text: str) -> Decimal:
    """`text` as a Decimal; ValueError when it is not an HL7 NM value of at most 20 characters."""
    text = text.strip()
    if len(text) > MAX_NUMBER_CHARACTERS or not _NUMBER.fullmatch(text):
        raise ValueError("not a number")
    return Decimal(text)
