"""Consumer lag and dead-letter sizes from offsets (pure)."""

from __future__ import annotations

from aiokafka import TopicPartition

from dashboard.broker_metrics import GroupOffsets, lag_families, split_group


def test_only_our_groups_under_our_prefix_are_read() -> None:
    assert split_group("claims.open_claims", "") == ("claims", "open_claims")
    assert split_group("e1.claims.open_claims", "e1.") == ("claims", "open_claims")
    assert split_group("e1.claims.open_claims", "") is None  # another environment's group
    assert split_group("somebody-else", "") is None


def test_lag_sums_partitions_per_topic_and_dead_letters_count_end_offsets() -> None:
    coded = "p.rcm.encounter.coded.v1"
    group = GroupOffsets("claims", "open", {TopicPartition(coded, 0): 90, TopicPartition(coded, 1): -1})
    ends = {TopicPartition(coded, 0): 100, TopicPartition(coded, 1): 5, TopicPartition("p.rcm.dlq.claims.v1", 0): 3}
    lag, dead = lag_families([group], ends, "p.", ["rcm.dlq.claims.v1", "rcm.dlq.coding.v1"])
    assert [(s.labels, s.value) for s in lag.samples] == [
        ({"service": "claims", "subscriber": "open", "topic": "rcm.encounter.coded.v1"}, 15)]
    assert {s.labels["service"]: s.value for s in dead.samples} == {"claims": 3, "coding": 0}
