"""The whole cycle in one event loop (every service's real runtime, real broker and mongod): the
fast check that the stages fit together. The multi-process runs are in test_full_cycle.py."""

from __future__ import annotations

import contextlib

from cli.cycle import Cycle
from services.claims.app import build_runtime as claims
from services.coding.app import build_runtime as coding
from services.coding.chargemaster import parse_chargemaster_csv
from services.coding.repository import CodingRepository
from services.denials.app import build_runtime as denials
from services.payments.app import build_runtime as payments
from services.registration.app import build_runtime as registration
from dashboard.app import build_runtime as dashboard
from shared.phi import PhiCipher
from simulator.partners import build_runtime as partners
from simulator.population import chargemaster_csv
from simulator.settings import SimulatorSettings

BUILDERS = (registration, coding, claims, payments, denials, dashboard)


async def test_fifty_encounters_travel_the_whole_cycle_in_one_process(settings) -> None:
    cycle = Cycle(settings, seed=7)
    sim_settings = SimulatorSettings(**settings.model_dump())
    async with contextlib.AsyncExitStack() as running:
        for build in BUILDERS:
            await running.enter_async_context(build(settings).running())
        await running.enter_async_context(partners(sim_settings).running())
        coding = CodingRepository(cycle.database("coding"), PhiCipher(settings.phi_key.get_secret_value()))
        for practice in cycle.world.practices:  # in one process, no API server: coding's repository directly
            await coding.load_chargemaster(practice.tenant_id, parse_chargemaster_csv(chargemaster_csv(practice)))
        visits = cycle.make_visits(50)
        await cycle.publish(visits)
        progress = await cycle.wait_until_terminal(timeout=90)
        summary = await cycle.summary(1.0)
    await cycle.close()
    assert progress.terminal == 50, progress
    assert summary["posted_minus_paid"] == "0.00", summary
    assert summary["total_paid_by_payers"] != "0.00"

    environment = {"RCM_MONGO_URI": settings.mongo_uri, "RCM_DATABASE_PREFIX": settings.database_prefix,
                   "RCM_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "RCM_TOPIC_PREFIX": settings.topic_prefix}
    status = await _rcm(["status", "--json"], environment)
    assert status["encounters"] == 50 and status["terminal"] == 50
    assert sum(status["by_stage"].values()) == 50
    kpis = await _rcm(["kpis", "--json"], environment)
    assert kpis["posted"] == summary["total_posted"]
    assert 0 < float(kpis["clean_claim_rate"]) <= 100
    assert await _rcm(["dlq", "list", "registration", "--json"], environment) == []


async def _rcm(arguments: list[str], environment: dict[str, str]):
    """Run an `rcm` command as a user would and parse its JSON output."""
    import asyncio
    import json

    from typer.testing import CliRunner

    from cli.main import app

    result = await asyncio.to_thread(CliRunner().invoke, app, arguments, env=environment)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
