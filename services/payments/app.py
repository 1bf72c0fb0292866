"""Wiring of the payments service: the only place that creates clients."""

from __future__ import annotations

from services.payments.handlers import subscribe
from services.payments.repository import PaymentsRepository
from services.payments.settings import PaymentsSettings
from shared.runtime import ServiceRuntime

SERVICE = "payments"


def build_runtime(settings: PaymentsSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings or PaymentsSettings())
    payments = PaymentsRepository(runtime.db)
    runtime.on_prepare(PaymentsRepository.ensure_indexes)
    subscribe(runtime.consumer, payments)
    return runtime
