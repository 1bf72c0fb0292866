"""Kafka wiring: the FastStream broker, the outbox producer and topic creation, all from settings.

Local stack and Strimzi differ only in settings (bootstrap servers, SASL/TLS), never in code.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.security import BaseSecurity, SASLScram256, SASLScram512

from shared import kafka_idle, metrics
from shared.settings import ServiceSettings
from shared.topics import Topic

# A batch-submitted event with a few hundred claims is a few hundred KiB; the 16 KiB producer default
# would send it alone, so batches and requests are raised together.
MAX_BATCH_BYTES = 1 << 20
MAX_REQUEST_BYTES = 8 << 20
TOPIC_ALREADY_EXISTS = 36
# Consumer group timing. After a broker restart a consumer learns that its group is gone at its next
# heartbeat and rejoins at once: a heartbeat each second, not aiokafka's 3 s, brings it back up to two
# seconds sooner. The session stays at 10 s: on Kafka, a dead static member's partitions move to the
# other replicas after it, and a shorter one would evict live members during a long batch or GC pause.
CONSUMER_SESSION_TIMEOUT_MS = 10_000
CONSUMER_HEARTBEAT_INTERVAL_MS = 1_000


def _security(settings: ServiceSettings) -> BaseSecurity | None:
    if settings.kafka_sasl_mechanism is None:
        return None
    user = settings.kafka_sasl_username or ""
    password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
    use_ssl = settings.kafka_security_protocol.upper() == "SASL_SSL"
    mechanism = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256}[settings.kafka_sasl_mechanism.upper()]
    return mechanism(user, password, ssl_context=ssl.create_default_context() if use_ssl else None)


def _client_options(settings: ServiceSettings) -> dict[str, Any]:
    """aiokafka keyword arguments for the same security the broker uses."""
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap.split(",")}
    if settings.kafka_sasl_mechanism:
        options.update(
            security_protocol=settings.kafka_security_protocol.upper(),
            sasl_mechanism=settings.kafka_sasl_mechanism.upper(),
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else None,
        )
        if settings.kafka_security_protocol.upper() == "SASL_SSL":
            options["ssl_context"] = ssl.create_default_context()
    return options


def build_broker(settings: ServiceSettings, service: str, **extra: Any) -> KafkaBroker:
    """The FastStream broker a service subscribes with (consumer side)."""
    kafka_idle.install(settings.kafka_idle_fetch_backoff_ms / 1000, settings.kafka_idle_fetch_backoff_max_ms / 1000)
    return KafkaBroker(
        settings.kafka_bootstrap.split(","),
        client_id=settings.instance_name(service),
        security=_security(settings),
        max_batch_size=MAX_BATCH_BYTES,
        max_request_size=MAX_REQUEST_BYTES,
        enable_idempotence=True,
        graceful_timeout=15.0,
        # FastStream logs every batch received and processed; at INFO that is most of a service's
        # log volume. Our own JSON lines report what matters (dead letters, retries) with ids.
        log_level=logging.DEBUG,
        # FastStream's own consume/publish counters and durations, on the process's /metrics.
        middlewares=[KafkaPrometheusMiddleware(registry=metrics.REGISTRY, app_name=service)],
        **extra,
    )


def build_producer(settings: ServiceSettings, client_id: str) -> AIOKafkaProducer:
    """The idempotent producer the outbox relay publishes with: acks=all, ordered per partition."""
    return AIOKafkaProducer(
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=MAX_BATCH_BYTES,
        max_request_size=MAX_REQUEST_BYTES,
        **_client_options(settings),
    )


async def ensure_topics(settings: ServiceSettings, topics: Iterable[Topic]) -> None:
    """Create the topics that do not exist yet, with their partitions and retention.

    On Kubernetes the KafkaTopic resources create them first and this finds them all present."""
    admin = AIOKafkaAdminClient(**_client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(settings.topic_name(t.name), num_partitions=settings.topic_partitions or t.partitions, replication_factor=1,
                     topic_configs={"retention.ms": str(t.retention_ms)})
            for t in topics if settings.topic_name(t.name) not in existing
        ]
        if missing:
            response = await admin.create_topics(missing)
            for name, code, message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise RuntimeError(f"cannot create topic {name}: error {code} {message}")
    finally:
        await admin.close()
