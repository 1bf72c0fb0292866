"""Wiring of the coding service: the only place that creates clients."""

from __future__ import annotations

import asyncio

from services.coding.api import build_api
from services.coding import reconcile
from services.coding.handlers import subscribe
from services.coding.repository import CodingRepository
from services.coding.settings import CodingSettings
from services.coding.suggestions import icd10cm_index
from shared import reconciler
from shared.codes import icd10cm
from shared.actions import Actions
from shared.logging import get_logger
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICE = "coding"
log = get_logger(__name__)


async def _load_code_sets(_database) -> None:
    """Read ICD-10-CM and build the suggestion index (a few seconds each) before the first
    message rather than inside a batch."""
    await asyncio.to_thread(icd10cm.load)
    index = await asyncio.to_thread(icd10cm_index)
    log.info("suggestion index built", codes=len(index), seconds=round(index.build_seconds, 2))


def build_runtime(settings: ServiceSettings | None = None) -> ServiceRuntime:
    settings = settings if isinstance(settings, CodingSettings) else CodingSettings(
        **(settings.model_dump() if settings is not None else {}))
    runtime = ServiceRuntime(SERVICE, settings)
    coding = CodingRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(CodingRepository.ensure_indexes)
    runtime.on_prepare(_load_code_sets)
    subscribe(runtime.consumer, coding, icd10cm_index, settings.coding_review_on_disagreement)
    runtime.on_prepare(Actions.ensure_indexes)
    runtime.mount_api("/api", build_api(runtime.db, runtime.cipher, verifier=settings.token_verifier(),
                                        clock=runtime.clock, after_commit=runtime.relay.wake))
    reconciler.install(runtime, reconcile.HANDOFFS)
    return runtime
