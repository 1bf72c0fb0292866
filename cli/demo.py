"""`rcm demo` and `rcm bench`: a fresh local stack, every service as its own process, synthetic
encounters through the whole cycle, the KPIs, and everything stopped again.

The simulated EHR sends its visits to registration's feed listeners as a practice's EHR would:
HL7 v2 ADT^A04 over MLLP, and a share as FHIR R4 transaction Bundles over HTTP (bearer tokens made
for the run, never printed)."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.cycle import Cycle, Feeds
from cli.processes import FEED_GATEWAY, GATEWAY_ENVIRONMENT, MODULES, PARTNER_FAULTS, RUN_DEADLINES, Fleet
from cli.stack import Stack, StackSettings
from shared.settings import ServiceSettings
from simulator.feed import ErrorRates
from simulator.population import build_world

console = Console()


@dataclass
class RunOptions:
    encounters: int
    seed: int = 2026
    timeout: float = 600.0
    stack_dir: Path = Path(".rcm/demo")
    mongo_port: int = 27317
    kafka_port: int = 19392
    port_offset: int = 200
    partitions: int = 3
    show_progress: bool = True
    fhir_share: float = 0.15  # of the visits sent as FHIR Bundles; the rest go as HL7 v2 over MLLP
    profile: tuple[str, ...] = ()  # processes run under cProfile, each writing <stack_dir>/profiles/<instance>.prof
    partner_faults: bool = True  # the simulated partners' faults at modest rates (PARTNER_FAULTS)

    @property
    def profile_dir(self) -> Path:
        return self.stack_dir.resolve() / "profiles"


class Window(Protocol):
    """Something measured over a run's window, from the first visit sent until all are terminal."""

    async def begin(self) -> None: ...

    async def end(self, encounters: int) -> None: ...


class CycleRun:
    """One run on its own fresh stack: start, drive, summarize, stop."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.stack = Stack(StackSettings(dir=options.stack_dir, mongo_port=options.mongo_port,
                                         kafka_port=options.kafka_port))
        self.settings = ServiceSettings(kafka_bootstrap=self.stack.kafka_bootstrap, mongo_uri=self.stack.mongo_uri,
                                        topic_partitions=options.partitions)
        self.world = build_world(options.seed)
        self.feeds, feed_listeners = Feeds.on_loopback(self.world, port_offset=options.port_offset,
                                                       fhir_share=options.fhir_share)
        # Registration verifies coverage with a 270/271 to the simulated payer before coding.
        self.fleet = Fleet(environment={**self.stack.environment(), "RCM_TOPIC_PARTITIONS": str(options.partitions),
                                        "RCM_REGISTRATION_VERIFY_ELIGIBILITY": "true", **RUN_DEADLINES},
                           log_dir=options.stack_dir / "logs", port_offset=options.port_offset,
                           service_environment={FEED_GATEWAY: {**feed_listeners, **GATEWAY_ENVIRONMENT},
                                                "simulator": PARTNER_FAULTS if options.partner_faults else {}})
        for name in options.profile:
            self.fleet.service_environment.setdefault(name, {}).update(
                {"RCM_PROFILE": "cprofile", "RCM_PROFILE_DIR": str(options.profile_dir)})

    def start(self) -> None:
        # A fresh stack every run, so a second demo in a row starts from nothing too.
        self.stack.down()
        shutil.rmtree(self.options.stack_dir, ignore_errors=True)
        with console.status("starting mongod (replica set) and the Kafka broker"):
            self.stack.up()
        with console.status("starting registration (and its feed gateway), coding, claims, payments, denials, dashboard, simulator"):
            self.fleet.start_all((*MODULES, FEED_GATEWAY))

    def stop(self) -> None:
        with console.status("stopping the services and the stack"):
            self.fleet.stop_all()
            self.stack.down()

    async def drive(self, window: Window | None = None) -> dict:
        """Send the visits, wait until every one is terminal, and summarize. `window`, if given, is
        told when the measured time starts (just before the first visit is sent) and ends."""
        cycle = Cycle(self.settings, seed=self.options.seed, error_rates=ErrorRates(), world=self.world)
        try:
            await cycle.load_chargemasters(f"http://127.0.0.1:{self.fleet.port('coding')}", self.fleet.issuer_url())
            visits = cycle.make_visits(self.options.encounters)
            with self._progress() as bars:
                sent = bars.add_task("EHR feed: visits sent", total=len(visits))
                registered = bars.add_task("registered", total=len(visits))
                submitted = bars.add_task("claims submitted", total=len(visits))
                done = bars.add_task("[bold]through the cycle", total=len(visits))
                if window is not None:
                    await window.begin()
                started = time.perf_counter()
                await cycle.send_through_feeds(visits, self.feeds, on_sent=lambda n: bars.advance(sent, n))
                bars.update(registered, total=len(cycle.delivered))
                bars.update(submitted, total=len(cycle.delivered))
                bars.update(done, total=len(cycle.delivered))

                def show(p) -> None:
                    bars.update(registered, completed=p.registered)
                    bars.update(submitted, completed=p.submitted)
                    bars.update(done, completed=p.terminal)

                # Healing a partner's fault can leave the run still for minutes (a 270 unanswered twice
                # waits 30 + 60 s for its third inquiry): a run is stuck only after four still minutes.
                await cycle.wait_until_terminal(timeout=self.options.timeout, on_progress=show, stall=240.0)
                elapsed = time.perf_counter() - started
                if window is not None:
                    await window.end(len(cycle.delivered))
            return await cycle.summary(elapsed)
        finally:
            await cycle.close()

    def _progress(self) -> Progress:
        return Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, disable=not self.options.show_progress)


def feed_line(summary: dict) -> str:
    """How many visits went by each feed and how they were answered, e.g. "EHR feeds: 851 as HL7 v2
    over MLLP (AA 851), 149 as FHIR Bundles over HTTP (200 149)"."""
    feeds = summary.get("feeds")
    if not feeds:
        return "EHR feed: registration requests published on Kafka"

    def answers(feed: dict) -> str:
        return ", ".join(f"{code} {count}" for code, count in feed["answers"].items()) or "none"

    hl7, fhir = feeds["hl7v2_over_mllp"], feeds["fhir_over_http"]
    line = (f"EHR feeds: {hl7['visits']} as HL7 v2 over MLLP ({answers(hl7)}), "
            f"{fhir['visits']} as FHIR Bundles over HTTP ({answers(fhir)})")
    refused = summary.get("encounters_refused_by_feed") or {}
    if refused:
        line += "; refused by the feeds: " + ", ".join(f"{reason} ×{count}" for reason, count in refused.items())
    corrected = summary.get("injected_errors_corrected_by_registration") or {}
    if corrected:
        line += "; injected errors registration corrected: " + ", ".join(f"{e} ×{n}" for e, n in corrected.items())
    return line


