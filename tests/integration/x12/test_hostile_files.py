"""Hostile X12 files between good ones, on the real broker and mongod, for each service that reads
X12 from a topic: payments (835), claims (999/277CA) and registration (271). The good files around
a refused one are processed, the refused one is dead-lettered (or held) with a PHI-free code and
nothing of it is stored; an 835 whose only defect does not change the money is posted and flagged."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from services.claims.app import build_runtime as claims_runtime
from services.claims.settings import ClaimsSettings
from services.payments.app import build_runtime as payments_runtime
from services.registration.app import build_runtime as registration_runtime
from shared import topics
from shared.events import ClaimAcknowledgement, EligibilityResponded, X12FileReceived
from shared.x12 import limits
from simulator import eligibility as payer
from tests.integration.claims.test_claims_service import PAYER_CLAIM_NUMBER, _acknowledgement, _claim, _submit_a_claim
from tests.integration.payments.test_payments_service import _consumed, _outbox_empty, _postings
from tests.integration.registration.test_eligibility import ACTIVE, verifying
from tests.support.builders import (
    a_batch_submitted_event, a_registration_event, a_registration_request, a_remittance, a_remittance_event,
    a_submitted_claim, an_835, an_event,
)
from tests.support.kafka import eventually

MAX_BYTES = 64 * 1024  # the tests' RCM_X12_MAX_BYTES


def _wrong_payee_npi_check_digit(text: str) -> str:
    """The 835 with its payee's NPI (N1*PE ... XX) given another last digit: the money is unchanged."""
    changed = re.sub(r"(N1\*PE\*[^~]*\*XX\*\d{9})(\d)", lambda m: m.group(1) + str((int(m.group(2)) + 1) % 10), text)
    assert changed != text
    return changed


def _other_separators(text: str) -> str:
    return text.replace("*", "|").replace("~", "!").replace(":", ">")


async def test_payments_posts_the_835s_around_hostile_ones_and_flags_a_harmless_defect(settings, kafka) -> None:
    first, second, third = a_submitted_claim(), a_submitted_claim(), a_submitted_claim()
    before, after, flagged = a_remittance(first), a_remittance(second), a_remittance(third)
    too_large, unbalanced = a_remittance(first), a_remittance(second)
    huge = an_835(too_large, [first]) + _other_separators(an_835(too_large, [first]))
    huge = huge * (MAX_BYTES // len(huge) + 1)  # interchanges with alternating separators, over the limit
    runtime = payments_runtime(settings.model_copy(update={"x12_max_bytes": MAX_BYTES}))
    try:
        async with runtime.running():
            await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(first, second, third))
            await eventually(lambda: _consumed(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))
            await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(before, [first]))
            await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(too_large, x12=huge))
            await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(  # BPR02 of 5,001 digits
                unbalanced, x12=re.sub(r"(BPR\*[A-Z]\*)[0-9.]+", r"\g<1>" + "9" * 5001, an_835(unbalanced, [second]), count=1)))
            await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(
                flagged, x12=_wrong_payee_npi_check_digit(an_835(flagged, [third]))))
            await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(after, [second]))
            posted = [*await _postings(runtime, before.remittance_id, 1), *await _postings(runtime, after.remittance_id, 1),
                      *await _postings(runtime, flagged.remittance_id, 1)]
            letters = await kafka.wait_for(topics.dead_letter_topic("payments"), lambda m: len(m) >= 2)
            await eventually(lambda: _outbox_empty(runtime))
            refused_postings = await runtime.db["postings"].count_documents(
                {"remittance_id": {"$in": [too_large.remittance_id, unbalanced.remittance_id]}})
            refused_unapplied = await runtime.db["unapplied"].count_documents(
                {"remittance_id": {"$in": [too_large.remittance_id, unbalanced.remittance_id]}})
            flag = await runtime.db["flagged_remittance_files"].find_one({"_id": flagged.remittance_id})
    finally:
        limits.configure(limits.DEFAULT_MAX_BYTES)
    assert {p["claim_id"] for p in posted} == {first.claim_id, second.claim_id, third.claim_id}
    assert sorted(letter.payload.reason_code for letter in letters) == ["X12_INVALID", "X12_TOO_LARGE"]
    assert (refused_postings, refused_unapplied) == (0, 0)
    assert flag["defect_count"] >= 1 and any("NPI" in defect for defect in flag["defects"])
    assert all("TESTPATIENT" not in defect for defect in flag["defects"])


