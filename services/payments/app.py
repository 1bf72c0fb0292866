"""Wiring of the payments service: the only place that creates clients."""

from __future__ import annotations

from services.payments.api import build_api
from services.payments import reconcile
from services.payments.handlers import subscribe
from services.payments.ledgers import Ledgers
from services.payments.posting_unit import DEFAULT_TOLERANCE
from services.payments.repository import PaymentsRepository
from services.payments.settings import PaymentsSettings
from shared import reconciler
from shared.runtime import ServiceRuntime

SERVICE = "payments"


def build_runtime(settings: PaymentsSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings or PaymentsSettings())
    # Tests hand in the shared ServiceSettings; the tolerance then keeps its default.
    tolerance = getattr(runtime.settings, "underpayment_tolerance", DEFAULT_TOLERANCE)
    payments = PaymentsRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(PaymentsRepository.ensure_indexes)
    runtime.on_prepare(Ledgers.ensure_indexes)
    subscribe(runtime.consumer, payments, Ledgers(runtime.db), tolerance)
    runtime.mount_api("/api", build_api(runtime.db, runtime.cipher, verifier=runtime.settings.token_verifier(),
                                        clock=runtime.clock, after_commit=runtime.relay.wake))
    reconciler.install(runtime, reconcile.HANDOFFS)
    return runtime
