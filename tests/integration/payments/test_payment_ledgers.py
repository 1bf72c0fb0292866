"""Payments' ledgers against the real broker and mongod: reversals and corrections, the same 835
twice, PLB on the provider's account, underpayments against a loaded fee schedule, a COB request,
patient balances, statements and patient payments. Every case reconciles to the cent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx

from services.payments.app import build_runtime
from services.payments.billing_runs import load_fee_schedule
from services.payments.fee_schedule import FeeScheduleEntry
from services.payments.patient_billing import patient_id_of
from shared import topics
from shared.auth import Role
from shared.events import (
    Adjustment, AdjustmentGroup, ClaimPaymentStatus, Coverage, CoverageOrder, ProviderAdjustment,
)
from shared.money import stored_amount, total
from tests.support.builders import TENANT, a_batch_submitted_event, a_remittance, a_remittance_event, a_submitted_claim
from tests.support.identity import auth_headers
from tests.support.kafka import eventually
from tests.unit.payments.builders import reversal_of

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_a_reversal_and_its_correction_leave_the_claim_and_the_patient_at_the_correction(settings, kafka) -> None:
    claim = a_submitted_claim()
    first = a_remittance(claim)
    original = first.claims[0]
    correction = _with_deductible(original, Decimal("10.00"))
    second = first.model_copy(update={
        "remittance_id": first.remittance_id + "R", "claims": (reversal_of(original), correction),
        "payment_amount": correction.paid - original.paid})
    patient_id = patient_id_of(TENANT, claim.patient)
    runtime = build_runtime(settings)
    async with runtime.running():
        await _submit(runtime, kafka, claim)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(first))
        await _docs(runtime, "postings", {"claim_id": claim.claim_id}, 1)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(second))
        postings = await _docs(runtime, "postings", {"claim_id": claim.claim_id}, 3)
        await eventually(lambda: _outbox_empty(runtime))
        balance = await _balance(runtime, patient_id)
        changes = await kafka.read(topics.PATIENT_BALANCE_CHANGED)
    by_outcome = {p["outcome"]: p for p in postings if p["outcome"] == "reversed"}
    assert by_outcome["reversed"]["reverses"] in {p["_id"] for p in postings if p["remittance_id"] == first.remittance_id}
    assert total(stored_amount(p["paid"]) for p in postings) == correction.paid
    assert balance == correction.patient_responsibility
    assert [c.payload.amount for c in changes] == [original.patient_responsibility, -original.patient_responsibility,
                                                   correction.patient_responsibility]
    assert changes[-1].payload.balance == balance


async def test_an_original_its_reversal_and_correction_that_arrive_before_the_claim_post_in_order(settings,
                                                                                                  kafka) -> None:
    claim = a_submitted_claim()
    first = a_remittance(claim)
    original = first.claims[0]
    correction = _with_deductible(original, Decimal("7.00"))
    second = first.model_copy(update={
        "remittance_id": first.remittance_id + "R", "claims": (reversal_of(original), correction),
        "payment_amount": correction.paid - original.paid, "payment_date": date(2026, 11, 27)})
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(second), a_remittance_event(first))
        await _docs(runtime, "unapplied", {"claim_ref": claim.claim_id}, 3)
        await _submit(runtime, kafka, claim)
        postings = await _docs(runtime, "postings", {"claim_id": claim.claim_id}, 3)
        await eventually(lambda: _outbox_empty(runtime))
        left = await runtime.db["unapplied"].count_documents({"claim_ref": claim.claim_id})
        balance = await _balance(runtime, patient_id_of(TENANT, claim.patient))
    assert left == 0
    assert total(stored_amount(p["paid"]) for p in postings) == correction.paid
    assert balance == correction.patient_responsibility


async def test_the_same_835_with_plb_ingested_twice_posts_everything_once(settings, kafka) -> None:
    claim = a_submitted_claim()
    paid = a_remittance(claim)
    plb = (ProviderAdjustment(reason="L6", amount=Decimal("-2.15")),
           ProviderAdjustment(reason="WO", reference="OLDCLAIM1", amount=Decimal("12.40")))
    remittance = paid.model_copy(update={"provider_adjustments": plb,
                                         "payment_amount": paid.payment_amount - Decimal("10.25")})
    patient_id = patient_id_of(TENANT, claim.patient)
    runtime = build_runtime(settings)
    async with runtime.running():
        await _submit(runtime, kafka, claim)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        await _docs(runtime, "provider_account_entries", {"remittance_id": remittance.remittance_id}, 2)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))  # the same file again
        await eventually(lambda: _inbox(runtime, topics.REMITTANCE_RECEIVED, 2))
        await eventually(lambda: _outbox_empty(runtime))
        postings = await _docs(runtime, "postings", {"remittance_id": remittance.remittance_id}, 1)
        entries = await _docs(runtime, "provider_account_entries", {"remittance_id": remittance.remittance_id}, 2)
        account = await runtime.db["provider_accounts"].find_one({"tenant_id": TENANT, "payer_id": remittance.payer_id})
        patient_entries = await runtime.db["patient_entries"].count_documents({"patient_id": patient_id})
        balance = await _balance(runtime, patient_id)
        plb_events = await kafka.read(topics.PROVIDER_ADJUSTMENT_POSTED)
    assert (len(postings), len(entries), len(plb_events), patient_entries) == (1, 2, 2, 1)
    assert stored_amount(account["balance"]) == Decimal("-10.25")
    assert balance == remittance.claims[0].patient_responsibility
    assert remittance.payment_amount == total(stored_amount(p["paid"]) for p in postings) + stored_amount(
        account["balance"])


async def test_a_reversal_of_a_payment_we_never_posted_waits_as_unapplied_cash(settings, kafka) -> None:
    claim = a_submitted_claim()
    reversal = reversal_of(a_remittance(claim).claims[0])
    remittance = a_remittance(claim).model_copy(update={"claims": (reversal,), "payment_amount": reversal.paid})
    runtime = build_runtime(settings)
    async with runtime.running():
        await _submit(runtime, kafka, claim)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        (parked,) = await _docs(runtime, "unapplied", {"claim_ref": claim.claim_id}, 1)
        postings = await runtime.db["postings"].count_documents({"claim_id": claim.claim_id})
    assert parked["reason_code"] == "REVERSAL_WITHOUT_ORIGINAL"
    assert stored_amount(parked["amount"]) == remittance.payment_amount
    assert postings == 0


async def test_a_line_paid_below_the_loaded_contract_opens_an_underpayment(settings, kafka) -> None:
    claim = a_submitted_claim()
    remittance = a_remittance(claim)
    schedule = tuple(
        FeeScheduleEntry(remittance.payer_id, line.procedure_code, tuple(sorted(line.modifiers)), date(2020, 1, 1),
                         None, (line.charge / line.units + Decimal("5.00")).quantize(Decimal("0.01")))
        for line in claim.lines)
    runtime = build_runtime(settings)
    async with runtime.running():
        await load_fee_schedule(runtime.mongo, runtime.db, TENANT, schedule)
        await _submit(runtime, kafka, claim)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        items = await _docs(runtime, "underpayments", {"claim_id": claim.claim_id}, len(claim.lines))
        await eventually(lambda: _outbox_empty(runtime))
        opened = await kafka.read(topics.UNDERPAYMENT_OPENED)
    assert len(items) == len(opened) == len(claim.lines)
    for item in opened:
        assert item.payload.expected - item.payload.received == item.payload.shortfall > Decimal("1.00")


async def test_a_primary_payment_for_a_patient_with_secondary_coverage_asks_for_a_cob_claim(settings, kafka) -> None:
    secondary = Coverage(payer_id="SIMACME02", payer_name="Acme Test Health HMO", member_id="SEC-TEST-1",
                         order=CoverageOrder.SECONDARY)
    claim = a_submitted_claim().model_copy(update={"other_coverages": (secondary,)})
    remittance = a_remittance(claim)
    runtime = build_runtime(settings)
    async with runtime.running():
        await _submit(runtime, kafka, claim)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        await _docs(runtime, "postings", {"claim_id": claim.claim_id}, 1)
        await eventually(lambda: _outbox_empty(runtime))
        requests = await kafka.read(topics.CLAIM_SECONDARY_REQUESTED)
        billed_to_patient = await runtime.db["patient_entries"].count_documents({})
    (request,) = [r.payload for r in requests]
    assert (request.claim_id, request.paid) == (claim.claim_id, remittance.claims[0].paid)
    assert request.remaining_patient_liability == remittance.claims[0].patient_responsibility
    assert total(line.paid + total(a.amount for a in line.adjustments) for line in request.lines) == claim.total_charge
    assert billed_to_patient == 0


async def test_a_statement_shows_the_patient_balance_and_a_patient_payment_lowers_it_once(settings, kafka) -> None:
    claim = a_submitted_claim()
    remittance = a_remittance(claim)
    owed = remittance.claims[0].patient_responsibility
    patient_id = patient_id_of(TENANT, claim.patient)
    clerk = auth_headers("pat.clerk", [Role.PATIENT_ACCOUNTS], [TENANT])
    payment = {"tenant_id": TENANT, "amount": "10.00", "reference": "RCPT-77", "method": "card",
               "received_on": "2026-11-24"}
    runtime = build_runtime(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()),
                                 base_url="http://payments") as http, runtime.running():
        await _submit(runtime, kafka, claim)
        await kafka.publish(topics.REMITTANCE_RECEIVED, a_remittance_event(remittance))
        await _docs(runtime, "patient_entries", {"patient_id": patient_id}, 1)
        run = (await http.post("/api/statement-runs", headers=clerk, json={
            "tenant_id": TENANT, "statement_date": "2026-11-23", "practice_name": "Test Clinic"})).json()
        first = (await http.post(f"/api/patients/{patient_id}/payments", headers=clerk, json=payment)).json()
        again = (await http.post(f"/api/patients/{patient_id}/payments", headers=clerk, json=payment)).json()
        coder = await http.post(f"/api/patients/{patient_id}/payments", headers=auth_headers(
            "cody", [Role.CODER], [TENANT]), json={**payment, "reference": "RCPT-78"})
        foreign = await http.post(f"/api/patients/{patient_id}/payments", headers=auth_headers(
            "pat.clerk", [Role.PATIENT_ACCOUNTS], ["other-clinic"]), json={**payment, "reference": "RCPT-79"})
        balance = await _balance(runtime, patient_id)
        await eventually(lambda: _outbox_empty(runtime))
        issued = await kafka.read(topics.PATIENT_STATEMENT_ISSUED)
        audits = await kafka.read(topics.AUDIT)
    (statement,) = run["statements"]
    assert owed > 0 and Decimal(statement["balance"]) == owed
    assert claim.patient.last_name in statement["html"] and f"Amount due: {owed:.2f}" in statement["html"]
    assert statement["data"]["statement_id"] == statement["statement_id"]
    assert [i.payload.balance for i in issued] == [owed]
    assert first["recorded"] and Decimal(first["balance"]) == owed - Decimal("10.00") and not again["recorded"]
    assert (coder.status_code, foreign.status_code) == (403, 403)
    assert balance == owed - Decimal("10.00")
    assert [(a.payload.actor, a.payload.action, a.payload.subject_id) for a in audits] == [
        ("pat.clerk", "PATIENT_STATEMENT_ISSUED", patient_id), ("pat.clerk", "PATIENT_PAYMENT_RECORDED", patient_id)]


# --- helpers ---------------------------------------------------------------------------------------


def _with_deductible(claim, amount: Decimal):
    """The payer's corrected adjudication: `amount` of the first line moved from paid to deductible."""
    first, *rest = claim.lines
    moved = first.model_copy(update={
        "paid": first.paid - amount,
        "adjustments": (*first.adjustments, Adjustment(group=AdjustmentGroup.PATIENT_RESPONSIBILITY, carc="1",
                                                       amount=amount))})
    return claim.model_copy(update={"lines": (moved, *rest), "paid": claim.paid - amount,
                                    "patient_responsibility": claim.patient_responsibility + amount,
                                    "status_code": ClaimPaymentStatus.PROCESSED_AS_PRIMARY})


async def _submit(runtime, kafka, *claims) -> None:
    await kafka.publish(topics.CLAIM_BATCH_SUBMITTED, a_batch_submitted_event(*claims))
    await eventually(lambda: _inbox(runtime, topics.CLAIM_BATCH_SUBMITTED, 1))


async def _inbox(runtime, topic, count: int) -> bool:
    return await runtime.db["inbox"].count_documents({"topic": topic.name}) >= count


async def _docs(runtime, collection: str, query: dict, count: int) -> list[dict]:
    async def found() -> list[dict]:
        docs = [doc async for doc in runtime.db[collection].find(query)]
        return docs if len(docs) >= count else []

    return await eventually(found)


async def _balance(runtime, patient_id: str) -> Decimal:
    doc = await runtime.db["patient_balances"].find_one({"_id": f"{TENANT}|{patient_id}"})
    return stored_amount(doc["balance"])


async def _outbox_empty(runtime) -> bool:
    return await runtime.db["outbox"].count_documents({}) == 0


