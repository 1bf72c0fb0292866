"""270 from a registered encounter, 271 from the simulated payer, and what registration decides."""

from __future__ import annotations

from datetime import UTC, datetime

from services.registration import eligibility
from shared.x12 import read, validate
from simulator.eligibility import answer_270, coverage_active
from tests.support.builders import a_registered_encounter, a_registration_request

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
INQUIRY = "elg_" + "ab" * 12


def encounter_with_member(member_id: str):
    return a_registered_encounter(a_registration_request(member_id=member_id))


def test_the_270_is_valid_and_asks_about_the_primary_coverage() -> None:
    text = eligibility.inquiry_270(encounter_with_member("SIMMEMBER0001"), INQUIRY, NOW)
    assert validate(text).valid
    (request,) = read(text).eligibility_requests()
    (inquiry,) = request.inquiries
    assert inquiry.member_id == "SIMMEMBER0001" and inquiry.payer.identifier == "SIMBLUE01"
    assert inquiry.trace_number == eligibility.trace_number(INQUIRY)


def test_active_coverage_lets_the_encounter_go_on_and_inactive_holds_it() -> None:
    members = [f"SIMMEMBER{n:04d}" for n in range(400)]
    inactive = [m for m in members if not coverage_active(m)]
    active = [m for m in members if coverage_active(m)]
    assert 0 < len(inactive) < 40  # a small share, stable per member
    for member, expected in ((active[0], None), (inactive[0], "COVERAGE_INACTIVE")):
        reply = answer_270(eligibility.inquiry_270(encounter_with_member(member), INQUIRY, NOW), NOW)
        finding = eligibility.verdict(reply, INQUIRY)
        assert (finding.code if finding else None) == expected


def test_a_271_for_another_inquiry_or_unreadable_holds_the_encounter() -> None:
    reply = answer_270(eligibility.inquiry_270(encounter_with_member("SIMMEMBER0001"), INQUIRY, NOW), NOW)
    assert eligibility.verdict(reply, "elg_" + "cd" * 12).code == "ELIGIBILITY_UNANSWERED"
    assert eligibility.verdict("not x12 at all", INQUIRY).code == "ELIGIBILITY_UNREADABLE"


def test_the_wait_doubles_with_each_attempt() -> None:
    assert [eligibility.retry_delay(n, 2.0).total_seconds() for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
