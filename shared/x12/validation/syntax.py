"""Element rules of one segment: presence, length, type and code values.

`check_segment` returns messages without positions (the caller adds them), so its result for a
given segment text can be reused: in a batch of claims most segments repeat verbatim.
Messages quote a value only when it is a code in a segment that cannot carry PHI.
"""

from __future__ import annotations

from shared.x12.separators import Separators
from shared.x12.validation.dsl import (
    COMPOSITE,
    DT,
    ID,
    MONEY,
    N0,
    TM,
    Element,
    R,
    SegmentSpec,
)
from shared.x12.values import is_date, is_number, is_time

_NUMERIC = "0123456789.-"


def _digits(text: str) -> bool:
    return text.isdigit() and text.isascii()


def _quote(value: str, quotable: bool) -> str:
    if quotable and len(value) <= 8 and value.isalnum() and value.isascii():
        return f" '{value}'"
    return ""


def check_value(element: Element, value: str, quotable: bool, problems: list[str]) -> None:
    """Append what is wrong with one simple element value (never empty here)."""
    kind = element.kind
    if kind in (N0, R, MONEY):
        body = value[1:] if value[:1] == "-" else value
        size = len(body) - ("." in body)
        if kind == N0:
            if not _digits(body):
                problems.append(f"{element.name} is not a whole number")
                return
        elif not is_number(value):
            problems.append(f"{element.name} is not a number")
            return
        elif kind == MONEY and "." in body and len(body) - body.index(".") > 3:
            problems.append(f"{element.name} has more than two decimal places")
        if not element.min_length <= size <= element.max_length:
            problems.append(
                f"{element.name} has {size} digits; the guide allows {element.min_length}-{element.max_length}"
            )
            return
    else:
        size = len(value)
        if not element.min_length <= size <= element.max_length:
            problems.append(
                f"{element.name} is {size} characters long; the guide allows {element.min_length}-{element.max_length}"
            )
            return
        if kind == DT:
            if not is_date(value):
                problems.append(f"{element.name} is not a CCYYMMDD date")
            return
        if kind == TM:
            if not is_time(value):
                problems.append(f"{element.name} is not an HHMM[SS] time")
            return
    if element.codes is not None and value not in element.codes:
        problems.append(f"{element.name} has code{_quote(value, quotable)} which the guide does not allow here")


def _check_element(element: Element, value: str, separators: Separators, quotable: bool, problems: list[str]) -> None:
    if not element.used:
        problems.append(f"{element.name} is not used in this implementation guide")
        return
    if element.kind == COMPOSITE:
        parts = value.split(separators.component)
        components = element.components
        if len(parts) >= len(components):
            problems.append(f"{element.name} has {len(parts)} components; the guide defines {len(components) - 1}")
            parts = parts[: len(components) - 1]
        for position in range(1, len(components)):
            component = components[position]
            part = parts[position - 1] if position <= len(parts) else ""
            if component is None:
                continue
            if not part:
                if component.required:
                    problems.append(f"{component.name} is required")
                continue
            if not component.used:
                problems.append(f"{component.name} is not used in this implementation guide")
                continue
            check_value(component, part, quotable, problems)
        return
    if element.repeats and separators.repetition and separators.repetition in value:
        for repeat in value.split(separators.repetition):
            if repeat:
                check_value(element, repeat, quotable, problems)
            else:
                problems.append(f"{element.name} has an empty repetition")
        return
    check_value(element, value, quotable, problems)


def check_segment(
    segment: list[str], spec: SegmentSpec, separators: Separators, phi: bool, memo: dict | None = None
) -> tuple[str, ...]:
    """What is wrong with `segment` against `spec`; () when nothing is.

    `memo` remembers the verdict on composite, numeric and date values per element: they repeat
    across claims (HC:99213, 11:B:1, 1:2) even when the segments around them do not.
    """
    problems: list[str] = []
    count = len(segment) - 1
    if count > spec.max_elements:
        problems.append(f"{spec.segment_id} has {count} elements; the guide defines {spec.max_elements}")
    quotable = not phi
    for position, element, kind, required, low, high, codes in spec.checks:
        if position > count:
            for missing in spec.required_positions:
                if missing >= position:
                    problems.append(f"{spec.elements[missing].name} is required")  # type: ignore[union-attr]
            break
        value = segment[position]
        if not value:
            if required:
                problems.append(f"{element.name} is required")
            continue
        if kind <= ID:  # AN or ID, the common case, checked inline
            size = len(value)
            if size < low or size > high:
                problems.append(f"{element.name} is {size} characters long; the guide allows {low}-{high}")
            elif codes is not None and value not in codes:
                problems.append(f"{element.name} has code{_quote(value, quotable)} which the guide does not allow here")
        elif (
            kind == MONEY
            and not value.strip(_NUMERIC)
            and value[-1] != "."
            and value.count(".") < 2
            and "-" not in value[1:]
        ):
            # a plain amount: count its digits inline
            size = len(value) - (value[0] == "-") - ("." in value)
            if size < low or size > high or size == 0:
                check_value(element, value, quotable, problems)
            elif "." in value and len(value) - value.index(".") > 3:
                problems.append(f"{element.name} has more than two decimal places")
        elif memo is None:
            _check_element(element, value, separators, quotable, problems)
        else:
            key = (element, value)
            verdict = memo.get(key)
            if verdict is None:
                found: list[str] = []
                _check_element(element, value, separators, quotable, found)
                verdict = memo[key] = tuple(found)
            if verdict:
                problems.extend(verdict)
    for first, second in spec.pairs:
        has_first = first <= count and bool(segment[first])
        has_second = second <= count and bool(segment[second])
        if has_first != has_second:
            problems.append(
                f"{spec.segment_id}{first:02d} and {spec.segment_id}{second:02d} must both be present or both absent"
            )
    if count >= 3 and segment[0] == "DTP":
        _check_date_format(segment[2], segment[3], problems)
    return tuple(problems) if problems else ()


def _check_date_format(qualifier: str, value: str, problems: list[str]) -> None:
    """DTP03 has the shape DTP02 announces."""
    if qualifier == "D8":
        ok = is_date(value)
    elif qualifier == "RD8":
        start, dash, end = value.partition("-")
        ok = bool(dash) and is_date(start) and is_date(end) and start <= end
    elif qualifier == "DT":
        ok = len(value) == 12 and is_date(value[:8]) and is_time(value[8:])
    elif qualifier == "TM":
        ok = is_time(value)
    else:
        return
    if not ok:
        problems.append(f"DTP03 does not match the {qualifier} date format announced in DTP02")
