"""270 (005010X279A1): eligibility and benefit inquiries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.x12.control_numbers import ControlNumbers
from shared.x12.errors import UnencodableValue
from shared.x12.models.common import Party
from shared.x12.models.eligibility import EligibilityInquiry
from shared.x12.separators import DEFAULT, Separators
from shared.x12.values import format_date, format_time
from shared.x12.writers.segments import (
    SegmentWriter,
    TradingPartners,
    write_interchange,
)

ELIGIBILITY_VERSION = "005010X279A1"


class InquiryWriter:
    def __init__(self, writer: SegmentWriter) -> None:
        self.w = writer
        self.add = writer.add
        self.clean = writer.clean

    def write(self, inquiries: Sequence[EligibilityInquiry], reference: str, created: datetime) -> None:
        add, clean = self.add, self.clean
        add("BHT", "0022", "13", clean(reference, "BHT03"), format_date(created.date()), format_time(created))
        by_source: dict[tuple[Party, Party], list[EligibilityInquiry]] = {}
        for inquiry in inquiries:
            by_source.setdefault((inquiry.payer, inquiry.provider), []).append(inquiry)
        hierarchy = 0
        for (payer, provider), asked in by_source.items():
            hierarchy += 1
            payer_level = str(hierarchy)
            add("HL", payer_level, "", "20", "1")
            clean(payer.name + (payer.identifier or ""), "payer")
            add("NM1", "PR", "2", payer.name, "", "", "", "", payer.qualifier or "PI", payer.identifier or "")
            hierarchy += 1
            provider_level = str(hierarchy)
            add("HL", provider_level, payer_level, "21", "1")
            clean(provider.name + (provider.identifier or ""), "provider")
            add("NM1", "1P", "2", provider.name, "", "", "", "", provider.qualifier or "XX", provider.identifier or "")
            for inquiry in asked:
                hierarchy += 1
                add("HL", str(hierarchy), provider_level, "22", "0")
                self.subscriber(inquiry)

    def subscriber(self, inquiry: EligibilityInquiry) -> None:
        add, clean = self.add, self.clean
        add("TRN", "1", clean(inquiry.trace_number, "TRN02 trace number"), clean(inquiry.originator_id, "TRN03"))
        first = inquiry.first_name or ""
        clean(inquiry.last_name + first + inquiry.member_id, "subscriber")
        add("NM1", "IL", "1", inquiry.last_name, first, "", "", "", "MI", inquiry.member_id)
        if inquiry.group_number:
            add("REF", "6P", clean(inquiry.group_number, "group number"))
        if inquiry.birth_date is not None:
            add("DMG", "D8", format_date(inquiry.birth_date), clean(inquiry.sex or "", "DMG03"))
        if inquiry.date_of_service is not None:
            add("DTP", "291", "D8", format_date(inquiry.date_of_service))
        if not inquiry.service_types:
            raise UnencodableValue("an eligibility inquiry needs at least one service type code")
        clean("".join(inquiry.service_types), "EQ01 service type")
        add("EQ", (self.w.repetition or "^").join(inquiry.service_types))


def write_270(
    inquiries: Sequence[EligibilityInquiry],
    *,
    partners: TradingPartners,
    control_numbers: ControlNumbers,
    created: datetime,
    reference: str | None = None,
    separators: Separators = DEFAULT,
) -> str:
    """Return one 270 interchange asking about every inquiry (one transaction set)."""
    if not inquiries:
        raise UnencodableValue("a 270 needs at least one inquiry")

    def body(writer: SegmentWriter, control_number: str) -> None:
        InquiryWriter(writer).write(inquiries, reference or control_number, created)

    return write_interchange(
        set_id="270",
        functional_id="HS",
        version=ELIGIBILITY_VERSION,
        bodies=[body],
        partners=partners,
        control_numbers=control_numbers,
        created=created,
        separators=separators,
    )
