"""270 eligibility inquiries and 271 responses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.x12.models.base import model
from shared.x12.models.common import Party, PostalAddress

ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})  # EB01 active coverage, incl. capitated and pending
INACTIVE_CODES = frozenset({"6", "7", "8"})
COPAY, COINSURANCE, DEDUCTIBLE, OUT_OF_POCKET = "B", "A", "C", "G"


@model
class EligibilityInquiry:
    """One subscriber's 270 request (the patient is the subscriber)."""

    trace_number: str  # TRN02: echoed in the 271 so the response can be matched
    payer: Party  # 2100A, identifier = payer id (PI)
    provider: Party  # 2100B, identifier = NPI (XX)
    member_id: str  # PHI
    last_name: str  # PHI
    first_name: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    service_types: tuple[str, ...] = ("30",)  # EQ01; 30 = health benefit plan coverage
    date_of_service: date | None = None  # DTP*291
    group_number: str | None = None  # REF*6P
    originator_id: str = "9000000000"  # TRN03: '9' + the requester's id, ten characters


@model
class EligibilityRequest:
    """One 270 transaction set as read back."""

    control_number: str
    reference: str  # BHT03
    inquiries: tuple[EligibilityInquiry, ...]


@model
class Benefit:
    """One EB segment with the DTP dates that follow it."""

    code: str  # EB01: 1 active, 6 inactive, A coinsurance, B copay, C deductible, G out of pocket, ...
    coverage_level: str | None = None  # EB02: IND, FAM, ...
    service_types: tuple[str, ...] = ()  # EB03 (repeating)
    insurance_type: str | None = None  # EB04
    plan_description: str | None = None  # EB05
    time_period: str | None = None  # EB06: 23 calendar year, 29 remaining, ...
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08, a fraction (0.2 = 20 %)
    quantity_qualifier: str | None = None  # EB09
    quantity: Decimal | None = None  # EB10
    authorization_required: str | None = None  # EB11
    in_network: str | None = None  # EB12: Y, N, U (unknown), W (not applicable)
    period_start: date | None = None  # DTP in 2110
    period_end: date | None = None


@model
class RequestRejection:
    """AAA: why the payer could not answer (e.g. 72 invalid member id, 75 subscriber not found)."""

    reason: str  # AAA03
    follow_up: str | None = None  # AAA04
    valid_request: bool = False  # AAA01


@model
class EligibilityResult:
    """2000C/2000D: one subscriber's (or dependent's) answer."""

    level: str  # "subscriber" or "dependent"
    member_id: str | None  # PHI
    last_name: str | None  # PHI
    first_name: str | None = None
    trace_numbers: tuple[str, ...] = ()  # TRN02 echoed from the 270 (TRN*2) and added by the payer (TRN*1)
    birth_date: date | None = None
    group_number: str | None = None
    address: PostalAddress | None = None
    plan_begin: date | None = None  # DTP*346 or the start of DTP*291 RD8
    plan_end: date | None = None  # DTP*347 or the end of DTP*291 RD8
    eligibility_begin: date | None = None  # DTP*356
    eligibility_end: date | None = None  # DTP*357
    benefits: tuple[Benefit, ...] = ()
    rejections: tuple[RequestRejection, ...] = ()

    @property
    def active(self) -> bool | None:
        """True when an EB says active coverage, False when only inactive, None when neither (e.g. rejected)."""
        codes = {benefit.code for benefit in self.benefits}
        if codes & ACTIVE_CODES:
            return True
        if codes & INACTIVE_CODES:
            return False
        return None

    def _first(self, code: str, attribute: str, in_network: bool | None) -> Decimal | None:
        for benefit in self.benefits:
            value = getattr(benefit, attribute)
            if benefit.code != code or value is None:
                continue
            if in_network is True and benefit.in_network == "N":
                continue
            if in_network is False and benefit.in_network != "N":
                continue
            return value
        return None

    def copay(self, in_network: bool | None = True) -> Decimal | None:
        return self._first(COPAY, "amount", in_network)

    def coinsurance(self, in_network: bool | None = True) -> Decimal | None:
        return self._first(COINSURANCE, "percent", in_network)

    def deductible(self, in_network: bool | None = True) -> Decimal | None:
        return self._first(DEDUCTIBLE, "amount", in_network)


@model
class EligibilityResponse:
    """One 271 transaction set."""

    control_number: str
    reference: str  # BHT03
    payer: Party
    provider: Party | None
    results: tuple[EligibilityResult, ...]
    rejections: tuple[RequestRejection, ...] = ()  # payer- or provider-level AAA
