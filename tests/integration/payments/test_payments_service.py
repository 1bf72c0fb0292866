"""The payments service against the real broker and mongod: each 835 posted to the claims we
submitted exactly once, to the cent, or held with a reason.

Waits poll the service's database until the outcome is committed and the outbox drained (the relay
deletes a row only after Kafka acknowledged it), then read each topic once: a topic read starts a
Kafka client that fetches the metadata of every topic on the shared test broker."""

from __future__ import annotations

from decimal import Decimal

from services.payments.app import build_runtime
from shared import topics
from shared.events import PaymentOutcome, RemittanceReceived
from shared.ids import new_id
from shared.money import total
from tests.support.builders import (
    a_batch_submitted_event, a_remittance, a_remittance_event, a_submitted_claim, an_835,
)
from tests.support.kafka import eventually


async def test_the_payments_posted_from_a_remittance_add_up_to_its_payment_amount(settings, kafka) -> None:
    paid_one, paid_two, denied = a_submitted_claim(), a_submitted_claim(), a_submitted_claim()
    remittance = _one_835(a_remittance(paid_one, paid_two), a_remittance(denied, denied_carc="16"))
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(paid_one, paid_two, denied))
        await eventually(lambda: _consumed(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        await _postings(runtime, remittance.remittance_id, 3)
        posted = await kafka.read(topics.PAYMENT_POSTED)
    assert remittance.payment_amount > Decimal("0.00")
    assert len(posted) == 3
    assert total(p.payload.paid for p in posted) == remittance.payment_amount
    assert {p.payload.claim_id: p.payload.outcome for p in posted} == {
        paid_one.claim_id: PaymentOutcome.PAID, paid_two.claim_id: PaymentOutcome.PAID,
        denied.claim_id: PaymentOutcome.DENIED}
    assert {p.correlation_id for p in posted} == {paid_one.encounter_id, paid_two.encounter_id, denied.encounter_id}


async def test_a_claim_the_payer_denied_is_sent_to_denials_with_the_payer_claim_number(settings, kafka) -> None:
    paid, denied = a_submitted_claim(), a_submitted_claim()
    remittance = _one_835(a_remittance(paid), a_remittance(denied, denied_carc="16"))
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(paid, denied))
        await eventually(lambda: _consumed(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        await _postings(runtime, remittance.remittance_id, 2)
        denials = await kafka.read(topics.CLAIM_DENIED)
    denial = denials[0].payload
    assert [d.payload.claim_id for d in denials] == [denied.claim_id]
    assert denial.whole_claim
    assert denial.denied_amount == denied.total_charge
    assert [(a.group, a.carc) for a in denial.adjustments] == [("CO", "16")]
    assert denial.payer_claim_number == remittance.claims[1].payer_claim_number
    assert denial.remittance_id == remittance.remittance_id


async def test_a_remittance_received_twice_is_posted_once(settings, kafka) -> None:
    claims = (a_submitted_claim(), a_submitted_claim())
    remittance = a_remittance(*claims)
    event = a_remittance_event(remittance)
    resent = a_remittance_event(remittance)  # same 835 (same trace number) ingested again: a new event id
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(*claims))
        await eventually(lambda: _consumed(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))
        await kafka.publish(topics.REMITTANCE_RECEIVED, event, event, resent)
        await eventually(lambda: _consumed(runtime, topics.REMITTANCE_RECEIVED, 2))
        postings = await _postings(runtime, remittance.remittance_id, 2)
        posted = await kafka.read(topics.PAYMENT_POSTED)
    assert sorted(p.payload.claim_id for p in posted) == sorted(c.claim_id for c in claims)
    assert len(postings) == 2


async def test_a_remittance_that_arrives_before_its_claims_were_submitted_is_posted_when_they_are(settings, kafka) -> None:
    claim = a_submitted_claim()
    remittance = a_remittance(claim)
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        waiting = await eventually(lambda: _unapplied(runtime, claim.claim_id))
        await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(claim))
        postings = await _postings(runtime, remittance.remittance_id, 1)
        posted = await kafka.read(topics.PAYMENT_POSTED)
        left = await runtime.db["unapplied"].count_documents({})
    assert waiting[0]["reason_code"] == "CLAIM_NOT_FOUND"
    assert [(p.payload.claim_id, p.payload.paid) for p in posted] == [(claim.claim_id, remittance.claims[0].paid)]
    assert [p["claim_id"] for p in postings] == [claim.claim_id]
    assert left == 0


async def test_a_remittance_that_does_not_balance_is_held_and_nothing_is_posted(settings, kafka) -> None:
    claim = a_submitted_claim()
    honest = a_remittance(claim)
    off_by_a_cent = honest.model_copy(update={"payment_amount": honest.payment_amount + Decimal("0.01")})
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(claim))
        await eventually(lambda: _consumed(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(off_by_a_cent))
        held = await eventually(lambda: runtime.db["held_remittances"].find_one({"_id": off_by_a_cent.remittance_id}))
        await eventually(lambda: _outbox_empty(runtime))
        letters = await kafka.read(topics.dead_letter_topic("payments"))
        posted = await kafka.read(topics.PAYMENT_POSTED)
        postings = await runtime.db["postings"].count_documents({})
    # The 835's own balancing rule (BPR02 = sum of CLP04 - PLB) fails validation: nothing of it posts.
    assert [letter.payload.reason_code for letter in letters] == ["X12_INVALID"]
    assert "BPR02" in letters[0].payload.reason
    assert letters[0].payload.original_topic == topics.REMITTANCE_RECEIVED.name
    assert (posted, postings) == ([], 0)
    assert held["reason_code"] == "X12_INVALID" and "BPR02" in held["reason"]


async def test_cash_for_a_claim_we_never_submitted_stays_unapplied_while_the_rest_is_posted(settings, kafka) -> None:
    ours = a_submitted_claim()
    stranger = a_submitted_claim().model_copy(update={"claim_id": new_id("clm")})  # never submitted by us
    remittance = a_remittance(ours, stranger)
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(ours))
        await eventually(lambda: _consumed(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        unapplied = await eventually(lambda: _unapplied(runtime, stranger.claim_id))
        await _postings(runtime, remittance.remittance_id, 1)
        posted = await kafka.read(topics.PAYMENT_POSTED)
    assert [p.payload.claim_id for p in posted] == [ours.claim_id]
    assert len(unapplied) == 1
    assert unapplied[0]["reason_code"] == "CLAIM_NOT_FOUND"
    assert unapplied[0]["remittance_id"] == remittance.remittance_id
    assert unapplied[0]["amount"].to_decimal() == remittance.claims[1].paid


async def test_a_malformed_remittance_is_dead_lettered_and_the_ones_around_it_are_posted(settings, kafka) -> None:
    first, second = a_submitted_claim(), a_submitted_claim()
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(first, second))
        await eventually(lambda: _consumed(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))
        before, after = a_remittance(first), a_remittance(second)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(before))
        await kafka.publish_raw(topics.REMITTANCE_RECEIVED, b'{"event_id": "not-a-uuid", "payload": {"payer_id": 1}}')
        await kafka.publish_raw(topics.REMITTANCE_RECEIVED, b"\xff\xfe not json")
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(a_remittance(first), x12="PDF-1.4 not an 835"))
        truncated = a_remittance(second)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(truncated, x12=an_835(truncated, [second])[:-40]))
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(after))
        postings = [*await _postings(runtime, before.remittance_id, 1), *await _postings(runtime, after.remittance_id, 1)]
        letters = await kafka.wait_for(topics.dead_letter_topic("payments"), lambda m: len(m) >= 4)
    assert {p["claim_id"] for p in postings} == {first.claim_id, second.claim_id}
    assert sorted(letter.payload.reason_code for letter in letters) == [
        "INVALID_EVENT", "UNREADABLE", "X12_NOT_X12", "X12_TRUNCATED"]
    assert all(letter.payload.original_topic == topics.REMITTANCE_RECEIVED.name for letter in letters)


