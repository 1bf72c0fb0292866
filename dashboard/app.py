"""Wiring of the dashboard projection: consumes the flow's events into the read model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pymongo import ASCENDING

from dashboard import projection
from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICE = "dashboard"

_PROJECTIONS: tuple[tuple[topics.Topic, Callable[[Envelope], list]], ...] = (
    (topics.ENCOUNTER_REGISTERED, projection.registered),
    (topics.ENCOUNTER_HELD_FOR_CODING, projection.held_for_coding),
    (topics.CLAIM_STATUS_CHANGED, projection.claim_status_changed),
    (topics.PAYMENT_POSTED, projection.payment_posted),
)


def build_runtime(settings: ServiceSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings or ServiceSettings())
    encounters = runtime.db["encounters"]

    async def indexes(database) -> None:
        await database["encounters"].create_index([("tenant_id", ASCENDING), ("claim_status", ASCENDING)])

    runtime.on_prepare(indexes)
    for topic, project in _PROJECTIONS:
        def make(project=project):
            async def project_events(events: Sequence[Envelope], unit: UnitOfWork) -> None:
                writes = [write for event in events for write in project(event)]
                if writes:
                    await encounters.bulk_write(writes, ordered=True, session=unit.session)
            return project_events
        runtime.consumer.subscribe(topic, make(), name=f"project_{topic.event_type.replace('.', '_').replace('-', '_')}")
    return runtime
