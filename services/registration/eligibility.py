"""Eligibility rules: the 270 registration sends before an encounter goes on, and what a 271 means.

Pure: no I/O. Active coverage lets the encounter go on to coding; inactive coverage, or an answer
that says neither (a rejection, AAA), holds it in the registration work queue, so nothing is billed
blindly. A payer that does not answer is asked again with a doubling delay, and after the last
attempt the encounter is held too (ELIGIBILITY_TIMEOUT).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.events import EncounterRegistered, Finding
from shared.x12 import InMemoryControlNumbers, X12Error, read, write_270
from shared.x12.errors import rejection
from shared.x12.models.common import Party
from shared.x12.models.eligibility import EligibilityInquiry
from shared.x12.writers.segments import TradingPartners

SENDER_ID = "RCMREGISTRATION"


def trace_number(inquiry_id: str) -> str:
    """TRN02 of the 270: the inquiry id's hex part (X12's basic character set has no underscore)."""
    return inquiry_id.removeprefix("elg_").upper()


def inquiry_270(encounter: EncounterRegistered, inquiry_id: str, created: datetime) -> str:
    """The 270 asking the primary payer about the patient's coverage on the date of service.

    Control numbers are per inquiry (one interchange each); a production connection to a payer
    reserves them in MongoDB (shared/x12/mongo_control_numbers.py)."""
    coverage = encounter.coverages[0]
    billing = encounter.visit.billing
    patient = encounter.patient
    inquiry = EligibilityInquiry(
        trace_number=trace_number(inquiry_id),
        payer=Party(name=coverage.payer_name.upper()[:60], identifier=coverage.payer_id, qualifier="PI"),
        provider=Party(name=billing.name.upper()[:60], identifier=billing.npi, qualifier="XX"),
        member_id=coverage.member_id, last_name=patient.last_name.upper(), first_name=patient.first_name.upper(),
        birth_date=patient.birth_date, sex=patient.sex.value, date_of_service=encounter.visit.date_of_service,
        group_number=coverage.group_number)
    partners = TradingPartners(sender_id=SENDER_ID, receiver_id=coverage.payer_id, production=False)
    return write_270([inquiry], partners=partners, control_numbers=InMemoryControlNumbers(), created=created)


def verdict(x12_271: str, inquiry_id: str) -> Finding | None:
    """None when the 271 says the coverage is active; else why the encounter is held."""
    try:
        responses = read(x12_271).eligibility_responses()
    except X12Error as failure:  # X12_TOO_LARGE, X12_NOT_X12, ...: PHI-free code and reason
        reason = rejection(failure)
        return Finding(code="ELIGIBILITY_UNREADABLE", message=f"the payer's 271 could not be read ({reason.code})")
    trace = trace_number(inquiry_id)
    results = [r for response in responses for r in response.results if trace in r.trace_numbers]
    if not results:
        return Finding(code="ELIGIBILITY_UNANSWERED", message="the 271 does not answer this inquiry")
    if any(r.active is True for r in results):
        return None
    if any(r.active is False for r in results):
        return Finding(code="COVERAGE_INACTIVE", message="the payer reports the coverage inactive")
    reasons = sorted({rejection.reason for r in results for rejection in r.rejections})
    return Finding(code="COVERAGE_UNKNOWN",
                   message="the payer could not confirm the coverage" + (f" (AAA {', '.join(reasons)})" if reasons else ""))


def retry_delay(attempt: int, base_seconds: float) -> timedelta:
    """How long to wait for the answer to attempt `attempt` (1, 2, ...): doubling each time."""
    return timedelta(seconds=base_seconds * (2 ** (attempt - 1)))


def timed_out(attempts: int) -> Finding:
    return Finding(code="ELIGIBILITY_TIMEOUT", message=f"the payer did not answer {attempts} inquiries")
