"""Wiring of the payments service: the only place that creates clients."""

from __future__ import annotations

from services.payments.handlers import subscribe
from services.payments.ledgers import Ledgers
from services.payments.repository import PaymentsRepository
from services.payments.settings import PaymentsSettings
from shared.runtime import ServiceRuntime

SERVICE = "payments"


def build_runtime(settings: PaymentsSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings or PaymentsSettings())
    settings = runtime.settings
    payments = PaymentsRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(PaymentsRepository.ensure_indexes)
    runtime.on_prepare(Ledgers.ensure_indexes)
    subscribe(runtime.consumer, payments, Ledgers(runtime.db), settings.underpayment_tolerance)
    return runtime
