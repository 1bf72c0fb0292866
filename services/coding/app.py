"""Wiring of the coding service: the only place that creates clients."""

from __future__ import annotations

import asyncio

from services.coding.handlers import subscribe
from services.coding.repository import CodingRepository
from services.coding.settings import CodingSettings
from shared.codes import icd10cm
from shared.runtime import ServiceRuntime

SERVICE = "coding"


async def _load_code_sets(_database) -> None:
    """Read ICD-10-CM (a few seconds) before the first message rather than inside a batch."""
    await asyncio.to_thread(icd10cm.load)


def build_runtime(settings: CodingSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings or CodingSettings())
    coding = CodingRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(CodingRepository.ensure_indexes)
    runtime.on_prepare(_load_code_sets)
    subscribe(runtime.consumer, coding)
    return runtime
