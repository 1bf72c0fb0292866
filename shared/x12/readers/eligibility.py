"""270 and 271 readers."""

from __future__ import annotations

from shared.x12.envelope import TransactionSet
from shared.x12.errors import MappingError
from shared.x12.models.common import Party, PostalAddress
from shared.x12.models.eligibility import (
    Benefit,
    EligibilityInquiry,
    EligibilityRequest,
    EligibilityResponse,
    EligibilityResult,
    RequestRejection,
)
from shared.x12.readers.mapping import run
from shared.x12.values import (
    elements,
    optional_amount,
    optional_date,
    optional_number,
    parse_date,
    parse_period,
)

SOURCE, RECEIVER, SUBSCRIBER, DEPENDENT = "20", "21", "22", "23"


def _dates(dtp: list[str]):
    """(start, end) of a DTP: D8 gives one date twice, RD8 a range."""
    if dtp[2] == "RD8":
        return parse_period(dtp[3], "DTP03")
    day = parse_date(dtp[3], "DTP03")
    return day, day


def _rejection(segment: list[str]) -> RequestRejection:
    aaa = elements(segment, 4)
    return RequestRejection(aaa[3], aaa[4] or None, aaa[1] == "Y")


class _ResponseReader:
    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self.repetition = transaction.separators.repetition
        self.reference = ""
        self.level = ""
        self.payer = Party("")
        self.provider: Party | None = None
        self.rejections: list[RequestRejection] = []
        self.results: list[EligibilityResult] = []
        self.result: dict | None = None
        self.benefit: dict | None = None
        self.in_related_entity = False  # inside LS/LE (2120): NM1s there name other entities

    def finish_benefit(self) -> None:
        if self.benefit is not None and self.result is not None:
            self.result["benefits"].append(Benefit(**self.benefit))
        self.benefit = None

    def finish_result(self) -> None:
        self.finish_benefit()
        if self.result is None:
            return
        result = self.result
        result.pop("_street", None)
        for field in ("benefits", "rejections", "trace_numbers"):
            result[field] = tuple(result[field])
        self.results.append(EligibilityResult(**result))
        self.result = None

    def on_bht(self, segment: list[str]) -> None:
        self.reference = elements(segment, 3)[3]

    def on_hl(self, segment: list[str]) -> None:
        self.finish_result()
        self.level = elements(segment, 3)[3]
        self.in_related_entity = False
        if self.level in (SUBSCRIBER, DEPENDENT):
            self.result = {
                "level": "subscriber" if self.level == SUBSCRIBER else "dependent",
                "member_id": None,
                "last_name": None,
                "trace_numbers": [],
                "benefits": [],
                "rejections": [],
            }

    def on_nm1(self, segment: list[str]) -> None:
        if self.in_related_entity:
            return
        nm1 = elements(segment, 9)
        if self.level == SOURCE:
            self.payer = Party(nm1[3], nm1[9] or None, nm1[8] or None)
        elif self.level == RECEIVER:
            self.provider = Party(nm1[3], nm1[9] or None, nm1[8] or None)
        elif self.result is not None:
            self.result.update(member_id=nm1[9] or None, last_name=nm1[3] or None, first_name=nm1[4] or None)

    def on_trn(self, segment: list[str]) -> None:
        if self.result is not None:
            self.result["trace_numbers"].append(elements(segment, 2)[2])

    def on_ref(self, segment: list[str]) -> None:
        ref = elements(segment, 2)
        if (
            self.result is not None
            and self.benefit is None
            and ref[1] in ("6P", "1L")
            and "group_number" not in self.result
        ):
            self.result["group_number"] = ref[2]

    def on_n3(self, segment: list[str]) -> None:
        if self.result is not None and self.benefit is None and not self.in_related_entity:
            self.result["_street"] = elements(segment, 2)[1:3]

    def on_n4(self, segment: list[str]) -> None:
        if self.result is None or self.benefit is not None or self.in_related_entity:
            return
        n4 = elements(segment, 3)
        street, second = self.result.pop("_street", ("", ""))
        self.result["address"] = PostalAddress(street, n4[1], n4[2], n4[3], second or None)

    def on_dmg(self, segment: list[str]) -> None:
        if self.result is not None:
            self.result["birth_date"] = optional_date(elements(segment, 2)[2], "DMG02")

    def on_dtp(self, segment: list[str]) -> None:
        if self.result is None:
            return
        dtp = elements(segment, 3)
        start, end = _dates(dtp)
        if self.benefit is not None:
            self.benefit["period_start"], self.benefit["period_end"] = start, end
            return
        qualifier = dtp[1]
        result = self.result
        if qualifier == "346":
            result["plan_begin"] = start
        elif qualifier == "347":
            result["plan_end"] = start
        elif qualifier == "291":
            result["plan_begin"], result["plan_end"] = start, end
        elif qualifier == "356":
            result["eligibility_begin"] = start
        elif qualifier == "357":
            result["eligibility_end"] = start
        elif qualifier == "307":
            result["eligibility_begin"], result["eligibility_end"] = start, end

    def on_eb(self, segment: list[str]) -> None:
        if self.result is None:
            raise MappingError("EB outside a subscriber or dependent loop")
        self.finish_benefit()
        eb = elements(segment, 12)
        types = (
            tuple(code for code in eb[3].split(self.repetition) if code)
            if self.repetition
            else ((eb[3],) if eb[3] else ())
        )
        self.benefit = {
            "code": eb[1],
            "coverage_level": eb[2] or None,
            "service_types": types,
            "insurance_type": eb[4] or None,
            "plan_description": eb[5] or None,
            "time_period": eb[6] or None,
            "amount": optional_amount(eb[7], "EB07"),
            "percent": optional_number(eb[8], "EB08"),
            "quantity_qualifier": eb[9] or None,
            "quantity": optional_number(eb[10], "EB10"),
            "authorization_required": eb[11] or None,
            "in_network": eb[12] or None,
        }

    def on_aaa(self, segment: list[str]) -> None:
        if self.result is not None:
            self.result["rejections"].append(_rejection(segment))
        else:
            self.rejections.append(_rejection(segment))

    def on_ls(self, segment: list[str]) -> None:
        self.in_related_entity = True

    def on_le(self, segment: list[str]) -> None:
        self.in_related_entity = False

    def response(self) -> EligibilityResponse:
        self.finish_result()
        return EligibilityResponse(
            control_number=self.transaction.control_number,
            reference=self.reference,
            payer=self.payer,
            provider=self.provider,
            results=tuple(self.results),
            rejections=tuple(self.rejections),
        )


