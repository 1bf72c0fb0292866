"""The trading partners as a process: a clearinghouse that answers each 837 batch with a 999 and a
277CA, and payers that pay or deny the accepted claims with 835 files.

Everything crosses as X12 text, as it does with real partners: the batch's 837P is read and
validated with our codec, the 999 reports what validation found, the 277CA carries the
clearinghouse's verdict on each claim, and each payer's 835 is written from its adjudication.
It runs on the same inbox/outbox runtime as the services, so a batch read twice is answered once,
and it records what each payer paid, which the demo and the end-to-end tests reconcile against
what payments posted.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from bson.decimal128 import Decimal128

from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope, new_event
from shared.logging import get_logger
from shared.money import total
from shared.events import ClaimAcknowledgement, ClaimBatchFiled, X12FileReceived
from shared.runtime import ServiceRuntime, serve
from shared.x12 import (
    ClaimVerdict,
    Party,
    StatusCode,
    TradingPartners,
    X12Error,
    read,
    validate,
    write_277ca,
    write_835,
    write_999,
)
from shared.x12.errors import rejection
from shared.x12.mongo_control_numbers import MongoControlNumbers
from simulator.claim_view import SimClaim
from simulator import eligibility
from simulator.clearinghouse import REJECTIONS, acknowledge_remembering
from simulator.corrections import Remembered
from simulator.payer import PayerBehaviour, adjudicate_remembering
from simulator.population import PAYERS
from simulator.remittance_file import remittance_835
from simulator.answers import AnswerRecord
from simulator.faults import clearinghouse_down, happens, rejected_batch_report, with_interest
from simulator.late import LateAnswers, due_after
from simulator.settings import SimulatorSettings

SERVICE = "simulator"
log = get_logger(__name__)
CLEARINGHOUSE_NAME = "SIMULATED CLEARINGHOUSE"
_PAYERS = {payer.payer_id: payer for payer in PAYERS}


def remittance_id_for(batch_id: str, payer_id: str) -> str:
    """A TRN02 trace number: stable per batch and payer, so a re-read batch pays under the same one."""
    return f"{payer_id}-{uuid.uuid5(uuid.NAMESPACE_OID, batch_id + '|' + payer_id).hex[:20]}"


def file_id_for(kind: str, batch_id: str) -> str:
    return f"{kind}-{uuid.uuid5(uuid.NAMESPACE_OID, batch_id + '|' + kind).hex[:20]}"


def verdict_of(ack: ClaimAcknowledgement) -> ClaimVerdict:
    """The 277CA STC for one claim: accepted with the payer's claim number, or the rejection codes
    ("A7_562_82" is category A7, status 562, entity 82)."""
    if ack.accepted:
        return ClaimVerdict(payer_claim_number=ack.payer_claim_number)
    first, *more = (StatusCode(*code.split("_")) for code in ack.status_codes)
    return ClaimVerdict(first, tuple(more))


def payer_behaviour(settings: SimulatorSettings) -> PayerBehaviour:
    """The payers' behaviour from settings: rates, and the denial reasons `sim_denial_reasons` names."""
    wanted = {name.strip() for name in settings.sim_denial_reasons.split(",") if name.strip()}
    mix = PayerBehaviour().denial_mix
    if wanted:
        mix = tuple((reason, weight) for reason, weight in mix if reason.value in wanted)
    return PayerBehaviour(deny_rate=settings.sim_deny_rate, partial_rate=settings.sim_partial_rate, denial_mix=mix)


def clearinghouse_rejections(settings: SimulatorSettings) -> tuple[tuple[tuple[str, ...], int], ...]:
    wanted = {code.strip() for code in settings.sim_rejections.split(",") if code.strip()}
    chosen = tuple((codes, weight) for codes, weight in REJECTIONS if not wanted or "+".join(codes) in wanted)
    if not chosen:
        raise ValueError("RCM_SIM_REJECTIONS names no rejection the clearinghouse knows")
    return chosen


async def _remembered(refused, partner: str, claim_ids: Sequence[str], session) -> dict[str, Remembered]:
    cursor = refused.find({"_id": {"$in": [f"{partner}|{claim_id}" for claim_id in claim_ids]}}, session=session)
    return {doc["claim_id"]: Remembered.from_document(doc) async for doc in cursor}


