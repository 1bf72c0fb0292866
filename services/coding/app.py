"""Wiring of the coding service: the only place that creates clients."""

from __future__ import annotations

from services.coding.api import build_api
from services.coding import reconcile
from services.coding.handlers import subscribe
from services.coding.repository import CodingRepository
from services.coding.code_sets import CodeSets
from services.coding.settings import CodingSettings
from shared import reconciler
from shared.actions import Actions
from shared.logging import get_logger
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICE = "coding"
log = get_logger(__name__)


def build_runtime(settings: ServiceSettings | None = None) -> ServiceRuntime:
    settings = settings if isinstance(settings, CodingSettings) else CodingSettings(
        **(settings.model_dump() if settings is not None else {}))
    runtime = ServiceRuntime(SERVICE, settings)
    coding = CodingRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(CodingRepository.ensure_indexes)
    # ICD-10-CM and the suggestion index load in a worker thread while the consumers join; each
    # batch waits for them (code_sets.py). The index is read from its cache file when it is there.
    code_sets = CodeSets(settings.index_cache_directory())
    runtime.on_prepare(code_sets.start)
    runtime.on_release(code_sets.stop)
    runtime.consumer.hold_until(code_sets.wait)
    subscribe(runtime.consumer, coding, code_sets.index, settings.coding_review_on_disagreement)
    runtime.on_prepare(Actions.ensure_indexes)
    runtime.mount_api("/api", build_api(runtime.db, runtime.cipher, verifier=settings.token_verifier(),
                                        clock=runtime.clock, after_commit=runtime.relay.wake))
    reconciler.install(runtime, reconcile.HANDOFFS)
    return runtime
