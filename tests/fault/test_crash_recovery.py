"""SIGKILL a service in the middle of a run and restart it: nothing is lost, nothing is done twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from cli.cycle import Cycle
from shared import topics
from tests.support.fleet import platform_fleet

pytestmark = pytest.mark.e2e

ENCOUNTERS = 500


async def _until(cycle: Cycle, condition, timeout: float = 120.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        progress = await cycle.progress()
        if condition(progress):
            return progress
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"run did not get there in {timeout}s: {progress}")
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("victim", ["claims", "payments"])
async def test_a_service_killed_mid_run_and_restarted_loses_nothing_and_doubles_nothing(stack, tmp_path, victim) -> None:
    offset = {"claims": 500, "payments": 600}[victim]
    async with platform_fleet(stack, tmp_path, port_offset=offset) as (fleet, settings, kafka):
        cycle = Cycle(settings, seed=23)
        await cycle.load_chargemasters(f"http://127.0.0.1:{fleet.port('coding')}", fleet.issuer_url())
        visits = cycle.make_visits(ENCOUNTERS)
        publishing = asyncio.create_task(cycle.publish(visits))
        # Kill while work is in flight: some claims submitted, most encounters not finished.
        await _until(cycle, lambda p: p.submitted >= 50)
        fleet.kill(victim)
        before_restart = await cycle.progress()
        fleet.start(victim)
        await asyncio.to_thread(fleet.wait_healthy, [victim])
        await publishing
        progress = await cycle.wait_until_terminal(timeout=240)

        assert before_restart.terminal < ENCOUNTERS  # the kill really happened mid-run
        assert progress.terminal == ENCOUNTERS, progress.by_stage
        # A relay killed between publishing and deleting its outbox rows publishes them again on
        # restart: the same events (same event_id), which consumers drop by their inbox. What must
        # never happen is a second *event*, so count distinct event ids.
        # one claim per encounter and coverage (a COB claim follows a primary that left a balance)
        created = Counter({e.event_id: (e.payload.encounter_id, e.payload.coverage_order)
                           for e in await kafka.read(topics.CLAIM_STATUS_CHANGED)
                           if e.payload.status.value == "created"}.values())
        assert max(created.values()) == 1
        claims = await cycle.database("claims")["claims"].find({}, {"encounter_id": 1, "payer_id": 1}).to_list()
        assert len(claims) == len({(c["encounter_id"], c["payer_id"]) for c in claims})
        postings = Counter({e.event_id: e.payload.posting_id for e in await kafka.read(topics.PAYMENT_POSTED)}.values())
        assert max(postings.values()) == 1
        money = await cycle.reconcile()
        assert money["total_posted"] == money["total_paid_by_payers"] > 0
        await cycle.close()
