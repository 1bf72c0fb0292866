"""The claims service against the real broker and mongod: open, scrub and submit, then follow each
claim through acknowledgement, adjudication and denial work.

Waits poll the service's own database (cheap) until the outcome is committed, then until the outbox
is drained (the relay deletes a row only after Kafka acknowledged it), and only then read the topics
once: every read of a topic starts a Kafka client that fetches the metadata of every topic on the
shared test broker."""

from __future__ import annotations

from decimal import Decimal

from cli.dead_letters import read_dead_letters
from services.claims.app import build_runtime
from services.claims.settings import ClaimsSettings
from shared import topics
from shared.dead_letters import original_of
from shared.envelope import decode
from datetime import date

from services.claims import domain
from shared.events import (
    Adjustment, AdjustmentGroup, ClaimSecondaryRequested, Coverage, CoverageOrder,
    ClaimAcknowledgement, ClaimBatchFiled, ClaimResubmitRequested, ClaimStatus, DenialAction, DenialWorked,
    Provider, SubmittedClaim, X12FileReceived,
)
from shared.ids import new_id
from shared.x12 import InMemoryControlNumbers, Issue, Party, TradingPartners, ValidationReport, read, write_277ca, write_999
from simulator.partners import verdict_of
from tests.support.builders import (
    NOW, a_batch_filed, a_coded_encounter, a_coded_event, a_payment_posted, a_registration_request, a_submitted_claim,
    an_event,
)
from tests.support.kafka import eventually

PAYER_CLAIM_NUMBER = "PCN20261120001"


async def test_a_coded_encounter_opens_a_claim_that_is_scrubbed_and_submitted_in_a_batch(settings, kafka) -> None:
    event = a_coded_event()
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.ENCOUNTER_CODED, event)
        claim = await _claim_of_encounter(runtime, event.payload.encounter_id, "submitted")
        changes = await kafka.read(topics.CLAIM_STATUS_CHANGED)
        batches = await kafka.read(topics.CLAIM_BATCH_SUBMITTED)
    assert [(c.payload.status, c.payload.version, c.payload.previous_status) for c in changes] == [
        (ClaimStatus.CREATED, 1, None),
        (ClaimStatus.SCRUBBED, 2, ClaimStatus.CREATED),
        (ClaimStatus.SUBMITTED, 3, ClaimStatus.SCRUBBED),
    ]
    assert {c.payload.claim_id for c in changes} == {claim["_id"]}
    assert all(c.correlation_id == event.payload.encounter_id for c in changes)
    assert len(batches) == 1
    assert [c.claim_id for c in batches[0].payload.claims] == [claim["_id"]]
    assert batches[0].payload.claim_count == 1
    assert batches[0].payload.total_charge == event.payload.total_charge


async def test_a_coded_encounter_received_twice_opens_one_claim(settings, kafka) -> None:
    event = a_coded_event()
    resent = a_coded_event(event.payload)  # same encounter, new event id: coding ran twice
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.ENCOUNTER_CODED, event, event, resent)
        await eventually(lambda: _consumed(runtime, topics.ENCOUNTER_CODED, 2))
        await _claim_of_encounter(runtime, event.payload.encounter_id, "submitted")
        claims = await runtime.db["claims"].count_documents({"encounter_id": event.payload.encounter_id})
        created = [c for c in await kafka.read(topics.CLAIM_STATUS_CHANGED) if c.payload.status is ClaimStatus.CREATED]
        batches = await kafka.read(topics.CLAIM_BATCH_SUBMITTED)
    assert claims == 1
    assert len(created) == 1
    assert sum(b.payload.claim_count for b in batches) == 1


