"""The trading partners as a process: a clearinghouse that acknowledges each submitted batch and
payers that answer the accepted claims with remittances.

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
from shared.envelope import Envelope
from shared.events import ClaimBatchSubmitted
from shared.runtime import ServiceRuntime, serve
from simulator import eligibility
from simulator.clearinghouse import acknowledge
from simulator.payer import PayerBehaviour, adjudicate
from simulator.population import PAYERS
from simulator.settings import SimulatorSettings

SERVICE = "simulator"
_PAYERS = {payer.payer_id: payer for payer in PAYERS}


def remittance_id_for(batch_id: str, payer_id: str) -> str:
    """A TRN02 trace number: stable per batch and payer, so a re-read batch pays under the same one."""
    return f"{payer_id}-{uuid.uuid5(uuid.NAMESPACE_OID, batch_id + '|' + payer_id).hex[:20]}"


def build_runtime(settings: SimulatorSettings | None = None) -> ServiceRuntime:
    settings = settings or SimulatorSettings()
    runtime = ServiceRuntime(SERVICE, settings)
    remittances = runtime.db["remittances"]
    seed = getattr(settings, "sim_seed", 2026)
    behaviour = PayerBehaviour(deny_rate=getattr(settings, "sim_deny_rate", 0.08),
                               partial_rate=getattr(settings, "sim_partial_rate", 0.05))
    reject_rate = getattr(settings, "sim_reject_rate", 0.02)

    async def answer_submitted_batches(events: Sequence[Envelope[ClaimBatchSubmitted]], unit: UnitOfWork) -> None:
        """Acknowledge every batch (999/277CA) and pay or deny its accepted claims (835)."""
        paid_rows = []
        for event in events:
            batch = event.payload
            ack = acknowledge(batch, seed=seed, reject_rate=reject_rate)
            unit.emit(topics.CLEARINGHOUSE_ACKNOWLEDGED, ack, cause=event)
            accepted = {a.claim_id: a for a in ack.acknowledgements if a.accepted}
            by_payer = defaultdict(list)
            for claim in batch.claims:
                if claim.claim_id in accepted:
                    number = claim.payer_claim_number or accepted[claim.claim_id].payer_claim_number
                    by_payer[claim.coverage.payer_id].append(claim.model_copy(update={"payer_claim_number": number}))
            for payer_id, claims in sorted(by_payer.items()):
                remittance_id = remittance_id_for(batch.batch_id, payer_id)
                remittance = adjudicate(claims, payer=_PAYERS[payer_id], seed=seed, behaviour=behaviour,
                                        payment_date=unit.now.date(), remittance_id=remittance_id)
                unit.emit(topics.REMITTANCE_RECEIVED, remittance, cause=event, correlation_id=remittance_id)
                paid_rows.append({"_id": remittance_id, "tenant_id": event.tenant_id, "payer_id": payer_id,
                                  "batch_id": batch.batch_id, "claims": len(claims),
                                  "payment_amount": Decimal128(remittance.payment_amount)})
        if paid_rows:
            await remittances.insert_many(paid_rows, ordered=False, session=unit.session)

    runtime.consumer.subscribe(topics.CLAIM_BATCH_SUBMITTED, answer_submitted_batches)
    eligibility.subscribe(runtime)  # answers 270 inquiries with 271s
    return runtime


if __name__ == "__main__":
    serve(build_runtime())