def read_eligibility_response(segments: list[list[str]], transaction: TransactionSet) -> EligibilityResponse:
    reader = _ResponseReader(transaction)
    handlers = {
        "BHT": reader.on_bht,
        "HL": reader.on_hl,
        "NM1": reader.on_nm1,
        "TRN": reader.on_trn,
        "REF": reader.on_ref,
        "N3": reader.on_n3,
        "N4": reader.on_n4,
        "DMG": reader.on_dmg,
        "DTP": reader.on_dtp,
        "EB": reader.on_eb,
        "AAA": reader.on_aaa,
        "LS": reader.on_ls,
        "LE": reader.on_le,
    }
    return run(segments, transaction, handlers, reader.response)


class _InquiryReader:
    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self.repetition = transaction.separators.repetition
        self.reference = ""
        self.level = ""
        self.payer = Party("")
        self.provider = Party("")
        self.inquiries: list[EligibilityInquiry] = []
        self.inquiry: dict | None = None

    def finish(self) -> None:
        if self.inquiry is None:
            return
        if "member_id" not in self.inquiry or "trace_number" not in self.inquiry:
            raise MappingError("a 270 subscriber loop needs TRN and NM1*IL")
        if "service_types" in self.inquiry:
            self.inquiry["service_types"] = tuple(self.inquiry["service_types"])
        self.inquiries.append(EligibilityInquiry(payer=self.payer, provider=self.provider, **self.inquiry))
        self.inquiry = None

    def on_bht(self, segment: list[str]) -> None:
        self.reference = elements(segment, 3)[3]

    def on_hl(self, segment: list[str]) -> None:
        level = elements(segment, 3)[3]
        subscriber = self.inquiry if self.level == SUBSCRIBER else None
        if level == DEPENDENT and subscriber is not None and "trace_number" not in subscriber:
            # the inquiry is about the dependent (TRN in 2000D): it carries the subscriber's
            # member id and group, and the subscriber loop is no inquiry of its own
            self.inquiry = {key: subscriber[key] for key in ("member_id", "group_number") if key in subscriber}
            self.level = level
            return
        self.finish()
        self.level = level
        if self.level in (SUBSCRIBER, DEPENDENT):
            self.inquiry = {}

    def on_nm1(self, segment: list[str]) -> None:
        nm1 = elements(segment, 9)
        if self.level == SOURCE:
            self.payer = Party(nm1[3], nm1[9] or None, nm1[8] or None)
        elif self.level == RECEIVER:
            self.provider = Party(nm1[3], nm1[9] or None, nm1[8] or None)
        elif self.inquiry is not None:
            self.inquiry.update(member_id=nm1[9] or self.inquiry.get("member_id", ""), last_name=nm1[3],
                                first_name=nm1[4] or None)

    def on_trn(self, segment: list[str]) -> None:
        if self.inquiry is not None:
            trn = elements(segment, 3)
            self.inquiry.update(trace_number=trn[2], originator_id=trn[3])

    def on_ref(self, segment: list[str]) -> None:
        ref = elements(segment, 2)
        if self.inquiry is not None and ref[1] == "6P":
            self.inquiry["group_number"] = ref[2]

    def on_dmg(self, segment: list[str]) -> None:
        if self.inquiry is not None:
            dmg = elements(segment, 3)
            self.inquiry.update(birth_date=optional_date(dmg[2], "DMG02"), sex=dmg[3] or None)

    def on_dtp(self, segment: list[str]) -> None:
        dtp = elements(segment, 3)
        if self.inquiry is not None and dtp[1] == "291":
            self.inquiry["date_of_service"] = _dates(dtp)[0]

    def on_eq(self, segment: list[str]) -> None:
        if self.inquiry is None:
            raise MappingError("EQ outside a subscriber loop")
        codes = elements(segment, 1)[1]
        types = tuple(code for code in codes.split(self.repetition) if code) if self.repetition else (codes,)
        self.inquiry.setdefault("service_types", []).extend(types)  # a list: appending stays linear

    def request(self) -> EligibilityRequest:
        self.finish()
        return EligibilityRequest(self.transaction.control_number, self.reference, tuple(self.inquiries))


def read_eligibility_request(segments: list[list[str]], transaction: TransactionSet) -> EligibilityRequest:
    reader = _InquiryReader(transaction)
    handlers = {
        "BHT": reader.on_bht,
        "HL": reader.on_hl,
        "NM1": reader.on_nm1,
        "TRN": reader.on_trn,
        "REF": reader.on_ref,
        "DMG": reader.on_dmg,
        "DTP": reader.on_dtp,
        "EQ": reader.on_eq,
    }
    return run(segments, transaction, handlers, reader.request)
