"""Wiring of the coding service: the only place that creates clients."""

from __future__ import annotations

from services.coding.handlers import subscribe
from services.coding.repository import CodingRepository
from services.coding.settings import CodingSettings
from shared.runtime import ServiceRuntime

SERVICE = "coding"


def build_runtime(settings: CodingSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings or CodingSettings())
    coding = CodingRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(CodingRepository.ensure_indexes)
    subscribe(runtime.consumer, coding)
    return runtime