def print_summary(summary: dict) -> None:
    console.print(feed_line(summary))
    kpis = summary["kpis"]
    table = Table(title="Revenue cycle KPIs", show_header=True, header_style="bold")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for label, key, unit in (
        ("clean-claim rate", "clean_claim_rate", "%"), ("first-pass rate", "first_pass_rate", "%"),
        ("denial rate", "denial_rate", "%"), ("net collection rate", "net_collection_rate", "%"),
        ("avg days registration → payment", "avg_days_registration_to_payment", " d"),
    ):
        table.add_row(label, "—" if kpis[key] is None else f"{kpis[key]}{unit}")
    console.print(table)
    states = Table(title="Encounters by terminal state")
    states.add_column("state")
    states.add_column("encounters", justify="right")
    for state, count in summary["encounters_by_terminal_state"].items():
        states.add_row(state, str(count))
    states.add_row("[bold]not terminal", f"[bold]{summary['encounters_not_terminal']}")
    console.print(states)
    money = Table(title="Money, to the cent")
    money.add_column("")
    money.add_column("USD", justify="right")
    for label, key in (("charged", "total_charged"), ("paid by payers (simulator)", "total_paid_by_payers"),
                       ("posted by payments", "total_posted"), ("posted − paid", "posted_minus_paid"),
                       ("PLB posted − sent", "provider_adjustments_posted_minus_sent")):
        money.add_row(label, summary[key])
    console.print(money)
    console.print(f"{summary['encounters_sent']} encounters in {summary['elapsed_seconds']} s "
                  f"({summary['encounters_per_second']} encounters/s)")


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so `finally` stops the services and the stack we started."""
    def stop(_signum, _frame):
        raise SystemExit(143)
    signal.signal(signal.SIGTERM, stop)


def run(options: RunOptions) -> dict:
    _stop_on_sigterm()
    runner = CycleRun(options)
    try:
        runner.start()
        return asyncio.run(runner.drive())
    finally:
        runner.stop()


def write_summary(summary: dict, path: Path) -> Path:
    """Write the figures as JSON at `path` and as a picture beside it (same name, .png); return the picture."""
    from cli.demo_picture import write_picture  # matplotlib loads only when a picture is drawn

    path.write_text(json.dumps(summary, indent=2) + "\n")
    return write_picture(summary, path.with_suffix(".png"))