async def test_a_claim_whose_rendering_npi_fails_the_check_digit_is_not_submitted(settings, kafka) -> None:
    bad_npi = Provider(npi="1234567890", name="TESTDOC BADNPI")
    event = a_coded_event(a_coded_encounter(a_registration_request(rendering=bad_npi)))
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.ENCOUNTER_CODED, event)
        claim = await _claim_of_encounter(runtime, event.payload.encounter_id, "scrub_failed")
        changes = await kafka.read(topics.CLAIM_STATUS_CHANGED)
        batches = await kafka.read(topics.CLAIM_BATCH_SUBMITTED)
        scrub_failed = await kafka.read(topics.CLAIM_SCRUB_FAILED)
    failed = changes[-1].payload
    assert (failed.claim_id, failed.status) == (claim["_id"], ClaimStatus.SCRUB_FAILED)
    assert [f.code for f in failed.findings if f.severity == "error"] == ["RENDERING_NPI_INVALID"]
    assert batches == []
    (announced,) = [e.payload for e in scrub_failed]
    assert announced.claim_id == claim["_id"]
    assert [(f.rule, f.category) for f in announced.findings if f.severity == "error"] == [("PRV-002", "provider")]


async def test_the_same_visit_billed_twice_is_stopped_as_a_duplicate_of_the_first_claim(settings, kafka) -> None:
    first = a_coded_event()
    again = a_coded_event(first.payload.model_copy(update={"encounter_id": a_coded_event().payload.encounter_id}))
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.ENCOUNTER_CODED, first)
        original = await _claim_of_encounter(runtime, first.payload.encounter_id, "submitted")
        await kafka.publish(topics.ENCOUNTER_CODED, again)
        await _claim_of_encounter(runtime, again.payload.encounter_id, "scrub_failed")
        scrub_failed = await kafka.read(topics.CLAIM_SCRUB_FAILED)
    (announced,) = [e.payload for e in scrub_failed]
    duplicate = [f for f in announced.findings if f.rule == "DUP-002"]
    assert duplicate and duplicate[0].category == "duplicate" and original["_id"] in duplicate[0].message


async def test_a_claim_accepted_by_the_clearinghouse_is_accepted_with_the_payer_claim_number(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        claim_id, batch, _ = await _submit_a_claim(runtime, kafka)
        ack = ClaimAcknowledgement(claim_id=claim_id, accepted=True, payer_claim_number=PAYER_CLAIM_NUMBER)
        await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, _acknowledgement(batch, ack))
        stored = await _claim(runtime, claim_id, "accepted")
        accepted = await _change(kafka, claim_id, ClaimStatus.ACCEPTED)
    assert accepted.version == 4
    assert accepted.previous_status is ClaimStatus.SUBMITTED
    assert runtime.cipher.open(stored["content"], SubmittedClaim).payer_claim_number == PAYER_CLAIM_NUMBER


async def test_a_claim_rejected_by_the_clearinghouse_goes_to_the_rejection_queue_with_its_status_codes(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        claim_id, batch, _ = await _submit_a_claim(runtime, kafka)
        ack = ClaimAcknowledgement(claim_id=claim_id, accepted=False, status_codes=("A7_562",))
        await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, _acknowledgement(batch, ack))
        await _claim(runtime, claim_id, "rejected")
        rejected = await _change(kafka, claim_id, ClaimStatus.REJECTED)
    assert rejected.version == 4
    assert [f.code for f in rejected.findings] == ["A7_562"]


async def test_a_999_that_rejects_the_batch_rejects_every_claim_in_it(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        claim_id, batch, _ = await _submit_a_claim(runtime, kafka)
        await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, _rejecting_999(batch))
        await _claim(runtime, claim_id, "rejected")
        rejected = await _change(kafka, claim_id, ClaimStatus.REJECTED)
    assert rejected.findings[0].code == "X12_999_R"


