"""The fault plan of `rcm chaos`: seeded, in firing order, every process reached."""

from __future__ import annotations

import pytest

from cli.chaos_plan import VICTIMS, FaultKind, plan


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    assert plan(3, kills=20, broker_restarts=1, mongod_restarts=1) == plan(3, kills=20, broker_restarts=1, mongod_restarts=1)
    assert plan(3, kills=20, broker_restarts=1, mongod_restarts=1) != plan(4, kills=20, broker_restarts=1, mongod_restarts=1)


def test_faults_fire_in_order_inside_the_window_with_the_counts_asked_for() -> None:
    faults = plan(9, kills=20, broker_restarts=1, mongod_restarts=2)
    assert [f.at for f in faults] == sorted(f.at for f in faults)
    assert all(0.05 <= f.at <= 0.9 for f in faults)
    kinds = [f.kind for f in faults]
    assert kinds.count(FaultKind.KILL) == 20
    assert kinds.count(FaultKind.BROKER_RESTART) == 1 and kinds.count(FaultKind.MONGOD_RESTART) == 2


def test_every_process_is_killed_once_before_any_is_killed_twice() -> None:
    killed = [f.process for f in plan(5, kills=len(VICTIMS), broker_restarts=0, mongod_restarts=0)]
    assert sorted(killed) == sorted(VICTIMS)
    assert {"registration-feeds", "dashboard", "simulator"} <= set(killed)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        plan(1, kills=-1, broker_restarts=0, mongod_restarts=0)