# --- helpers ---------------------------------------------------------------------------------------


def _one_835(*remittances: RemittanceReceived) -> RemittanceReceived:
    """The claims of several simulated 835s in one payment (BPR02 is still their paid total)."""
    claims = tuple(c for r in remittances for c in r.claims)
    return remittances[0].model_copy(update={"claims": claims, "payment_amount": total(c.paid for c in claims),
                                             "payment_method": "ACH"})


async def _consumed(runtime, topic, count: int) -> bool:
    return await runtime.db["inbox"].count_documents({"topic": topic.name}) >= count


async def _postings(runtime, remittance_id: str, count: int) -> list[dict]:
    """The remittance's posting documents once there are `count`, after their events reached Kafka."""
    async def posted() -> list[dict]:
        found = [doc async for doc in runtime.db["postings"].find({"remittance_id": remittance_id})]
        return found if len(found) >= count else []

    found = await eventually(posted)
    await eventually(lambda: _outbox_empty(runtime))
    return found


async def _unapplied(runtime, claim_ref: str) -> list[dict]:
    return [doc async for doc in runtime.db["unapplied"].find({"claim_ref": claim_ref})]


async def _outbox_empty(runtime) -> bool:
    """Everything the service committed has been acknowledged by Kafka (the relay deletes after the ack)."""
    return await runtime.db["outbox"].count_documents({}) == 0
