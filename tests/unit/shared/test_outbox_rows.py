"""Outbox rows and relay health, without servers."""

from __future__ import annotations

import time

from shared import topics
from shared.clock import SystemClock
from shared.mongo import connect
from shared.outbox import SHARDS, OutboxRelay, outbox_document, shard_of
from tests.support.builders import a_registered_event


def test_a_keys_shard_is_the_same_in_every_process_and_within_range() -> None:
    assert shard_of("claim-123") == shard_of("claim-123") == 7  # crc32: stable, unlike hash()
    assert {shard_of(f"claim-{n}") for n in range(500)} == set(range(SHARDS))
    assert shard_of(None) == shard_of("") == 0


def test_rows_carry_their_keys_shard_and_a_write_time_that_never_goes_back() -> None:
    rows = [outbox_document(topics.ENCOUNTER_REGISTERED, a_registered_event()) for _ in range(200)]
    assert all(row["shard"] == shard_of(row["key"]) for row in rows)
    assert [row["at"] for row in rows] == sorted(row["at"] for row in rows)


def test_a_relay_that_made_no_progress_for_too_long_is_unhealthy_with_a_reason() -> None:
    mongo = connect("mongodb://127.0.0.1:9/?replicaSet=rs0")  # never contacted
    relay = OutboxRelay(mongo["x"], producer=lambda: None, service="claims", owner="claims-0", clock=SystemClock(),
                        stall_seconds=0.05)
    assert relay.health().healthy
    time.sleep(0.1)
    health = relay.health()
    assert not health.healthy and "no progress for" in health.reason
