"""Wiring of the claims service: the only place that creates clients."""

from __future__ import annotations

from services.claims.api import build_api
from services.claims.desk import ClaimDesk
from services.claims import reconcile
from services.claims.edi import Submitter837
from services.claims.handlers import subscribe
from services.claims.repository import ClaimRepository
from services.claims.settings import ClaimsSettings
from services.claims.work import Filer
from shared import reconciler
from shared.runtime import ServiceRuntime
from shared.x12.mongo_control_numbers import MongoControlNumbers

SERVICE = "claims"


def build_runtime(settings: ClaimsSettings | None = None) -> ServiceRuntime:
    if not isinstance(settings, ClaimsSettings):  # a plain ServiceSettings takes the claims defaults
        settings = ClaimsSettings(**settings.model_dump()) if settings is not None else ClaimsSettings()
    runtime = ServiceRuntime(SERVICE, settings)
    claims = ClaimRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(ClaimRepository.ensure_indexes)
    submitter = Submitter837(
        sender_id=settings.claims_x12_sender_id, receiver_id=settings.claims_x12_receiver_id,
        submitter_name=settings.claims_x12_submitter_name, contact_name=settings.claims_x12_contact_name,
        contact_phone=settings.claims_x12_contact_phone, receiver_name=settings.claims_x12_receiver_name)
    filer = Filer(submitter, MongoControlNumbers(runtime.db["control_numbers"]))
    subscribe(runtime.consumer, claims, claims_per_batch=settings.claims_per_batch, filer=filer)
    desk = ClaimDesk(runtime.db, claims, claims_per_batch=settings.claims_per_batch, filer=filer,
                     producer=SERVICE, after_commit=runtime.relay.wake)
    runtime.on_prepare(ClaimDesk.ensure_indexes)
    runtime.mount_api("/api", build_api(claims, desk, verifier=settings.token_verifier(), clock=runtime.clock))
    reconciler.install(runtime, reconcile.handoffs(runtime.db))
    return runtime
