"""Every process of the platform started for a test, isolated by a topic and database prefix."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path

from cli.processes import RUN_DEADLINES, Fleet
from shared.settings import ServiceSettings
from tests.support.kafka import KafkaProbe
from tests.support.ports import SHIFT


@contextlib.asynccontextmanager
async def platform_fleet(stack, log_dir: Path, *, port_offset: int,
                         service_environment: dict[str, dict[str, str]] | None = None):
    """`service_environment`: settings of one process only, e.g. registration's feed listeners
    (cli.cycle.Feeds.on_loopback)."""
    namespace = "e" + uuid.uuid4().hex[:10]
    settings = ServiceSettings(kafka_bootstrap=stack.kafka_bootstrap, mongo_uri=stack.mongo_uri,
                               topic_prefix=f"{namespace}.", database_prefix=f"{namespace}_", topic_partitions=2)
    fleet = Fleet(environment={**stack.environment(), "RCM_TOPIC_PREFIX": settings.topic_prefix,
                               "RCM_DATABASE_PREFIX": settings.database_prefix, "RCM_TOPIC_PARTITIONS": "2",
                               "RCM_REGISTRATION_VERIFY_ELIGIBILITY": "true", **RUN_DEADLINES},
                  log_dir=log_dir, port_offset=port_offset + SHIFT, service_environment=service_environment or {})
    kafka = KafkaProbe(settings)
    try:
        await asyncio.to_thread(fleet.start_all)
        await kafka.start()
        yield fleet, settings, kafka
    finally:
        await kafka.stop()
        await asyncio.to_thread(fleet.stop_all)
