"""What every service process is made of, built in one place: Mongo client, broker, outbox relay,
consumer, /metrics and /health. A service's app.py supplies its name, its indexes and its
subscriptions; tests build the same runtime with settings for the test servers."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from faststream.asgi import AsgiFastStream, AsgiResponse, get
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared import logging as rcm_logging
from shared import metrics
from shared.clock import Clock, SystemClock
from shared.consumer import Consumer
from shared.kafka import build_broker, build_producer, ensure_topics
from shared.mongo import connect
from shared.outbox import DEFAULT_COLLECTION, OutboxRelay
from shared.phi import PhiCipher
from shared.profiling import profiler_from_settings
from shared.settings import DEFAULT_HTTP_PORTS, ServiceSettings
from shared.x12 import limits as x12_limits
from shared.topics import ALL

# The inbox must remember an event for longer than any topic keeps it, so a replay from offset 0
# still finds every event it has seen. The longest flow retention is 30 days (audit aside).
INBOX_RETENTION_SECONDS = 45 * 24 * 60 * 60
# A message makes hundreds of short-lived objects (pydantic models, dicts, futures). With CPython's
# default first-generation threshold (700) the collector runs every few messages and each full
# collection walks every long-lived object (code sets, modules). Measured on the MLLP intake: about
# 15 % of its CPU. A larger threshold, and the objects alive at start-up frozen out of collection,
# keep the same guarantees (cycles are still collected) at a fraction of the cost.
GC_THRESHOLDS = (20_000, 20, 20)


def tune_garbage_collector() -> None:
    """Freeze what start-up built (imports, code sets) and collect young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


class ServiceRuntime:
    def __init__(self, service: str, settings: ServiceSettings, *, clock: Clock | None = None,
                 outbox_collection: str = DEFAULT_COLLECTION) -> None:
        settings.assert_production_ready()
        x12_limits.configure(settings.x12_max_bytes)
        self.service = service
        self.settings = settings
        self.clock = clock or SystemClock()
        self.instance = settings.instance_name(service)
        self.mongo = connect(settings.mongo_uri)
        self.db: AsyncDatabase = self.mongo[settings.database(service)]
        self.broker = build_broker(settings, service)
        self.relay = OutboxRelay(self.db, lambda: build_producer(settings, f"{self.instance}.outbox"), service=service,
                                 owner=self.instance, clock=self.clock, topic_prefix=settings.topic_prefix,
                                 collection=outbox_collection, stall_seconds=settings.outbox_stall_seconds)
        self.cipher = PhiCipher.from_settings(settings)
        self.consumer = Consumer(
            service=service, instance=self.instance, broker=self.broker, client=self.mongo, database=self.db,
            relay=self.relay, clock=self.clock, max_records=settings.batch_max_records,
            batch_timeout_ms=settings.batch_timeout_ms, max_attempts=settings.max_handling_attempts,
            topic_prefix=settings.topic_prefix, replay_from_beginning=settings.replay_from_beginning,
            cipher=self.cipher)
        self._index_builders: list[Callable[[AsyncDatabase], Awaitable[None]]] = []
        self._releasers: list[Callable[[], Awaitable[None]]] = []
        self._apis: list[tuple[str, ASGIApp]] = []

    def mount_api(self, prefix: str, api: ASGIApp) -> None:
        """Serve `api` (an ASGI app, e.g. FastAPI) for every HTTP path under `prefix` ("/api"), beside
        /metrics and /health. The app sees the full path; lifespan events stay with the service."""
        self._apis.append((prefix.rstrip("/"), api))

    def on_prepare(self, build_indexes: Callable[[AsyncDatabase], Awaitable[None]]) -> None:
        """Register index creation that must exist before the first message is handled."""
        self._index_builders.append(build_indexes)

    def on_release(self, release: Callable[[], Awaitable[None]]) -> None:
        """Register a stop step (e.g. a background task started in on_prepare), run first at release."""
        self._releasers.append(release)

    async def prepare(self) -> None:
        """Topics, indexes and the outbox relay, before the broker starts consuming."""
        await ensure_topics(self.settings, ALL)
        await self.db["inbox"].create_index([("at", ASCENDING)], expireAfterSeconds=INBOX_RETENTION_SECONDS)
        for build in self._index_builders:
            await build(self.db)
        await self.relay.start()
        tune_garbage_collector()

    async def release(self) -> None:
        for release in self._releasers:
            await release()
        await self.relay.stop()
        await self.mongo.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ServiceRuntime]:
        """Run in this event loop (integration tests): prepare, consume, then stop cleanly."""
        await self.prepare()
        try:
            await self.broker.start()
            try:
                yield self
            finally:
                await self.broker.stop()
        finally:
            await self.release()

    def asgi_app(self, extra_routes: Iterable[tuple[str, object]] = ()) -> ASGIApp:
        """The process's app: consumes on startup; serves /metrics, /health and AsyncAPI docs."""

        app = AsgiFastStream(
            self.broker,
            asgi_routes=[("/metrics", metrics.asgi_app()), ("/health", self.health_asgi()),
                         *extra_routes],
        )
        app.on_startup(self.prepare)
        app.after_shutdown(self.release)
        return _with_apis(app, self._apis) if self._apis else app

    async def health(self) -> tuple[bool, str | None]:
        """Healthy when the broker answers a ping and the outbox relay is publishing; else why not."""
        relay = self.relay.health()
        if not relay.healthy:
            return False, relay.reason
        if not await self.broker.ping(timeout=2.0):
            return False, "Kafka broker does not answer"
        return True, None

    def health_asgi(self):
        """/health: 204 when healthy, else 503 with the reason as JSON (no ids, no PHI)."""

        @get
        async def answer(scope) -> AsgiResponse:  # noqa: ARG001
            healthy, reason = await self.health()
            if healthy:
                return AsgiResponse(b"", 204)
            return AsgiResponse(json.dumps({"healthy": False, "reason": reason}).encode(), 503,
                                headers={"content-type": "application/json"})

        return answer

    def http_port(self) -> int:
        return self.settings.http_port or DEFAULT_HTTP_PORTS[self.service]


def _with_apis(app: AsgiFastStream, apis: list[tuple[str, ASGIApp]]) -> ASGIApp:
    """`app`, with HTTP requests under each API prefix sent to that API instead. AsgiFastStream
    matches its routes by exact path, so a prefix needs this small dispatcher in front of it."""

    async def dispatch(scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            path = scope["path"]
            for prefix, api in apis:
                if path == prefix or path.startswith(prefix + "/"):
                    await api(scope, receive, send)
                    return
        await app(scope, receive, send)

    return dispatch


def serve(runtime: ServiceRuntime) -> None:
    """Run a service process until SIGTERM/SIGINT (uvicorn handles both and shuts down cleanly)."""
    import uvicorn

    rcm_logging.configure(runtime.service, runtime.settings.log_level)
    settings = runtime.settings
    profiler = profiler_from_settings(settings.profile, settings.profile_dir, runtime.instance)
    if profiler is None:
        uvicorn.run(runtime.asgi_app(), host=settings.http_host, port=runtime.http_port(), log_level="warning",
                    lifespan="on")
        return
    runtime.on_prepare(profiler.start_when_prepared)  # after the code sets were loaded and indexes made
    profiler.run(lambda: uvicorn.run(runtime.asgi_app(), host=settings.http_host, port=runtime.http_port(),
                                     log_level="warning", lifespan="on"))
