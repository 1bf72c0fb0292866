"""The bench's cost accounting: CPU ticks from /proc/<pid>/stat summed over a process tree, per
encounter figures, events per topic from end offsets, and profiles written by RCM_PROFILE."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.cost import DRIVER, TICKS, CpuMeter, cpu_ticks, events_per_encounter, parent_of, per_encounter_ms, tree_ticks
from shared.profiling import Profiler, profiler_from_settings, top_entries


def _fake_proc(root: Path, pid: int, ppid: int, utime: int, stime: int, cutime: int = 0, cstime: int = 0,
               command: str = "python3") -> None:
    # Real layout: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    (root / str(pid)).mkdir(parents=True)
    fields = ["S", ppid, 1, 1, 0, -1, 0, 0, 0, 0, 0, utime, stime, cutime, cstime, 20, 0, 1, 0]
    (root / str(pid) / "stat").write_text(f"{pid} ({command}) " + " ".join(map(str, fields)) + "\n")


def test_ticks_of_a_process_tree_count_children_and_waited_children(tmp_path: Path) -> None:
    _fake_proc(tmp_path, 10, 1, utime=100, stime=50, cutime=7, cstime=3)
    _fake_proc(tmp_path, 11, 10, utime=20, stime=5, command="worker (x) y")  # a name with spaces and parentheses
    _fake_proc(tmp_path, 12, 11, utime=1, stime=1)
    _fake_proc(tmp_path, 20, 1, utime=999, stime=999)  # not in the tree
    parents = parent_of(tmp_path)
    assert parents == {10: 1, 11: 10, 12: 11, 20: 1}
    assert cpu_ticks(10, tmp_path) == 160
    assert tree_ticks(10, parents, tmp_path) == 160 + 25 + 2
    assert cpu_ticks(99, tmp_path) == 0  # gone


def test_meter_reports_seconds_spent_between_begin_and_end(tmp_path: Path) -> None:
    _fake_proc(tmp_path, 10, 1, utime=100, stime=0)
    meter = CpuMeter({"claims": 10}, proc=tmp_path)
    meter.begin()
    (tmp_path / "10" / "stat").unlink()
    (tmp_path / "10").rmdir()
    _fake_proc(tmp_path, 10, 1, utime=100 + 2 * TICKS, stime=TICKS)
    seconds = meter.end()
    assert seconds["claims"] == 3.0
    assert DRIVER in seconds and seconds[DRIVER] >= 0


def test_meter_sees_a_real_child_burn_cpu() -> None:
    # The child burns 0.3 s of CPU between our begin() and end(), however busy the machine is.
    burn = ("import sys, time\nsys.stdin.readline()\nend = time.process_time() + 0.3\n"
            "while time.process_time() < end: pass\nprint('burned', flush=True)\nsys.stdin.readline()\n")
    child = subprocess.Popen([sys.executable, "-c", burn], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        meter = CpuMeter({"child": child.pid})
        meter.begin()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "burned"
        assert meter.end()["child"] >= 0.25
    finally:
        child.kill()
        child.wait()


def test_per_encounter_figures() -> None:
    assert per_encounter_ms({"claims": 2.0, "mongod": 3.0}, 1000) == {"total": 5.0, "mongod": 3.0, "claims": 2.0}
    assert per_encounter_ms({"claims": 2.0}, 0) == {}
    before = {"rcm.a.v1": 10, "rcm.b.v1": 5}
    after = {"rcm.a.v1": 30, "rcm.b.v1": 5, "rcm.c.v1": 10}
    assert events_per_encounter(before, after, 10) == {"total": 3.0, "rcm.a.v1": 2.0, "rcm.c.v1": 1.0}


def _busy() -> int:
    return sum(i * i for i in range(200_000))


def test_a_profile_names_the_hot_function_and_leaves_out_what_ran_before_start(tmp_path: Path) -> None:
    profiler = Profiler("cprofile", tmp_path / "profiles", "claims-0")

    def serve() -> int:
        _start_up()
        profiler.start()
        return _busy()

    assert profiler.run(serve) == _busy()
    rows = top_entries(tmp_path / "profiles" / "claims-0.prof", count=50, sort="cumtime")
    names = [row["function"] for row in rows]
    assert any("_busy" in name for name in names)
    assert not any("_start_up" in name for name in names)
    assert all(0 <= row["share"] <= 1 for row in rows)


def _start_up() -> int:
    return sum(range(100_000))


def test_no_profiler_unless_asked_for(tmp_path: Path) -> None:
    assert profiler_from_settings(None, tmp_path, "x") is None
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="RCM_PROFILE"):
        profiler_from_settings("perf", tmp_path, "x")


def test_the_profile_is_written_even_when_the_run_fails(tmp_path: Path) -> None:
    def fail() -> None:
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        Profiler("cprofile", tmp_path, "payments-0").run(fail, from_start=True)
    assert (tmp_path / "payments-0.prof").stat().st_size > 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_own_process_ticks_are_read() -> None:
    assert cpu_ticks(os.getpid()) > 0


def test_a_profiled_process_stopped_by_sigterm_writes_its_profile(tmp_path: Path) -> None:
    # As uvicorn does: take SIGTERM, shut down, then raise the signal again with the handler it found.
    script = (
        "import signal, sys, time\n"
        "from pathlib import Path\n"
        "from shared.profiling import Profiler\n"
        "def serve():\n"
        "    seen = []\n"
        "    original = signal.signal(signal.SIGTERM, lambda s, f: seen.append(s))\n"
        "    print('ready', flush=True)\n"
        "    deadline = time.monotonic() + 20\n"
        "    while not seen and time.monotonic() < deadline: time.sleep(0.05)\n"
        "    signal.signal(signal.SIGTERM, original)\n"
        "    signal.raise_signal(signal.SIGTERM)\n"
        f"Profiler('cprofile', Path({str(tmp_path)!r}), 'claims-0').run(serve, from_start=True)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[3])
    assert child.stdout.readline().strip() == "ready"
    child.terminate()
    assert child.wait(timeout=20) == 0
    assert (tmp_path / "claims-0.prof").stat().st_size > 0


def test_counter_growth_per_encounter() -> None:
    from cli.cost import per_encounter

    assert per_encounter({"insert": 100, "transactions": 10}, {"insert": 400, "transactions": 40}, 100) == {
        "insert": 3.0, "transactions": 0.3}
    assert per_encounter({}, {"insert": 1}, 0) == {}


def test_printed_profile_lists_the_project_functions_by_time_with_callees(tmp_path: Path) -> None:
    import io

    from cli.bench import print_profiles
    from shared.ids import new_id

    profiler = Profiler("cprofile", tmp_path, "claims-0")
    profiler.run(lambda: [new_id("clm") for _ in range(2000)], from_start=True)
    out = io.StringIO()
    print_profiles(tmp_path, ["claims-0", "dashboard-0"], out=out)
    text = out.getvalue()
    assert "shared/ids.py" in text.split("the project's functions")[1]
    assert "no profile" in text and "dashboard-0.prof" in text


def test_cpu_less_what_the_idle_fleet_burns_in_the_same_time() -> None:
    from cli.cost import less_idle

    assert less_idle({"claims": 5.0, "dashboard": 1.0, DRIVER: 2.0}, {"claims": 0.1, "dashboard": 0.5}, 10.0) == {
        "claims": 4.0, "dashboard": 0.0, DRIVER: 2.0}
