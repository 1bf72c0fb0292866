"""Wiring of the registration service: the only place that creates clients."""

from __future__ import annotations

from services.registration.handlers import subscribe
from services.registration.repository import RegistrationRepository
from services.registration.settings import RegistrationSettings
from shared.runtime import ServiceRuntime

SERVICE = "registration"


def build_runtime(settings: RegistrationSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings or RegistrationSettings())
    registrations = RegistrationRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(RegistrationRepository.ensure_indexes)
    subscribe(runtime.consumer, registrations)
    return runtime
