"""Wiring of the denials service: the only place that creates clients."""

from __future__ import annotations

from services.denials.handlers import subscribe
from services.denials.repository import DenialsRepository
from services.denials.settings import DenialsSettings
from shared.runtime import ServiceRuntime

SERVICE = "denials"


def build_runtime(settings: DenialsSettings | None = None) -> ServiceRuntime:
    settings = settings or DenialsSettings()
    runtime = ServiceRuntime(SERVICE, settings)
    denials = DenialsRepository(runtime.db)
    runtime.on_prepare(DenialsRepository.ensure_indexes)
    subscribe(runtime.consumer, denials, appeal_window_days=getattr(settings, "appeal_window_days", 90))
    return runtime
