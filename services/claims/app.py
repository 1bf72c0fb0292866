"""Wiring of the claims service: the only place that creates clients."""

from __future__ import annotations

from services.claims.handlers import subscribe
from services.claims.repository import ClaimRepository
from services.claims.settings import ClaimsSettings
from shared.runtime import ServiceRuntime

SERVICE = "claims"


def build_runtime(settings: ClaimsSettings | None = None) -> ServiceRuntime:
    settings = settings or ClaimsSettings()
    runtime = ServiceRuntime(SERVICE, settings)
    claims = ClaimRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(ClaimRepository.ensure_indexes)
    subscribe(runtime.consumer, claims, claims_per_batch=getattr(settings, "claims_per_batch", 200))
    return runtime
