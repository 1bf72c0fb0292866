"""Wiring of the registration service: the only place that creates clients."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from services.registration import reconcile
from services.registration.fhir.api import build_fhir_app
from services.registration.eligibility_retry import EligibilityRetrier
from services.registration.handlers import subscribe
from services.registration.hl7.listener import Hl7Endpoint, MllpListener
from services.registration.intake import FeedIntake
from services.registration.repository import RegistrationRepository
from services.registration.review_api import build_review_api
from services.registration.settings import RegistrationSettings
from services.registration.work_api import PREFIXES, build_work_api
from shared import reconciler
from shared.actions import Actions
from shared.clock import Clock
from shared.outbox import DEFAULT_COLLECTION
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.tls import server_context

SERVICE = "registration"
FEED_OUTBOX = "outbox_feeds"


class RegistrationRuntime(ServiceRuntime):
    """The service runtime plus the EHR feed listeners, started after the outbox relay."""

    def __init__(self, settings: RegistrationSettings, *, clock: Clock | None = None) -> None:
        # The feed gateway publishes its own outbox under its own leases: a stuck relay in one of
        # registration's processes never holds back the other's events.
        super().__init__(SERVICE, settings, clock=clock,
                         outbox_collection=DEFAULT_COLLECTION if settings.registration_consumers else FEED_OUTBOX)
        self.intake = FeedIntake(self.mongo, self.db, self.cipher, self.relay, self.clock)
        self.hl7 = Hl7Endpoint(self.intake, lambda: settings.registration_feed_facilities, self.clock)
        self.fhir = build_fhir_app(self.intake, lambda: settings.registration_feed_facilities,
                                   lambda: {k: v.get_secret_value() for k, v in settings.registration_fhir_clients.items()},
                                   max_body_bytes=settings.registration_fhir_max_body_bytes,
                                   max_json_depth=settings.registration_fhir_max_json_depth,
                                   read_seconds=settings.registration_fhir_read_seconds,
                                   max_bundle_entries=settings.registration_fhir_max_bundle_entries)
        self._fhir_server = None
        self._fhir_task: asyncio.Task | None = None
        self.mllp: MllpListener | None = None
        self.eligibility_retrier: EligibilityRetrier | None = None
        if settings.registration_mllp_port is not None:
            self.mllp = MllpListener(self.hl7, settings.registration_mllp_host, settings.registration_mllp_port,
                                     limits=settings.mllp_limits(), tls=lambda: _mllp_tls(settings),
                                     senders=settings.registration_mllp_senders)

    async def prepare(self) -> None:
        await super().prepare()
        if self.mllp is not None:
            await self.mllp.start()
        if self.eligibility_retrier is not None:
            self.eligibility_retrier.start()
        settings = self.settings
        if settings.registration_fhir_port is not None:
            import uvicorn

            from services.registration.fhir.server import fhir_server_config

            config = fhir_server_config(self.fhir, settings)
            self._fhir_server = uvicorn.Server(config)
            # _serve, not serve: the service's own server handles SIGTERM and stops this one in release().
            self._fhir_task = asyncio.create_task(self._fhir_server._serve(), name="registration-fhir")
            while not self._fhir_server.started and not self._fhir_task.done():
                await asyncio.sleep(0.02)

    async def release(self) -> None:
        if self.eligibility_retrier is not None:
            await self.eligibility_retrier.stop()
        if self.mllp is not None:
            await self.mllp.stop()
        if self._fhir_server is not None and self._fhir_task is not None:
            self._fhir_server.should_exit = True
            with contextlib.suppress(Exception):
                await self._fhir_task
        await self.intake.close()
        await super().release()


def _mllp_tls(settings: RegistrationSettings) -> ssl.SSLContext | None:
    """The listener's mutual-TLS context; None only when plain text is explicitly asked for."""
    files = (settings.registration_mllp_cert_file, settings.registration_mllp_key_file, settings.registration_mllp_ca_file)
    if all(files):
        return server_context(*files)  # type: ignore[arg-type]
    if settings.registration_mllp_plaintext:
        return None
    raise RuntimeError("the MLLP listener needs RCM_REGISTRATION_MLLP_CERT_FILE, _KEY_FILE and _CA_FILE "
                       "(or RCM_REGISTRATION_MLLP_PLAINTEXT=true in development)")


def build_runtime(settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> RegistrationRuntime:
    if settings is None:
        settings = RegistrationSettings()
    elif not isinstance(settings, RegistrationSettings):
        settings = RegistrationSettings(**dict(settings))
    runtime = RegistrationRuntime(settings, clock=clock)
    registrations = RegistrationRepository(runtime.db, runtime.cipher)
    runtime.on_prepare(RegistrationRepository.ensure_indexes)
    runtime.on_prepare(FeedIntake.ensure_indexes)
    handoffs = reconcile.handoffs(runtime.db)
    runtime.intake.journal = reconciler.journal_for(runtime, handoffs)  # the feeds' requests have deadlines too
    if not settings.registration_consumers:
        return runtime  # a feed gateway: listeners and outbox relay only
    subscribe(runtime.consumer, registrations, verify_eligibility=settings.registration_verify_eligibility,
              eligibility_timeout_seconds=settings.registration_eligibility_timeout_seconds)
    verifier = settings.token_verifier()
    work_api = build_work_api(runtime.db, runtime.cipher, verifier=verifier, clock=runtime.clock,
                              after_commit=runtime.relay.wake)
    for prefix in PREFIXES:  # before /api: the first prefix that matches serves the request
        runtime.mount_api(prefix, work_api)
    runtime.on_prepare(Actions.ensure_indexes)
    runtime.mount_api("/api", build_review_api(
        runtime.db, runtime.cipher, verifier=verifier, clock=runtime.clock,
        eligibility_timeout_seconds=settings.registration_eligibility_timeout_seconds, after_commit=runtime.relay.wake))
    reconciler.install(runtime, handoffs, journal=runtime.intake.journal)
    if settings.registration_verify_eligibility:
        runtime.eligibility_retrier = EligibilityRetrier(
            runtime.mongo, runtime.db, registrations, runtime.relay, runtime.clock,
            timeout_seconds=settings.registration_eligibility_timeout_seconds,
            max_attempts=settings.registration_eligibility_max_attempts,
            poll_seconds=settings.registration_eligibility_poll_seconds)
    return runtime
