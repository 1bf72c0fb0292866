"""Building segments and the ISA/GS/ST envelopes around them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.x12.control_numbers import ControlNumbers
from shared.x12.errors import UnencodableValue
from shared.x12.separators import DEFAULT, Separators
from shared.x12.values import format_date, format_time


@dataclass(frozen=True, slots=True)
class TradingPartners:
    """Who an interchange is from and to (ISA05-08, GS02-03)."""

    sender_id: str  # ISA06, up to 15 characters; also the key of our control numbers
    receiver_id: str  # ISA08
    sender_qualifier: str = "ZZ"  # mutually defined
    receiver_qualifier: str = "ZZ"
    application_sender: str | None = None  # GS02, defaults to sender_id
    application_receiver: str | None = None  # GS03, defaults to receiver_id
    production: bool = True  # ISA15: P or T
    acknowledgment_requested: bool = False  # ISA14: ask for a TA1


class SegmentWriter:
    """Collects segments as strings. `clean` refuses values that contain a separator, which would
    silently shift every element after it."""

    def __init__(self, separators: Separators = DEFAULT) -> None:
        self.separators = separators
        self.element = separators.element
        self.component = separators.component
        self.repetition = separators.repetition
        self.segments: list[str] = []
        self._bad = re.compile("[" + re.escape(separators.delimiters) + "\r\n]").search

    def clean(self, value: str, what: str) -> str:
        """Return `value` if X12 can carry it; raise UnencodableValue naming `what`, never the value."""
        if self._bad(value):
            raise UnencodableValue(f"{what} contains an X12 separator or line break")
        return value

    def add(self, *elements: str) -> None:
        """Append a segment; trailing empty elements are dropped, as X12 requires."""
        element = self.element
        self.segments.append(element.join(elements).rstrip(element))

    def composite(self, *components: str) -> str:
        component = self.component
        return component.join(components).rstrip(component)


def _pad(value: str, width: int, what: str) -> str:
    if len(value) > width:
        raise UnencodableValue(f"{what} is longer than {width} characters")
    return value.ljust(width)


def write_interchange(
    *,
    set_id: str,
    functional_id: str,
    version: str,
    bodies: Sequence[Callable[[SegmentWriter, str], None]],
    partners: TradingPartners,
    control_numbers: ControlNumbers,
    created: datetime,
    separators: Separators = DEFAULT,
) -> str:
    """Return one interchange holding one functional group with a transaction set per body.

    Each body is called with a SegmentWriter and its ST02 and writes the segments between ST and SE.
    """
    writer = SegmentWriter(separators)
    for what, value in (("sender id", partners.sender_id), ("receiver id", partners.receiver_id)):
        writer.clean(value, what)
    sender = partners.sender_id
    interchange_number = f"{control_numbers.next_interchange(sender):09d}"
    group_number = str(control_numbers.next_group(sender))
    element = separators.element
    isa = element.join(
        (
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            partners.sender_qualifier,
            _pad(partners.sender_id, 15, "ISA06 sender id"),
            partners.receiver_qualifier,
            _pad(partners.receiver_id, 15, "ISA08 receiver id"),
            format_date(created.date())[2:],
            format_time(created),
            separators.repetition or "U",
            "00501",
            interchange_number,
            "1" if partners.acknowledgment_requested else "0",
            "P" if partners.production else "T",
            separators.component,
        )
    )
    segments = writer.segments
    segments.append(isa)
    writer.add(
        "GS",
        functional_id,
        partners.application_sender or partners.sender_id,
        partners.application_receiver or partners.receiver_id,
        format_date(created.date()),
        format_time(created),
        group_number,
        "X",
        version,
    )
    for body in bodies:
        control_number = f"{control_numbers.next_transaction_set(sender):04d}"
        start = len(segments)
        writer.add("ST", set_id, control_number, version)
        body(writer, control_number)
        writer.add("SE", str(len(segments) - start + 1), control_number)
    writer.add("GE", str(len(bodies)), group_number)
    writer.add("IEA", "1", interchange_number)
    terminator = separators.segment + separators.line_break
    return terminator.join(segments) + terminator
