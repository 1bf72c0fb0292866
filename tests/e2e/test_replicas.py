"""Two replicas of claims and of payments (their own instance names), one of each killed with -9
mid-run and restarted: the replicas shared the work and the outbox shards, and nothing was lost or
done twice."""

from __future__ import annotations

import asyncio

import pytest

from cli import chaos_checks as checks
from cli.cycle import Cycle
from cli.processes import replica
from tests.support.fleet import platform_fleet
from tests.support.kafka import eventually

pytestmark = pytest.mark.e2e

ENCOUNTERS = 500
REPLICATED = ("claims", "payments")


async def _until(cycle: Cycle, condition, timeout: float = 180.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        progress = await cycle.progress()
        if condition(progress):
            return progress
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"run did not get there in {timeout}s: {progress}")
        await asyncio.sleep(0.2)


async def _both_publish(cycle: Cycle, service: str) -> bool:
    leases = await cycle.database(service)["leases"].find({"kind": "shard", "owner": {"$ne": None}}).to_list()
    return {lease["owner"] for lease in leases} == {f"{service}-0", f"{service}-1"}


async def test_two_replicas_of_claims_and_payments_one_killed_mid_run_lose_nothing_and_double_nothing(
        stack, tmp_path) -> None:
    async with platform_fleet(stack, tmp_path, port_offset=800) as (fleet, settings, kafka):
        seconds = [replica(name, 1) for name in REPLICATED]
        for name in seconds:
            fleet.start(name)
        await asyncio.to_thread(fleet.wait_healthy, seconds)
        cycle = Cycle(settings, seed=29)
        await cycle.load_chargemasters(f"http://127.0.0.1:{fleet.port('coding')}", fleet.issuer_url())
        visits = cycle.make_visits(ENCOUNTERS)
        publishing = asyncio.create_task(cycle.publish(visits))
        await _until(cycle, lambda p: p.submitted >= 100)
        # Both replicas of each service consumed (two partitions each) and both publish outbox shards.
        for name in REPLICATED:
            assert (checks.consumed(fleet.port(name)) or 0) > 0 and (checks.consumed(fleet.port(replica(name, 1))) or 0) > 0
            # The second relay gets its share of the shards within two lease renewals.
            assert await eventually(lambda name=name: _both_publish(cycle, name), timeout=30)
        fleet.kill(replica("claims", 1))
        fleet.kill("payments")
        before_restart = await cycle.progress()
        fleet.start(replica("claims", 1))
        fleet.start("payments")
        await asyncio.to_thread(fleet.wait_healthy, [replica("claims", 1), "payments"])
        await publishing
        progress = await cycle.wait_until_terminal(timeout=300)

        assert before_restart.terminal < ENCOUNTERS  # the kills happened mid-run
        assert progress.terminal == ENCOUNTERS, progress.by_stage
        assert await checks.duplicate_claims(cycle) == 0
        assert await checks.duplicate_postings(cycle) == 0
        money = await cycle.reconcile()
        assert money["total_posted"] == money["total_paid_by_payers"] > 0
        await cycle.close()
