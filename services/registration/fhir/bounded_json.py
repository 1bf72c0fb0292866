"""JSON from a stranger, parsed in bounded work: nesting depth, number length, no NaN/Infinity.

`json.loads` alone raises RecursionError on very deep nesting and ValueError on an integer of more
than 4,300 digits (neither a JSONDecodeError), and accepts NaN and Infinity. `loads` refuses all of
these with `UnreadableJson` and a reason that names no value. FHIR numbers are small (a quantity, a
money amount), so integers are bounded to 18 digits and decimals to 40 characters.
"""

from __future__ import annotations

import json
from typing import Any

MAX_INTEGER_CHARS = 19  # a sign and 18 digits
MAX_DECIMAL_CHARS = 40


class UnreadableJson(ValueError):
    """Not JSON we read; the message is a PHI-free reason."""


def _integer(text: str) -> int:
    if len(text) > MAX_INTEGER_CHARS:
        raise UnreadableJson("a number has too many digits")
    return int(text)


def _decimal(text: str) -> float:
    if len(text) > MAX_DECIMAL_CHARS:
        raise UnreadableJson("a number has too many digits")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise UnreadableJson("a number is out of range")
    return value


def _constant(name: str) -> Any:
    raise UnreadableJson("NaN and Infinity are not JSON numbers")


def depth_of(document: Any, limit: int) -> int:
    """The nesting depth of a parsed document, counted without recursion up to `limit` + 1."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def loads(body: bytes, *, max_depth: int) -> Any:
    """The parsed body; raise UnreadableJson (not JSON, too deep, a number out of bounds)."""
    try:
        document = json.loads(body, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
    except UnreadableJson:
        raise
    except RecursionError:
        raise UnreadableJson(f"JSON is nested deeper than {max_depth}") from None
    except (ValueError, UnicodeDecodeError):
        raise UnreadableJson("body is not JSON") from None
    if depth_of(document, max_depth) > max_depth:
        raise UnreadableJson(f"JSON is nested deeper than {max_depth}")
    return document
