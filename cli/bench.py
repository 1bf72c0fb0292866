"""Raw broker rate on the same stack, to put the end-to-end figure in proportion."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def broker_rate(bootstrap: str, *, messages: int = 20_000, size: int = 1024) -> dict:
    """Produce `messages` records of `size` bytes (idempotent producer, batched), then consume
    them with one consumer; return both rates in messages per second."""
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    payload = os.urandom(size // 2).hex().encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5,
                                max_batch_size=1 << 20)
    await producer.start()
    try:
        started = time.perf_counter()
        pending = []
        for index in range(messages):
            pending.append(await producer.send(topic, payload, key=str(index % 64).encode()))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        produce_seconds = time.perf_counter() - started
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None, max_partition_fetch_bytes=8 << 20)
    await consumer.start()
    try:
        started = time.perf_counter()
        seen = 0
        while seen < messages:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(records) for records in batch.values())
        consume_seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
    return {"broker_produce_msgs_per_s": round(messages / produce_seconds),
            "broker_consume_msgs_per_s": round(messages / consume_seconds), "broker_message_bytes": size}