async def test_an_unreadable_or_invalid_clearinghouse_file_is_dead_lettered_and_the_next_one_applied(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        claim_id, batch, _ = await _submit_a_claim(runtime, kafka)
        good = _acknowledgement(batch, ClaimAcknowledgement(claim_id=claim_id, accepted=True,
                                                            payer_claim_number=PAYER_CLAIM_NUMBER))
        cut = good.payload.model_copy(update={"file_id": "cut", "x12": good.payload.x12[:-30]})
        # a 277CA with a segment outside its envelopes: it reads, but it is refused as received (a
        # wrong SE01 count alone would be a flagged defect, not a refusal)
        stray = good.payload.model_copy(update={"file_id": "stray", "x12": good.payload.x12 + "STC*A1:20*20261120*WQ~"})
        not_x12 = good.payload.model_copy(update={"file_id": "notx12", "x12": "Dear provider, please find..."})
        for payload in (cut, stray, not_x12):
            await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED,
                                an_event(topics.CLEARINGHOUSE_ACKNOWLEDGED, payload, correlation_id=batch.batch_id))
        await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, good)
        await _claim(runtime, claim_id, "accepted")
        letters = await kafka.wait_for(topics.dead_letter_topic("claims"), lambda m: len(m) >= 3)
    assert sorted(letter.payload.reason_code for letter in letters) == ["X12_INVALID", "X12_NOT_X12", "X12_TRUNCATED"]
    assert all(letter.payload.original_topic == topics.CLEARINGHOUSE_ACKNOWLEDGED.name for letter in letters)


