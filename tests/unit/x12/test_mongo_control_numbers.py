"""The synchronous side of MongoControlNumbers, with a fake collection: the lead's integration
test runs the same reservations against a real mongod."""

from __future__ import annotations

import pytest
from pymongo import ReturnDocument

from shared.x12 import read, write_837p
from shared.x12.control_numbers import MAX_CONTROL_NUMBER
from shared.x12.mongo_control_numbers import (
    ControlNumbersExhausted,
    MongoControlNumbers,
    ReservedControlNumbers,
    reserved_block,
)
from shared.x12.samples import sample_professional_claims


class FakeCounters:
    """find_one_and_update with $inc and upsert, as the counters collection is used."""

    def __init__(self, start: dict | None = None) -> None:
        self.documents: dict[tuple, dict] = start or {}

    async def find_one_and_update(self, query, update, *, upsert=False, return_document=ReturnDocument.BEFORE):
        key = tuple(sorted(query["_id"].items()))
        if key not in self.documents:
            assert upsert
            self.documents[key] = {"_id": query["_id"], "last": 0}
        document = self.documents[key]
        for field, step in update["$inc"].items():
            document[field] += step
        assert return_document is ReturnDocument.AFTER
        return dict(document)


async def test_reservations_are_unique_and_increasing() -> None:
    numbers = MongoControlNumbers(FakeCounters())
    taken = []
    for _ in range(3):
        reserved = await numbers.reserve("TESTCLINIC", transaction_sets=2)
        taken.append(
            (
                reserved.next_interchange("TESTCLINIC"),
                reserved.next_group("TESTCLINIC"),
                [reserved.next_transaction_set("TESTCLINIC") for _ in range(2)],
            )
        )
    assert taken == [(1, 1, [1, 2]), (2, 2, [3, 4]), (3, 3, [5, 6])]


async def test_each_sender_counts_on_its_own() -> None:
    numbers = MongoControlNumbers(FakeCounters())
    await numbers.reserve("TESTCLINIC", interchanges=5)
    other = await numbers.reserve("OTHERCLINIC")
    assert other.next_interchange("OTHERCLINIC") == 1


async def test_a_reservation_feeds_a_synchronous_writer(envelope) -> None:
    numbers = MongoControlNumbers(FakeCounters())
    claims = sample_professional_claims(3)
    first = await numbers.reserve("TESTCLINIC", transaction_sets=2)
    second = await numbers.reserve("TESTCLINIC", transaction_sets=2)
    documents = [
        read(write_837p(claims, claims_per_set=2, **{**envelope, "control_numbers": reserved}))
        for reserved in (first, second)
    ]
    assert [document.interchanges[0].control_number for document in documents] == ["000000001", "000000002"]
    assert [[t.control_number for t in document.transactions] for document in documents] == [
        ["0001", "0002"],
        ["0003", "0004"],
    ]


def test_numbers_wrap_around_after_nine_digits() -> None:
    assert reserved_block(MAX_CONTROL_NUMBER + 2, 3) == [MAX_CONTROL_NUMBER, 1, 2]


async def test_a_counter_past_nine_digits_wraps_like_the_in_memory_one() -> None:
    key = (("kind", "group"), ("sender", "TESTCLINIC"))
    numbers = MongoControlNumbers(FakeCounters({key: {"last": MAX_CONTROL_NUMBER - 1}}))
    reserved = await numbers.reserve("TESTCLINIC", groups=2)
    assert [reserved.next_group("TESTCLINIC") for _ in range(2)] == [MAX_CONTROL_NUMBER, 1]


def test_asking_for_more_than_was_reserved_fails_loudly() -> None:
    reserved = ReservedControlNumbers("TESTCLINIC", interchanges=[7])
    assert reserved.next_interchange("TESTCLINIC") == 7
    with pytest.raises(ControlNumbersExhausted):
        reserved.next_interchange("TESTCLINIC")


def test_numbers_reserved_for_one_sender_are_not_used_for_another() -> None:
    reserved = ReservedControlNumbers("TESTCLINIC", groups=[1])
    with pytest.raises(ControlNumbersExhausted):
        reserved.next_group("OTHERCLINIC")


async def test_a_reservation_of_nothing_touches_no_counter() -> None:
    counters = FakeCounters()
    reserved = await MongoControlNumbers(counters).reserve("TESTCLINIC", interchanges=0, groups=0, transaction_sets=0)
    assert counters.documents == {} and reserved.remaining("interchange") == 0
