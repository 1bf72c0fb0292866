"""A short `rcm chaos`: 500 visits through the EHR feeds, five processes killed with -9 and restarted,
mongod and the broker restarted while visits are sent; then
nothing stuck, nothing doubled, posted equal to paid."""

from __future__ import annotations

import asyncio
import os

import pytest

from cli.chaos import ChaosOptions, ChaosRun
from tests.support.ports import SHIFT

pytestmark = pytest.mark.e2e


def test_a_short_chaos_run_loses_nothing_and_doubles_nothing(tmp_path) -> None:
    # Its own stack beside the suite's (it stops and starts its servers), on ports next to the suite's.
    options = ChaosOptions(visits=500, kills=5, broker_restarts=1, mongod_restarts=1, seed=17, timeout=900,
                           broker_restart_at="load", stack_dir=tmp_path / "chaos",
                           mongo_port=int(os.environ.get("RCM_STACK_MONGO_PORT", "27217")) + 3,
                           kafka_port=int(os.environ.get("RCM_STACK_KAFKA_PORT", "19192")) + 3,
                           port_offset=700 + SHIFT, stall_limit=120)
    runner = ChaosRun(options)
    try:
        runner.start()
        summary = asyncio.run(runner.drive())
    finally:
        runner.stop()
    print(summary)
    assert summary["kills"] == 5 and len(summary["faults"]) == 7
    assert summary["delivered"] > 450 and summary["never_answered"] == 0
    assert summary["not_terminal"] == 0, summary["not_terminal_by_stage"]
    assert summary["duplicate_claims"] == 0 and summary["duplicate_postings"] == 0
    assert summary["posted_minus_paid"] == "0.00"
    assert summary["ok"]