async def test_a_denied_claim_is_appealed_when_the_denial_is_worked_as_an_appeal(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        claim_id, _, encounter_id = await _submit_a_claim(runtime, kafka)
        await kafka.publish(topics.PAYMENT_POSTED, _posted(claim_id, encounter_id))
        await _claim(runtime, claim_id, "denied", settle=False)
        await kafka.publish(topics.DENIAL_WORKED, _worked(claim_id, encounter_id, DenialAction.APPEAL))
        await _claim(runtime, claim_id, "appealed")
        changes = await _changes_of(kafka, claim_id)
    assert [(c.status, c.version) for c in changes[-2:]] == [(ClaimStatus.DENIED, 4), (ClaimStatus.APPEALED, 5)]


async def test_an_appeal_decided_before_the_denial_is_posted_waits_for_it_and_then_appeals(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        claim_id, _, encounter_id = await _submit_a_claim(runtime, kafka)
        await kafka.publish(topics.DENIAL_WORKED, _worked(claim_id, encounter_id, DenialAction.APPEAL))
        await eventually(lambda: _parked(runtime, claim_id, 1))
        await kafka.publish(topics.PAYMENT_POSTED, _posted(claim_id, encounter_id))
        await _claim(runtime, claim_id, "appealed")
        changes = await _changes_of(kafka, claim_id)
        still_parked = await runtime.db["deferred"].count_documents({"claim_id": claim_id})
    assert [(c.status, c.version) for c in changes[-2:]] == [(ClaimStatus.DENIED, 4), (ClaimStatus.APPEALED, 5)]
    assert still_parked == 0


async def test_a_resubmission_after_a_denial_sends_a_frequency_7_claim_with_the_payer_claim_number(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        claim_id, first_batch, encounter_id = await _submit_a_claim(runtime, kafka)
        await kafka.publish(topics.PAYMENT_POSTED, _posted(claim_id, encounter_id))
        await _claim(runtime, claim_id, "denied", settle=False)
        await kafka.publish(topics.CLAIM_RESUBMIT_REQUESTED, _resubmit_request(claim_id, encounter_id))
        await _claim(runtime, claim_id, "submitted", version=7)
        changes = await _changes_of(kafka, claim_id)
        batches = await kafka.read(topics.CLAIM_BATCH_SUBMITTED)
    assert [(c.status, c.version, c.frequency_code) for c in changes[-3:]] == [
        (ClaimStatus.CORRECTED, 5, "7"), (ClaimStatus.SCRUBBED, 6, "7"), (ClaimStatus.SUBMITTED, 7, "7")]
    assert len(batches) == 2
    second = next(b.payload for b in batches if b.payload.batch_id != first_batch.batch_id)
    assert [(c.claim_id, c.frequency_code) for c in second.claims] == [(claim_id, "7")]
    sent = read(second.x12).claim_batches()[0].claims
    assert [(c.claim_id, c.frequency_code, c.payer_claim_number) for c in sent] == [(claim_id, "7", PAYER_CLAIM_NUMBER)]


async def test_a_primary_that_leaves_a_balance_is_followed_by_a_cob_claim_with_its_adjudication(settings, kafka) -> None:
    coded = a_coded_encounter()
    secondary = Coverage(payer_id="SIMACME02", payer_name="Acme Test Health HMO", member_id="SIMSECOND0001",
                         group_number="GRP00002", order=CoverageOrder.SECONDARY)
    event = a_coded_event(coded.model_copy(update={"coverages": (*coded.coverages, secondary)}))
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.ENCOUNTER_CODED, event)
        primary = await _claim_of_encounter(runtime, event.payload.encounter_id, "submitted")
        encounter_id = event.payload.encounter_id
        await kafka.publish(topics.PAYMENT_POSTED, _posted(primary["_id"], encounter_id, outcome="partially_paid"))
        await _claim(runtime, primary["_id"], "partially_paid", settle=False)
        request = ClaimSecondaryRequested(
            claim_id=primary["_id"], encounter_id=encounter_id, payer_id="SIMBLUE01", payer_claim_number="PCN000000000077",
            paid=Decimal("60.00"), adjudication_date=date(2026, 11, 20), remaining_patient_liability=Decimal("40.00"),
            adjustments=(Adjustment(group=AdjustmentGroup.PATIENT_RESPONSIBILITY, carc="2", amount=Decimal("40.00")),))
        sent = an_event(topics.CLAIM_SECONDARY_REQUESTED, request, correlation_id=encounter_id)
        await kafka.publish(topics.CLAIM_SECONDARY_REQUESTED, sent, sent)  # read twice: one COB claim
        cob = await _claim(runtime, domain.secondary_claim_id(primary["_id"]), "submitted")
        batches = await kafka.read(topics.CLAIM_BATCH_SUBMITTED)
        claims_of_encounter = await runtime.db["claims"].count_documents({"encounter_id": encounter_id})
    assert claims_of_encounter == 2
    assert cob["payer_id"] == "SIMACME02"
    filed = next(b.payload for b in batches if cob["_id"] in {c.claim_id for c in b.payload.claims})
    (wire,) = [c for batch in read(filed.x12).claim_batches() for c in batch.claims]
    assert wire.subscriber.payer_responsibility == "S"
    (prior,) = wire.prior_payers
    assert (prior.payer_id, prior.paid, prior.payer_claim_number) == ("SIMBLUE01", Decimal("60.00"), "PCN000000000077")
    assert [(a.group, a.reason, a.amount) for a in prior.adjustments] == [("PR", "2", Decimal("40.00"))]


async def test_a_malformed_coded_encounter_is_dead_lettered_and_the_ones_around_it_open_claims(settings, kafka) -> None:
    before, after = a_coded_event(), a_coded_event()
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.ENCOUNTER_CODED, before)
        await kafka.publish_raw(topics.ENCOUNTER_CODED, b'{"event_id": "not-a-uuid", "payload": {"patient": "Zzleak"}}')
        await kafka.publish_raw(topics.ENCOUNTER_CODED, b"\xff\xfe not json")
        await kafka.publish(topics.ENCOUNTER_CODED, after)
        await _claim_of_encounter(runtime, before.payload.encounter_id, "submitted", settle=False)
        await _claim_of_encounter(runtime, after.payload.encounter_id, "submitted")
        letters = await kafka.wait_for(topics.dead_letter_topic("claims"), lambda m: len(m) >= 2)
    assert {letter.payload.reason_code for letter in letters} == {"INVALID_EVENT", "UNREADABLE"}
    assert all(letter.payload.original_topic == topics.ENCOUNTER_CODED.name for letter in letters)
    assert all("Zzleak" not in letter.payload.reason for letter in letters)


async def test_an_acknowledgement_for_a_claim_we_never_sent_is_dead_lettered_as_unknown(settings, kafka) -> None:
    stranger = new_id("clm")
    never_sent = a_batch_filed(a_submitted_claim().model_copy(update={"claim_id": stranger}))
    event = _acknowledgement(never_sent, ClaimAcknowledgement(claim_id=stranger, accepted=True))
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLEARINGHOUSE_ACKNOWLEDGED, event)
        await eventually(lambda: _consumed(runtime, topics.CLEARINGHOUSE_ACKNOWLEDGED, 1))
        await eventually(lambda: _outbox_empty(runtime))
        letters = await kafka.read(topics.dead_letter_topic("claims"))
    assert [letter.payload.reason_code for letter in letters] == ["UNKNOWN_CLAIM"]
    assert letters[0].payload.original_topic == topics.CLEARINGHOUSE_ACKNOWLEDGED.name
    assert letters[0].correlation_id == event.correlation_id


