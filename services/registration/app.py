"""Wiring of the registration service: the only place that creates clients."""

from __future__ import annotations

from services.registration.handlers import subscribe
from services.registration.hl7.listener import Hl7Endpoint, MllpListener
from services.registration.intake import FeedIntake
from services.registration.repository import RegistrationRepository
from services.registration.settings import RegistrationSettings
from shared.clock import Clock
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICE = "registration"


class RegistrationRuntime(ServiceRuntime):
    """The service runtime plus the EHR feed listeners, started after the outbox relay."""

    def __init__(self, settings: RegistrationSettings, *, clock: Clock | None = None) -> None:
        super().__init__(SERVICE, settings, clock=clock)
        self.intake = FeedIntake(self.mongo, self.db, self.cipher, self.relay, self.clock)
        self.hl7 = Hl7Endpoint(self.intake, lambda: settings.registration_feed_facilities, self.clock)
        self.mllp: MllpListener | None = None
        if settings.registration_mllp_port is not None:
            self.mllp = MllpListener(self.hl7, settings.registration_mllp_host, settings.registration_mllp_port,
                                     max_frame_bytes=settings.registration_mllp_max_frame_bytes)

    async def prepare(self) -> None:
        await super().prepare()
        if self.mllp is not None:
            await self.mllp.start()

    async def release(self) -> None:
        if self.mllp is not None:
            await self.mllp.stop()
        await super().release()


def build_runtime(settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> RegistrationRuntime:
    if settings is None:
        settings = RegistrationSettings()
    elif not isinstance(settings, RegistrationSettings):
        settings = RegistrationSettings(**dict(settings))
    runtime = RegistrationRuntime(settings, clock=clock)
    registrations = RegistrationRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(RegistrationRepository.ensure_indexes)
    runtime.on_prepare(FeedIntake.ensure_indexes)
    subscribe(runtime.consumer, registrations)
    return runtime
