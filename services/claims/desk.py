"""A person's action on one claim, as one transaction: the claim as the queue decided it, its status
events, the batch it goes out in (a clean claim nobody holds is filed at once), the audit record
and the request id, all or nothing.

Optimistic concurrency: the person names the revision they saw (StaleRevision, 409, when it moved
on), and two actions on one claim at once conflict in MongoDB, so the second is retried on the new
state and refused there (taken by someone else). A client request id makes a retried action
idempotent: the second time, nothing changes and the claim is answered as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.claims import checks, domain
from services.claims.lifecycle import ClaimsError
from services.claims.queue import Acted, check_revision
from services.claims.repository import ClaimRepository
from services.claims.work import ClaimWork, Filer, UnknownClaim
from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import new_event
from shared.events import AuditRecorded
from shared.mongo import in_transaction
from shared.outbox import outbox_document

Decide = Callable[[domain.Claim, checks.ClaimChecks], Acted]


class RequestIdReused(ClaimsError):
    """A client request id already used for another action or claim: never applied twice."""

    code = "REQUEST_ID_REUSED"


class ClaimDesk:
    def __init__(self, database: AsyncDatabase, repository: ClaimRepository, *, claims_per_batch: int, filer: Filer,
                 producer: str = "claims", after_commit: Callable[[], Awaitable[None] | None] | None = None) -> None:
        self._database = database
        self._requests = database["requests"]
        self._outbox = database["outbox"]
        self._repository = repository
        self._claims_per_batch = claims_per_batch
        self._filer = filer
        self._producer = producer
        self._after_commit = after_commit

    async def act(self, claim_id: str, action: str, decide: Decide, *, actor: str, now: datetime,
                  allowed: Callable[[domain.Claim], None], request_id: str | None = None,
                  revision: int | None = None) -> tuple[domain.Claim, tuple[str, ...]]:
        """Apply `decide` to the stored claim and return it with what changed in its content.
        `allowed` raises when the caller may not see the claim's tenant; `decide` raises a
        ClaimsError to refuse. Either way nothing is written."""

        async def work(session: AsyncClientSession) -> tuple[domain.Claim, tuple[str, ...]]:
            if request_id is not None:
                done = await self._requests.find_one({"_id": request_id}, session=session)
                if done is not None:
                    if (done["claim_id"], done["action"], done["actor"]) != (claim_id, action, actor):
                        raise RequestIdReused(f"request id already used for another action ({done['action']})")
                    claim = await self._repository.claim(claim_id, session)
                    allowed(claim)
                    return claim, tuple(done.get("changed", ()))
            unit = UnitOfWork(session=session, now=now, producer=self._producer)
            desk = ClaimWork(self._repository, unit, claims_per_batch=self._claims_per_batch, filer=self._filer)
            await desk.load([claim_id])
            claim = desk.get(claim_id)
            if claim is None:
                raise UnknownClaim(f"no claim {claim_id}")
            allowed(claim)
            check_revision(claim, revision)
            history = await self._repository.billed_history(checks.billed(claim.content), session)
            audit = checks.ClaimChecks(history=history)
            acted = decide(claim, audit)
            desk.record(acted.outcome, cause=None)
            await self._repository.record_billed(audit.passed, session)
            await desk.finish()
            unit.emit(topics.AUDIT, AuditRecorded(actor=actor, action=f"CLAIM_{action.upper()}", subject_type="CLAIM",
                                                  subject_id=claim_id, at=now),
                      tenant_id=claim.tenant_id, correlation_id=claim.encounter_id)
            rows = unit.outbox_rows()
            if rows:
                await self._outbox.insert_many(rows, session=session)
            if request_id is not None:
                await self._requests.insert_one({"_id": request_id, "claim_id": claim_id, "action": action,
                                                 "actor": actor, "changed": list(acted.changed), "at": now},
                                                session=session)
            return desk.get(claim_id), acted.changed

        result = await in_transaction(self._database.client, work)
        if self._after_commit is not None:
            woken = self._after_commit()
            if woken is not None:
                await woken
        return result

    async def audit_read(self, claim: domain.Claim, *, actor: str, now: datetime) -> None:
        """Record that `actor` read the claim's clinical data (diagnoses, services): who, what, when."""
        record = AuditRecorded(actor=actor, action="CLAIM_READ", subject_type="CLAIM", subject_id=claim.claim_id, at=now)
        await self._outbox.insert_one(outbox_document(topics.AUDIT, new_event(
            topics.AUDIT, record, producer=self._producer, now=now, tenant_id=claim.tenant_id,
            correlation_id=claim.encounter_id)))
        if self._after_commit is not None:
            woken = self._after_commit()
            if woken is not None:
                await woken

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        # A request id is remembered as long as a client could retry (a week is plenty).
        await database["requests"].create_index("at", expireAfterSeconds=7 * 24 * 60 * 60)
