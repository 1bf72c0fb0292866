"""X12 control numbers reserved in a real mongod: unique and increasing per sender, also when
reserved concurrently."""

from __future__ import annotations

import asyncio

from shared.mongo import connect
from shared.x12.mongo_control_numbers import MongoControlNumbers


async def test_concurrent_reservations_never_hand_out_the_same_interchange_number(settings) -> None:
    client = connect(settings.mongo_uri)
    try:
        numbers = MongoControlNumbers(client[settings.database("claims")]["control_numbers"])
        reservations = await asyncio.gather(*(numbers.reserve("SUBMITTER01", transaction_sets=3) for _ in range(20)))
        interchanges = [r.next_interchange("SUBMITTER01") for r in reservations]
        sets = [r.next_transaction_set("SUBMITTER01") for r in reservations for _ in range(3)]
        later = await numbers.reserve("SUBMITTER01")
    finally:
        await client.close()
    assert len(set(interchanges)) == 20
    assert len(set(sets)) == 60
    assert later.next_interchange("SUBMITTER01") > max(interchanges)


async def test_each_sender_counts_on_its_own(settings) -> None:
    client = connect(settings.mongo_uri)
    try:
        numbers = MongoControlNumbers(client[settings.database("claims")]["control_numbers"])
        first_a = (await numbers.reserve("SENDERA")).next_interchange("SENDERA")
        first_b = (await numbers.reserve("SENDERB")).next_interchange("SENDERB")
    finally:
        await client.close()
    assert first_a == first_b