async def test_a_correction_that_waited_for_a_claim_the_payer_then_paid_is_dead_lettered_for_replay(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        request = await _correction_refused_after_payment(runtime, kafka)
        letters = await kafka.read(topics.dead_letter_topic("claims"))
    assert [letter.payload.reason_code for letter in letters] == ["NOT_CORRECTABLE"]
    letter = letters[0].payload
    # Replay sends the original bytes to original_topic with original_key: they must be the request's.
    assert (letter.original_topic, letter.original_key) == (topics.CLAIM_RESUBMIT_REQUESTED.name, request.payload.claim_id)
    original = original_of(letter, runtime.cipher)  # kept sealed with the PHI key
    assert decode(topics.CLAIM_RESUBMIT_REQUESTED, original).event_id == request.event_id


async def test_two_refused_corrections_are_two_dead_letters_for_the_operator(settings, kafka) -> None:
    runtime = _claims_runtime(settings)
    async with runtime.running():
        await _correction_refused_after_payment(runtime, kafka)
        await _correction_refused_after_payment(runtime, kafka)
        letters = await kafka.read(topics.dead_letter_topic("claims"))
        listed = await read_dead_letters(settings, "claims")
    assert len(letters) == 2
    assert len({letter.event_id for letter in letters}) == 2
    assert len(listed) == 2


# --- helpers ---------------------------------------------------------------------------------------


def _claims_runtime(settings):
    return build_runtime(ClaimsSettings(**settings.model_dump()))


async def _submit_a_claim(runtime, kafka) -> tuple[str, ClaimBatchFiled, str]:
    """Publish a coded encounter and wait until its claim is submitted; return the claim id, its
    batch and the encounter id."""
    event = a_coded_event()
    await kafka.publish(topics.ENCOUNTER_CODED, event)
    claim = await _claim_of_encounter(runtime, event.payload.encounter_id, "submitted")
    batches = await kafka.read(topics.CLAIM_BATCH_SUBMITTED)
    batch = next(b.payload for b in batches if claim["_id"] in {c.claim_id for c in b.payload.claims})
    return claim["_id"], batch, event.payload.encounter_id


async def _correction_refused_after_payment(runtime, kafka):
    """A correction requested while the claim awaits adjudication (parked), then the payer pays the
    claim: the correction can no longer apply. Returns the correction request's event."""
    claim_id, _, encounter_id = await _submit_a_claim(runtime, kafka)
    request = _resubmit_request(claim_id, encounter_id)
    await kafka.publish(topics.CLAIM_RESUBMIT_REQUESTED, request)
    await eventually(lambda: _parked(runtime, claim_id, 1))
    await kafka.publish(topics.PAYMENT_POSTED, _posted(claim_id, encounter_id, outcome="paid"))
    await eventually(lambda: _parked(runtime, claim_id, 0))
    await _claim(runtime, claim_id, "paid")
    return request


async def _claim_of_encounter(runtime, encounter_id: str, status: str, *, settle: bool = True) -> dict:
    return await _stored(runtime, {"encounter_id": encounter_id, "status": status}, settle=settle)


async def _claim(runtime, claim_id: str, status: str, *, version: int | None = None, settle: bool = True) -> dict:
    wanted = {"_id": claim_id, "status": status} | ({"version": version} if version else {})
    return await _stored(runtime, wanted, settle=settle)


async def _stored(runtime, wanted: dict, *, settle: bool) -> dict:
    """The claim document matching `wanted` once it is committed; with `settle`, also wait until the
    events committed with it are on Kafka."""
    claim = await eventually(lambda: runtime.db["claims"].find_one(wanted))
    if settle:
        await eventually(lambda: _outbox_empty(runtime))
    return claim


CLEARINGHOUSE = TradingPartners(sender_id="SIMCLEARING", receiver_id="RCMPLATFORM")


def _acknowledgement(batch: ClaimBatchFiled, *acks: ClaimAcknowledgement):
    """The clearinghouse's 277CA answering `batch`, with a verdict per acknowledgement."""
    text = write_277ca(read(batch.x12), source=Party("TEST CLEARINGHOUSE", "SIMCLEARING", "46"), source_entity="AY",
                       partners=CLEARINGHOUSE, control_numbers=InMemoryControlNumbers(), created=NOW,
                       verdicts={ack.claim_id: verdict_of(ack) for ack in acks})
    return an_event(topics.CLEARINGHOUSE_ACKNOWLEDGED,
                    X12FileReceived(file_id="277CA-" + batch.batch_id, sender_id="SIMCLEARING", x12=text),
                    correlation_id=batch.batch_id)


def _rejecting_999(batch: ClaimBatchFiled):
    """A 999 rejecting the batch's transaction set, as a clearinghouse whose stricter edit found an error."""
    document = read(batch.x12)
    inside_the_set = Issue(position=5, segment="NM1", message="synthetic error found by the clearinghouse")
    text = write_999(document, partners=CLEARINGHOUSE, control_numbers=InMemoryControlNumbers(), created=NOW,
                     report=ValidationReport(errors=(inside_the_set,), warnings=()))
    return an_event(topics.CLEARINGHOUSE_ACKNOWLEDGED,
                    X12FileReceived(file_id="999-" + batch.batch_id, sender_id="SIMCLEARING", x12=text),
                    correlation_id=batch.batch_id)


def _posted(claim_id: str, encounter_id: str, outcome: str = "denied"):
    return an_event(topics.PAYMENT_POSTED, a_payment_posted(claim_id, encounter_id, outcome=outcome),
                    correlation_id=encounter_id)


def _resubmit_request(claim_id: str, encounter_id: str):
    request = ClaimResubmitRequested(denial_id=new_id("den"), claim_id=claim_id, encounter_id=encounter_id,
                                     category="MISSING_INFORMATION", payer_claim_number=PAYER_CLAIM_NUMBER,
                                     corrections=("MISSING_INFORMATION",))
    return an_event(topics.CLAIM_RESUBMIT_REQUESTED, request, correlation_id=encounter_id)


def _worked(claim_id: str, encounter_id: str, action: DenialAction):
    worked = DenialWorked(denial_id=new_id("den"), claim_id=claim_id, encounter_id=encounter_id,
                          category="MEDICAL_NECESSITY", action=action, amount=Decimal("100.00"))
    return an_event(topics.DENIAL_WORKED, worked, correlation_id=encounter_id)


async def _changes_of(kafka, claim_id: str) -> list:
    """The claim's status changes on the topic, in the order they were published (one key, one partition)."""
    return [c.payload for c in await kafka.read(topics.CLAIM_STATUS_CHANGED) if c.payload.claim_id == claim_id]


async def _change(kafka, claim_id: str, status: ClaimStatus):
    return next(c for c in await _changes_of(kafka, claim_id) if c.status is status)


async def _consumed(runtime, topic, count: int) -> bool:
    return await runtime.db["inbox"].count_documents({"topic": topic.name}) >= count


async def _parked(runtime, claim_id: str, count: int) -> bool:
    return await runtime.db["deferred"].count_documents({"claim_id": claim_id}) == count


async def _outbox_empty(runtime) -> bool:
    """Everything the service committed has been acknowledged by Kafka (the relay deletes after the ack)."""
    return await runtime.db["outbox"].count_documents({}) == 0
