"""What the bench reads from the real broker and mongod to put a cost on an encounter: records
appended per topic (end offsets), and mongod's committed transactions and operations."""

from __future__ import annotations

from cli.cost import end_offsets, events_per_encounter, mongo_counters, per_encounter
from shared import topics
from shared.mongo import connect, in_transaction


async def test_end_offsets_count_the_records_appended_to_each_topic(settings, kafka) -> None:
    prefix = settings.topic_name("rcm.")
    await kafka.publish_raw(topics.ENCOUNTER_REGISTERED, b"{}")  # creates the topic
    before = await end_offsets(settings.kafka_bootstrap, prefix=prefix)
    for _ in range(3):
        await kafka.publish_raw(topics.ENCOUNTER_REGISTERED, b"{}")
    after = await end_offsets(settings.kafka_bootstrap, prefix=prefix)
    name = settings.topic_name(topics.ENCOUNTER_REGISTERED.name)
    assert after[name] - before[name] == 3
    assert all(topic.startswith(prefix) for topic in after)
    assert events_per_encounter(before, after, 3)[name] == 1.0


async def test_mongo_counters_see_a_committed_transaction_and_its_inserts(settings) -> None:
    client = connect(settings.mongo_uri)
    collection = client[settings.database("bench")]["rows"]
    try:
        await collection.insert_one({"_id": "made before the transaction"})
        before = await mongo_counters(settings.mongo_uri)

        async def work(session) -> None:
            await collection.insert_many([{"n": 1}, {"n": 2}], session=session)

        await in_transaction(client, work)
        after = await mongo_counters(settings.mongo_uri)
        growth = per_encounter(before, after, 1)
        assert growth["transactions"] >= 1
        assert growth["insert"] >= 2
    finally:
        await client.drop_database(settings.database("bench"))
        await client.close()
