"""Wiring of the denials service: the only place that creates clients."""

from __future__ import annotations

from services.denials import reconcile
from services.denials.api import build_api
from services.denials.codes import appeal_windows
from services.denials.handlers import subscribe
from services.denials.repository import DenialsRepository
from services.denials.settings import DenialsSettings
from shared.actions import Actions
from shared import reconciler
from shared.runtime import ServiceRuntime

SERVICE = "denials"


def build_runtime(settings: DenialsSettings | None = None) -> ServiceRuntime:
    if not isinstance(settings, DenialsSettings):  # a plain ServiceSettings takes the denials defaults
        settings = DenialsSettings(**settings.model_dump()) if settings is not None else DenialsSettings()
    runtime = ServiceRuntime(SERVICE, settings)
    denials = DenialsRepository(runtime.db, producer=SERVICE)
    runtime.on_prepare(DenialsRepository.ensure_indexes)
    runtime.on_prepare(Actions.ensure_indexes)
    subscribe(runtime.consumer, denials, appeal_window_days=settings.appeal_window_days,
              appeal_windows=appeal_windows())
    reconciler.install(runtime, reconcile.HANDOFFS)
    runtime.mount_api("/api", build_api(denials, verifier=settings.token_verifier(), clock=runtime.clock,
                                        after_commit=runtime.relay.wake))
    return runtime
