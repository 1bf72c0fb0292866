"""The outbox relay against the real broker and mongod: rows the broker refuses are set aside and the
rows behind them go out, a failed producer is replaced, each process kind has its own leases,
replicas share the shards and keep each key's order."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from aiokafka import AIOKafkaProducer

from cli.topic_reader import read_all
from shared import metrics, topics
from shared.clock import SystemClock
from shared.kafka import build_producer
from shared.mongo import connect
from shared.outbox import FAILED_COLLECTION, SHARDS, OutboxRelay, outbox_document, shard_of
from tests.support.builders import a_registered_event
from tests.support.kafka import eventually

TOPIC = topics.ENCOUNTER_REGISTERED


def a_row(**changes) -> dict:
    return {**outbox_document(TOPIC, a_registered_event()), **changes}


def a_relay(db, settings, owner: str, *, collection: str = "outbox", producer=None, stall_seconds: float = 30.0):
    return OutboxRelay(db, producer or (lambda: build_producer(settings, f"{owner}.outbox")), service="relaytest",
                       owner=owner, clock=SystemClock(), topic_prefix=settings.topic_prefix, idle_seconds=0.1,
                       collection=collection, stall_seconds=stall_seconds)


async def _published_ids(kafka) -> list[str]:
    return [str(e.event_id) for e in await kafka.read(TOPIC)]


async def test_a_row_too_large_for_the_broker_is_set_aside_and_the_rows_around_it_are_published(settings, kafka) -> None:
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    # One key, so one partition: the broker's refusal leaves the idempotent producer out of sequence
    # (OutOfOrderSequenceNumber for the row behind), and only a new producer publishes that row.
    good_before, good_after = a_row(key="claim-1", shard=shard_of("claim-1")), a_row(key="claim-1", shard=shard_of("claim-1"))
    too_large = a_row(value=b"x" * 1_200_000, key="claim-1", shard=shard_of("claim-1"))  # over the broker's 1 MiB limit
    await db["outbox"].insert_many([good_before, too_large, good_after])
    counted = metrics.OUTBOX_SET_ASIDE.labels("relaytest", "too_large")._value.get()
    relay = a_relay(db, settings, "relaytest-0")
    await relay.start()
    try:
        published = await kafka.wait_for(TOPIC, lambda m: len(m) >= 2)
        assert [str(e.event_id) for e in published] == [good_before["event_id"], good_after["event_id"]]
        failed = await eventually(lambda: db[FAILED_COLLECTION].find_one({"_id": too_large["_id"]}))
        assert failed["reason"] == "too_large" and failed["bytes"] == 1_200_000
        assert failed["event_id"] == too_large["event_id"]
        assert await eventually(lambda: _empty(db["outbox"]))
        assert metrics.OUTBOX_SET_ASIDE.labels("relaytest", "too_large")._value.get() == counted + 1
        assert relay.health().healthy
    finally:
        await relay.stop()
        await mongo.close()


async def test_an_unserialisable_row_is_set_aside_with_its_reason(settings, kafka) -> None:
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    broken, good = a_row(value="not bytes"), a_row()
    await db["outbox"].insert_many([broken, good])
    relay = a_relay(db, settings, "relaytest-0")
    await relay.start()
    try:
        assert [str(e.event_id) for e in await kafka.wait_for(TOPIC, lambda m: len(m) >= 1)] == [good["event_id"]]
        failed = await eventually(lambda: db[FAILED_COLLECTION].find_one({"_id": broken["_id"]}))
        assert failed["reason"] == "unserialisable"
    finally:
        await relay.stop()
        await mongo.close()


async def test_a_relay_whose_producer_failed_makes_a_new_one_and_publishes_again(settings, kafka) -> None:
    """The producer the relay gets first is broken for good (a poisoned idempotent producer): the
    relay closes it, makes the next one and publishes, in the same process."""
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    made: list[AIOKafkaProducer] = []

    def producers() -> AIOKafkaProducer:
        broken = not made
        made.append(build_producer(settings, "relaytest-0.outbox"))
        if broken:
            async def refuse(*args, **kwargs):
                raise RuntimeError("producer out of sequence")
            made[-1].send = refuse
        return made[-1]

    row = a_row()
    await db["outbox"].insert_one(row)
    relay = a_relay(db, settings, "relaytest-0", producer=producers)
    await relay.start()
    try:
        published = await kafka.wait_for(TOPIC, lambda m: len(m) >= 1, timeout=60)
        assert [str(e.event_id) for e in published] == [row["event_id"]]
        assert len(made) >= 2
    finally:
        await relay.stop()
        await mongo.close()


async def test_a_relay_publishes_again_after_a_broker_restart_without_restarting_the_process(stack, settings, kafka) -> None:
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    relay = a_relay(db, settings, "relaytest-0")
    await relay.start()
    try:
        before = a_row()
        await db["outbox"].insert_one(before)
        relay.wake()
        await kafka.wait_for(TOPIC, lambda m: len(m) >= 1)
        await kafka.stop()
        await asyncio.to_thread(stack.stop_kafka)
        during = [a_row() for _ in range(50)]
        await db["outbox"].insert_many(during)  # written while the broker is down
        relay.wake()
        await asyncio.sleep(1.0)
        await asyncio.to_thread(stack.start_kafka)
        await kafka.start()
        wanted = {before["event_id"], *(row["event_id"] for row in during)}
        published = await kafka.wait_for(TOPIC, lambda m: wanted <= {str(e.event_id) for e in m}, timeout=60)
        assert wanted <= {str(e.event_id) for e in published}
        assert await eventually(lambda: _empty(db["outbox"]))
        assert relay.health().healthy
    finally:
        await relay.stop()
        await mongo.close()


async def test_a_relay_that_cannot_publish_is_unhealthy_and_does_not_hold_back_another_process(settings, kafka) -> None:
    """Registration's feed gateway and its consumers each publish their own outbox under their own
    leases: the gateway's relay, pointed at no broker, stalls alone and says so on /health."""
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    nowhere = settings.model_copy(update={"kafka_bootstrap": "127.0.0.1:9"})
    stuck = a_relay(db, nowhere, "relaytest-feeds-0", collection="outbox_feeds", stall_seconds=1.0)
    working = a_relay(db, settings, "relaytest-0")
    await db["outbox_feeds"].insert_one(a_row())
    await stuck.start()
    await working.start()
    try:
        row = a_row()
        await db["outbox"].insert_one(row)
        working.wake()
        published = await kafka.wait_for(TOPIC, lambda m: row["event_id"] in {str(e.event_id) for e in m})
        assert row["event_id"] in {str(e.event_id) for e in published}
        health = await eventually(lambda: _unhealthy(stuck), timeout=15)
        assert "no progress" in health.reason
        assert working.health().healthy
        assert await db["outbox_feeds"].count_documents({}) == 1
    finally:
        await working.stop()
        await stuck.stop()
        await mongo.close()