async def _remember(refused, partner: str, memory: dict[str, Remembered], session) -> None:
    for claim_id, remembered in memory.items():
        await refused.replace_one({"_id": f"{partner}|{claim_id}"},
                                  {"claim_id": claim_id, **remembered.as_document()}, upsert=True, session=session)


def build_runtime(settings: SimulatorSettings | None = None) -> ServiceRuntime:
    if not isinstance(settings, SimulatorSettings):  # a plain ServiceSettings takes the simulator defaults
        settings = SimulatorSettings(**settings.model_dump()) if settings is not None else SimulatorSettings()
    runtime = ServiceRuntime(SERVICE, settings)
    remittances = runtime.db["remittances"]
    answers = AnswerRecord(runtime.db["answers"])
    control_numbers = MongoControlNumbers(runtime.db["control_numbers"])
    seed = settings.sim_seed
    behaviour = payer_behaviour(settings)
    rejections = clearinghouse_rejections(settings)
    reject_rate = settings.sim_reject_rate
    refusals = runtime.db["refused_claims"]  # why the clearinghouse or a payer refused a claim
    faults = settings.partner_faults()
    late = LateAnswers(runtime.mongo, runtime.db, runtime.relay, runtime.clock)
    started = runtime.clock.now()

    async def pay(unit: UnitOfWork, cause: Envelope, remittance: X12FileReceived, paid: dict,
                  paid_rows: list[dict]) -> list[Envelope]:
        """Send one 835: now, or held back (late), and sometimes twice (the same file again). `paid`
        (what it pays) is recorded when the 835 goes out: added to `paid_rows` now, or kept with it."""
        file_id = remittance.file_id
        copies = 2 if happens(faults.duplicate_835_rate, seed, "835-twice", file_id) else 1
        held = happens(faults.late_835_rate, seed, "835-late", file_id)
        sent = []
        for _ in range(copies):
            if held:
                event = new_event(topics.REMITTANCE_RECEIVED, remittance, producer=SERVICE, now=unit.now, cause=cause,
                                  correlation_id=file_id)
                await late.hold(topics.REMITTANCE_RECEIVED, event, due_after(unit.now, faults.late_835_seconds),
                                unit.session, batch_id=cause.payload.batch_id, paid=paid)
            else:
                event = unit.emit(topics.REMITTANCE_RECEIVED, remittance, cause=cause, correlation_id=file_id)
            sent.append(event)
        if not held:
            paid_rows.append(paid)
        return sent

    async def answer_submitted_batches(events: Sequence[Envelope[ClaimBatchFiled]], unit: UnitOfWork) -> None:
        """Acknowledge every batch (999, then 277CA) and pay or deny its accepted claims (835). A
        batch sent again (its answers may have been lost on the way) gets the same answers again,
        from the record kept of them: the same files under the same event ids."""
        paid_rows = []
        given = await answers.recorded([e.payload.batch_id for e in events], unit.session)
        fresh: dict[str, list[Envelope]] = {}
        for event in events:
            batch_id = event.payload.batch_id
            if batch_id in fresh:
                continue  # sent again within this read: its answers are already on their way
            if batch_id in given:
                for row in given[batch_id]:
                    unit.emit_again(row)
                await late.sent_now([batch_id], unit.session)  # held answers go out now with the others
                fresh[batch_id] = []  # a repeat within this read is not answered a third time
                continue
            if clearinghouse_down(faults, started, unit.now):
                log.info("clearinghouse down: batch not answered", batch_id=batch_id)
                continue  # nothing recorded: the batch sent again once it is up is answered then
            sent = fresh[batch_id] = []
            try:
                document = read(event.payload.x12)
            except X12Error as refused:
                unit.dead_letter(event, rejection(refused))
                continue
            interchange = document.interchanges[0]
            clearinghouse_id, submitter_id = interchange.receiver_id, interchange.sender_id
            to_submitter = TradingPartners(sender_id=clearinghouse_id, receiver_id=submitter_id)
            report = validate(document)
            if report.valid and happens(faults.batch_reject_rate, seed, "999-reject", batch_id):
                report = rejected_batch_report(document)
            sets = len(document.transactions)
            sent.append(unit.emit(topics.CLEARINGHOUSE_ACKNOWLEDGED, X12FileReceived(
                file_id=file_id_for("999", batch_id), sender_id=clearinghouse_id,
                x12=write_999(document, partners=to_submitter, report=report, created=unit.now,
                              control_numbers=await control_numbers.reserve(clearinghouse_id, transaction_sets=sets))),
                cause=event, correlation_id=batch_id))
            if not report.valid:
                continue  # the 999 rejected the batch: nothing goes on to a payer
            claims = [SimClaim.from_837(claim) for batch in document.claim_batches() for claim in batch.claims]
            memory = await _remembered(refusals, "277ca", [claim.claim_id for claim in claims], unit.session)
            acknowledgements, rejected = acknowledge_remembering(claims, seed=seed, reject_rate=reject_rate,
                                                                 rejections=rejections, remembered=memory)
            await _remember(refusals, "277ca", rejected, unit.session)
            sent.append(unit.emit(topics.CLEARINGHOUSE_ACKNOWLEDGED, X12FileReceived(
                file_id=file_id_for("277CA", batch_id), sender_id=clearinghouse_id,
                x12=write_277ca(document, source=Party(CLEARINGHOUSE_NAME, clearinghouse_id, "46"),
                                source_entity="AY", partners=to_submitter, created=unit.now,
                                verdicts={ack.claim_id: verdict_of(ack) for ack in acknowledgements},
                                control_numbers=await control_numbers.reserve(clearinghouse_id,
                                                                              transaction_sets=sets))),
                cause=event, correlation_id=batch_id))
            accepted = {ack.claim_id for ack in acknowledgements if ack.accepted}
            by_payer = defaultdict(list)
            for claim in claims:
                if claim.claim_id in accepted:
                    by_payer[claim.payer_id].append(claim)
            for payer_id, paid_claims in sorted(by_payer.items()):
                payer = _PAYERS[payer_id]
                remittance_id = remittance_id_for(batch_id, payer_id)
                memory = await _remembered(refusals, "835", [claim.claim_id for claim in paid_claims], unit.session)
                remittance, denied = adjudicate_remembering(paid_claims, payer=payer, seed=seed, behaviour=behaviour,
                                                            payment_date=unit.now.date(), remittance_id=remittance_id,
                                                            remembered=memory)
                await _remember(refusals, "835", denied, unit.session)
                if happens(faults.interest_rate, seed, "plb-interest", remittance_id):
                    remittance = with_interest(remittance)
                x12 = write_835([remittance_835(remittance, payer_name=payer.payer_name,
                                                claims={claim.claim_id: claim for claim in paid_claims})],
                                partners=TradingPartners(sender_id=payer_id, receiver_id=submitter_id),
                                control_numbers=await control_numbers.reserve(payer_id), created=unit.now)
                sent.extend(await pay(unit, event, X12FileReceived(file_id=remittance_id, sender_id=payer_id, x12=x12), {
                                  "_id": remittance_id, "tenant_id": event.tenant_id, "payer_id": payer_id,
                                  "batch_id": batch_id, "claims": len(paid_claims),
                                  "payment_amount": Decimal128(remittance.payment_amount),
                                  "claims_paid": Decimal128(total(claim.paid for claim in remittance.claims)),
                                  "provider_adjustments": Decimal128(
                                      total(plb.amount for plb in remittance.provider_adjustments))}, paid_rows))
        await answers.record(fresh, unit.session)
        if paid_rows:
            await remittances.insert_many(paid_rows, ordered=False, session=unit.session)

    runtime.consumer.subscribe(topics.CLAIM_BATCH_SUBMITTED, answer_submitted_batches)
    eligibility.subscribe(runtime, lost_rate=faults.lost_271_rate, seed=seed)  # answers 270 inquiries with 271s

    async def start_late_answers(database) -> None:
        await late.ensure_indexes(database)
        late.start()

    runtime.on_prepare(start_late_answers)
    runtime.on_release(late.stop)
    return runtime


if __name__ == "__main__":
    serve(build_runtime())
