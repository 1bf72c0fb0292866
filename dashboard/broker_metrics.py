"""Consumer lag and dead-letter topic sizes, read from the broker.

Lag is the end offset of each partition minus the group's committed offset. Every subscriber has its
own group `<topic prefix><service>.<subscriber>` (shared/consumer.py); groups of other prefixes (other
environments or test runs on the same cluster) are left out. Topic names come from shared.topics at
run time, so a new topic or service needs no change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.core import GaugeMetricFamily, Metric

from shared import topics
from shared.kafka import _client_options
from shared.settings import ServiceSettings

CONSUMERS = frozenset(topics.SERVICES + topics.OTHER_CONSUMERS)


@dataclass(frozen=True)
class GroupOffsets:
    service: str
    subscriber: str
    committed: Mapping[TopicPartition, int]


def split_group(group_id: str, prefix: str) -> tuple[str, str] | None:
    """(service, subscriber) of one of our consumer groups, or None for anyone else's."""
    if not group_id.startswith(prefix):
        return None
    service, _, subscriber = group_id[len(prefix):].partition(".")
    return (service, subscriber) if service in CONSUMERS and subscriber else None


def lag_families(groups: Iterable[GroupOffsets], end_offsets: Mapping[TopicPartition, int], prefix: str,
                 dead_letter_topics: Iterable[str]) -> list[Metric]:
    """rcm_consumer_lag{service, subscriber, topic} and rcm_dead_letter_messages{service} (pure)."""
    lag = GaugeMetricFamily("rcm_consumer_lag", "Messages not yet consumed: end offset - committed offset",
                            labels=["service", "subscriber", "topic"])
    for group in sorted(groups, key=lambda g: (g.service, g.subscriber)):
        behind: dict[str, int] = {}
        for partition, committed in group.committed.items():
            end = end_offsets.get(partition)
            if end is not None:
                name = partition.topic[len(prefix):]
                behind[name] = behind.get(name, 0) + max(end - max(committed, 0), 0)
        for name, messages in sorted(behind.items()):
            lag.add_metric([group.service, group.subscriber, name], messages)
    dead = GaugeMetricFamily("rcm_dead_letter_messages", "Messages on the service's dead-letter topic "
                             "(end offsets; retention 30 days)", labels=["service"])
    for name in dead_letter_topics:
        total = sum(end for partition, end in end_offsets.items() if partition.topic == prefix + name)
        dead.add_metric([name.split(".")[2]], total)  # rcm.dlq.<service>.v1
    return [lag, dead]


class BrokerReader:
    """Reads committed offsets of our groups and the end offsets of their topics and the DLQs."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        options = _client_options(self._settings)
        self._admin = AIOKafkaAdminClient(**options)
        await self._admin.start()
        self._consumer = AIOKafkaConsumer(**options, enable_auto_commit=False)
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
        if self._admin is not None:
            await self._admin.close()

    async def families(self) -> list[Metric]:
        assert self._admin is not None and self._consumer is not None, "start() first"
        prefix = self._settings.topic_prefix
        groups = []
        for group_id, *_ in await self._admin.list_consumer_groups():
            names = split_group(group_id, prefix)
            if names is None:
                continue
            offsets = await self._admin.list_consumer_group_offsets(group_id)
            groups.append(GroupOffsets(*names, {tp: meta.offset for tp, meta in offsets.items()}))
        dead_letter_topics = [t.name for t in topics.DEAD_LETTERS]
        partitions = {tp for group in groups for tp in group.committed}
        await self._consumer.topics()  # refreshes metadata, so new DLQ partitions are known
        for name in dead_letter_topics:
            for number in self._consumer.partitions_for_topic(prefix + name) or ():
                partitions.add(TopicPartition(prefix + name, number))
        end_offsets = await self._consumer.end_offsets(list(partitions)) if partitions else {}
        return lag_families(groups, end_offsets, prefix, dead_letter_topics)
