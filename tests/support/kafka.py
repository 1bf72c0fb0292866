"""Publish envelopes or raw bytes to a namespace's topics and read them back, with deadlines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaProducer

from cli.topic_reader import read_all
from shared.envelope import Envelope, decode, encode
from shared.settings import ServiceSettings
from shared.topics import Topic


class KafkaProbe:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True,
                                          linger_ms=2, max_batch_size=1 << 20, max_request_size=8 << 20)

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: Topic, *events: Envelope) -> None:
        sends = [await self._producer.send(self.settings.topic_name(topic.name), encode(e),
                                           key=topic.key_of(e.payload).encode() or None) for e in events]
        await asyncio.gather(*sends)

    async def publish_raw(self, topic: Topic, value: bytes, key: bytes | None = b"raw") -> None:
        await self._producer.send_and_wait(self.settings.topic_name(topic.name), value, key=key)

    async def read(self, topic: Topic, *, raw: bool = False) -> list:
        """Every message on the topic right now (from offset 0 to the end), decoded unless raw."""
        records = await read_all(self.settings.kafka_bootstrap, self.settings.topic_name(topic.name))
        return [r.value if raw else decode(topic, r.value) for r in records]

    async def wait_for(self, topic: Topic, predicate: Callable[[Sequence], bool], *, timeout: float = 30.0,
                       raw: bool = False) -> list:
        """Read the topic until `predicate(messages)` holds; fail with what was seen at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            messages = await self.read(topic, raw=raw)
            if predicate(messages):
                return messages
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic.name}: condition not met within {timeout}s ({len(messages)} messages)")
            await asyncio.sleep(0.2)


async def eventually(check: Callable, *, timeout: float = 30.0, interval: float = 0.2):
    """Await `check()` until it returns a truthy value; raise AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {result!r})")
        await asyncio.sleep(interval)