async def test_two_replicas_share_the_shards_and_keep_each_keys_order(settings, kafka) -> None:
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    first, second = a_relay(db, settings, "relaytest-0"), a_relay(db, settings, "relaytest-1")
    await first.start()
    await second.start()
    try:
        # Within two renewals each holds half of the shards, and no shard is held twice.
        await eventually(lambda: _shared_out(first, second), timeout=60)
        # Events of 20 keys, written in turns as two replicas would after the keys' work moved.
        written = defaultdict(list)
        for n in range(200):
            event = a_registered_event()
            row = {**outbox_document(TOPIC, event), "key": f"key-{n % 20}"}
            row["shard"] = shard_of(row["key"])
            written[row["key"]].append(row["event_id"])
            await db["outbox"].insert_one(row)
        first.wake()
        second.wake()
        records = await kafka.wait_for(TOPIC, lambda m: len(m) >= 200, timeout=60, raw=True)
        assert len(records) == 200
        seen = defaultdict(list)
        for record in await read_all(settings.kafka_bootstrap, settings.topic_name(TOPIC.name)):
            seen[record.key.decode()].append(dict(record.headers)["event_id"].decode())
        assert seen == written
    finally:
        await first.stop()
        await second.stop()
        await mongo.close()


async def _empty(collection) -> bool:
    return await collection.count_documents({}) == 0


async def _truthy(value):
    return bool(value)


async def _unhealthy(relay):
    health = relay.health()
    return None if health.healthy else health


async def _shared_out(first, second) -> bool:
    held = (first._leases.held, second._leases.held)
    return all(held) and not (held[0] & held[1]) and len(held[0] | held[1]) == SHARDS


async def test_when_a_replica_stops_the_other_takes_its_shards_and_publishes_its_rows(settings, kafka) -> None:
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    first, second = a_relay(db, settings, "relaytest-0"), a_relay(db, settings, "relaytest-1")
    await first.start()
    await second.start()
    try:
        await eventually(lambda: _shared_out(first, second), timeout=60)
        await first.stop()  # a clean stop gives its shards back
        rows = [a_row() for _ in range(50)]
        await db["outbox"].insert_many(rows)
        second.wake()
        wanted = {row["event_id"] for row in rows}
        await kafka.wait_for(TOPIC, lambda m: wanted <= {str(e.event_id) for e in m}, timeout=30)
        assert second._leases.held == frozenset(range(SHARDS))
    finally:
        await second.stop()
        await mongo.close()


async def test_a_replica_that_cannot_publish_gives_its_shards_to_one_that_can(settings, kafka) -> None:
    mongo = connect(settings.mongo_uri)
    db = mongo[settings.database("relaytest")]
    nowhere = settings.model_copy(update={"kafka_bootstrap": "127.0.0.1:9"})
    first, second = a_relay(db, settings, "relaytest-0"), a_relay(db, settings, "relaytest-1")
    await first.start()
    await second.start()
    try:
        await eventually(lambda: _shared_out(first, second), timeout=60)
        await second.stop()
        broken = a_relay(db, nowhere, "relaytest-1")  # the same replica, now unable to reach the broker
        held_by_broken: set[int] = set()

        async def watch() -> None:
            while True:
                held_by_broken.update(broken._leases.held)
                await asyncio.sleep(0.02)

        watcher = asyncio.create_task(watch())
        await broken.start()
        await eventually(lambda: _truthy(held_by_broken), timeout=30, interval=0.02)  # it took its share
        rows = [a_row() for _ in range(100)]  # keys in every shard, its own among them
        await db["outbox"].insert_many(rows)
        wanted = {row["event_id"] for row in rows}
        await kafka.wait_for(TOPIC, lambda m: wanted <= {str(e.event_id) for e in m}, timeout=90)
        watcher.cancel()
        assert not broken._leases.held
    finally:
        await first.stop()
        await broken.stop()
        await mongo.close()