async def test_claims_applies_the_acknowledgements_around_hostile_ones(settings, kafka) -> None:
    runtime = claims_runtime(ClaimsSettings(**{**settings.model_dump(), "x12_max_bytes": MAX_BYTES}))
    try:
        async with runtime.running():
            first_id, first_batch, _ = await _submit_a_claim(runtime, kafka)
            second_id, second_batch, _ = await _submit_a_claim(runtime, kafka)
            accept_first = _acknowledgement(first_batch, ClaimAcknowledgement(
                claim_id=first_id, accepted=True, payer_claim_number=PAYER_CLAIM_NUMBER))
            accept_second = _acknowledgement(second_batch, ClaimAcknowledgement(
                claim_id=second_id, accepted=True, payer_claim_number=PAYER_CLAIM_NUMBER))
            # rejections of the second claim that must not apply: too large, and a 5,001-digit count
            rejecting = _acknowledgement(second_batch, ClaimAcknowledgement(
                claim_id=second_id, accepted=False, status_codes=("A7_562",))).payload.x12
            huge = (rejecting + _other_separators(rejecting)) * (MAX_BYTES // (2 * len(rejecting)) + 1)
            stray = rejecting + "STC*" + "9" * 5001 + "~"
            await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, accept_first)
            for file_id, text in (("huge", huge), ("stray", stray)):
                await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, an_event(
                    topics.CLEARINGHOUSE_ACKNOWLEDGED, X12FileReceived(file_id=file_id, sender_id="SIMCLEARING", x12=text),
                    correlation_id=second_batch.batch_id))
            await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, accept_second)
            await _claim(runtime, first_id, "accepted")
            second = await _claim(runtime, second_id, "accepted")
            letters = await kafka.wait_for(topics.dead_letter_topic("claims"), lambda m: len(m) >= 2)
            rejected = await runtime.db["claims"].count_documents({"status": "rejected"})
    finally:
        limits.configure(limits.DEFAULT_MAX_BYTES)
    assert sorted(letter.payload.reason_code for letter in letters) == ["X12_INVALID", "X12_TOO_LARGE"]
    assert second["version"] == 4 and rejected == 0  # submitted -> accepted, never rejected on the way


async def test_registration_reads_the_271s_around_hostile_ones(settings, kafka) -> None:
    events = [a_registration_event(a_registration_request(member_id=ACTIVE)) for _ in range(3)]
    registration = registration_runtime(verifying(settings.model_copy(update={"x12_max_bytes": MAX_BYTES}),
                                                  registration_eligibility_timeout_seconds=30.0))
    try:
        async with registration.running():
            await kafka.publish(topics.REGISTRATION_REQUESTED, *events)
            inquiries = await kafka.wait_for(topics.ELIGIBILITY_REQUESTED, lambda m: len(m) >= 3)
            good_first, hostile, good_last = inquiries[:3]  # one per encounter
            answers = []
            for inquiry in (good_first, hostile, good_last):
                reply = payer.answer_270(inquiry.payload.x12, datetime.now(UTC))
                if inquiry is hostile:  # the same answer, glued to itself with other separators past the limit
                    reply = (reply + _other_separators(reply)) * (MAX_BYTES // (2 * len(reply)) + 1)
                answers.append(an_event(topics.ELIGIBILITY_RESPONDED, EligibilityResponded(
                    inquiry_id=inquiry.payload.inquiry_id, encounter_id=inquiry.payload.encounter_id, x12=reply),
                    correlation_id=inquiry.correlation_id))
            await kafka.publish(topics.ELIGIBILITY_RESPONDED, *answers)
            registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 2)
            held = await kafka.wait_for(topics.ENCOUNTER_HELD_FOR_ELIGIBILITY, lambda m: len(m) >= 1)
    finally:
        limits.configure(limits.DEFAULT_MAX_BYTES)
    assert {r.correlation_id for r in registered} == {good_first.correlation_id, good_last.correlation_id}
    assert [h.correlation_id for h in held] == [hostile.correlation_id]
    (finding,) = held[0].payload.findings
    assert finding.code == "ELIGIBILITY_UNREADABLE" and "X12_TOO_LARGE" in finding.message
