"""`rcm`: run the local stack and the services, push the demo through, show status and KPIs."""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path

import click
import typer
from typer.core import TyperGroup

# Command groups imported only when one of their commands runs (`rcm --help` lists them from this
# table): the CLI starts without pydantic, the Kafka and Mongo clients, the codecs, rich tables.
# name -> (module, Typer attribute, help)
LAZY_GROUPS = {
    "chargemaster": ("cli.coding", "chargemaster_app", "Tenant chargemasters (prices by code, modifier and date)"),
    "coding": ("cli.coding", "app", "Coding: the review queue and coder QA"),
    "claims": ("cli.claims", "app", "Claims: scrub the claims of an 837P/837I file"),
    "x12": ("cli.x12", "app", "X12 5010 files: inspect what a file holds, generate samples"),
    "denials": ("cli.denials", "app", "Denial work queue: list, take, resolve, letters, trends"),
    "payments": ("cli.payments", "app", "Payments: fee schedules, patient payments, patient statements"),
    "ehr": ("cli.ehr", "app", "EHR feeds (HL7 v2, FHIR R4): inspect files"),
    "eligibility": ("cli.eligibility", "app", "Eligibility review: held encounters, re-verify, coverage, self-pay, release"),
    "users": ("cli.users", "users_app", "Users of the local token issuer (argon2id passwords, roles, tenants)"),
    "identity": ("cli.users", "identity_app", "The local token issuer: sign in and print a token"),
    "payers": ("cli.registration", "payers_app", "Payers: the per-tenant payer crosswalk"),
    "registration": ("cli.registration", "registration_app", "Registration: work items of held visits"),
}


class LazyGroups(TyperGroup):
    """The root command: its own commands as usual, LAZY_GROUPS imported when resolved to run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in LAZY_GROUPS if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in LAZY_GROUPS:  # listed in help: a stand-in with the help text
            return click.Group(cmd_name, help=LAZY_GROUPS[cmd_name][2])
        return found

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] in LAZY_GROUPS and args[0] not in self.commands:
            module, attribute, help_text = LAZY_GROUPS[args[0]]
            group = typer.main.get_group(getattr(import_module(module), attribute))
            group.help = help_text
            self.add_command(group, args[0])
        return super().resolve_command(ctx, args)


app = typer.Typer(cls=LazyGroups, no_args_is_help=True, add_completion=False, help="Medical revenue-cycle platform")
stack_app = typer.Typer(no_args_is_help=True, help="The local MongoDB + Kafka stack (loopback only)")
dlq_app = typer.Typer(no_args_is_help=True, help="Dead letters: messages a service could not use")
app.add_typer(stack_app, name="stack")
app.add_typer(dlq_app, name="dlq")


def _run_async(coroutine):
    import asyncio  # imported by the commands that talk to the stack

    return asyncio.run(coroutine)


def _console():
    from rich.console import Console  # imported by the commands that print tables

    return Console()

SERVICES = ("registration", "coding", "claims", "payments", "denials", "dashboard", "simulator", "identity")


@stack_app.command("up")
def stack_up() -> None:
    """Start mongod (replica set rs0) and the broker; wait until both answer. Idempotent."""
    from cli.stack import Stack, StackError, StackSettings

    stack = Stack(StackSettings())
    try:
        stack.up()
    except StackError as failure:
        typer.echo(f"stack up failed: {failure}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"mongodb  {stack.mongo_uri}\nkafka    {stack.kafka_bootstrap}")


@stack_app.command("down")
def stack_down() -> None:
    """Stop exactly the processes `stack up` started (data is kept)."""
    from cli.stack import Stack, StackSettings

    Stack(StackSettings()).down()
    typer.echo("stack stopped")


@stack_app.command("status")
def stack_status() -> None:
    from cli.stack import Stack, StackSettings

    for name, up in Stack(StackSettings()).status().items():
        typer.echo(f"{name:8} {'up' if up else 'down'}")


@app.command("run")
def run_service(service: str = typer.Argument(..., help="|".join(SERVICES))) -> None:
    """Run one service in the foreground (settings from RCM_* environment variables)."""
    import runpy

    from cli.processes import MODULES

    if service not in MODULES:
        raise typer.BadParameter(f"one of {', '.join(MODULES)}")
    runpy.run_module(MODULES[service], run_name="__main__")


FHIR_SHARE_HELP = "share of the visits the simulated EHR sends as FHIR Bundles (the same visits for a seed); the rest go as HL7 v2"


@app.command("demo")
def demo(encounters: int = typer.Option(1000, min=1, max=100_000), seed: int = 2026,
         timeout: float = typer.Option(600.0, help="seconds to wait for every encounter to finish"),
         summary_file: Path = typer.Option(Path("demo-summary.json"), help="where to write the figures"),
         fhir_share: float = typer.Option(0.15, min=0.0, max=1.0, help=FHIR_SHARE_HELP)) -> None:
    """Fresh stack, all services, synthetic EHR visits over HL7 v2 (MLLP) and FHIR through the whole cycle, KPIs; then stop."""
    from cli.demo import RunOptions, print_summary, run, write_summary
    from cli.stack import StackError

    try:
        summary = run(RunOptions(encounters=encounters, seed=seed, timeout=timeout, fhir_share=fhir_share))
    except (RuntimeError, StackError) as failure:
        _console().print(f"[red]demo stopped: {failure}")
        raise typer.Exit(2) from None
    print_summary(summary)
    picture = write_summary(summary, summary_file)
    _console().print(f"figures written to {summary_file}, the picture to {picture}")
    if (summary["encounters_not_terminal"] or summary["posted_minus_paid"] != "0.00"
            or summary.get("provider_adjustments_posted_minus_sent", "0.00") != "0.00"):
        raise typer.Exit(1)


@app.command("bench")
def bench(encounters: int = typer.Option(2000, min=1), seed: int = 2026,
          broker_messages: int = typer.Option(20_000, min=100),
          fhir_share: float = typer.Option(0.15, min=0.0, max=1.0, help=FHIR_SHARE_HELP),
          stack_dir: Path = typer.Option(Path(".rcm/bench"), envvar="RCM_BENCH_STACK_DIR",
                                         help="the bench's own stack (made fresh, removed at the next run)"),
          mongo_port: int = typer.Option(27417, envvar="RCM_BENCH_MONGO_PORT"),
          kafka_port: int = typer.Option(19492, envvar="RCM_BENCH_KAFKA_PORT"),
          port_offset: int = typer.Option(300, envvar="RCM_BENCH_PORT_OFFSET",
                                          help="added to every process's HTTP port (8101-8108) and the feed ports"),
          profile: list[str] = typer.Option([], help="run this process under cProfile and print its top "
                                                     "entries after the run (repeatable; see docs/performance.md)")) -> None:
    """End-to-end encounters/s on the local stack (visits sent through the EHR feeds), the CPU each
    process spent per encounter, the events per encounter by topic, and the raw broker rate in the
    same run: one JSON line."""
    from cli.bench import CostWindow, broker_rate, print_profiles
    from cli.demo import CycleRun, RunOptions
    from cli.processes import FEED_GATEWAY, MODULES

    unknown = [name for name in profile if name not in (*MODULES, FEED_GATEWAY)]
    if unknown:
        raise typer.BadParameter(f"--profile takes one of {', '.join((*MODULES, FEED_GATEWAY))}")
    options = RunOptions(encounters=encounters, seed=seed, show_progress=False, stack_dir=stack_dir,
                         mongo_port=mongo_port, kafka_port=kafka_port, port_offset=port_offset,
                         fhir_share=fhir_share, profile=tuple(profile), partner_faults=False)
    runner = CycleRun(options)
    cost = CostWindow(runner)
    try:
        runner.start()
        summary = _run_async(runner.drive(cost))
        raw = _run_async(broker_rate(runner.stack.kafka_bootstrap, messages=broker_messages))
    finally:
        runner.stop()
    print(json.dumps({"encounters": encounters, "elapsed_seconds": summary["elapsed_seconds"],
                      "encounters_per_second": summary["encounters_per_second"],
                      "encounters_not_terminal": summary["encounters_not_terminal"],
                      "posted_minus_paid": summary["posted_minus_paid"], "feeds": summary.get("feeds"),
                      "encounters_refused_by_feed": summary.get("encounters_refused_by_feed"), **cost.figures, **raw}))
    if profile:
        # each process's instance name
        print_profiles(options.profile_dir, [f"{name}-0" for name in profile])


@app.command("chaos")
def chaos(visits: int = typer.Option(5000, min=1, max=100_000), kills: int = typer.Option(20, min=0),
          broker_restarts: int = typer.Option(1, min=0), mongod_restarts: int = typer.Option(1, min=0),
          seed: int = 2026, timeout: float = typer.Option(1800.0, min=10, help="seconds for the whole run"),
          broker_restart_at: str = typer.Option("load", help="load: while visits are sent; lull: between two halves"),
          port_offset: int = typer.Option(800, help="added to every process's HTTP and feed port"),
          mongo_port: int = 27417, kafka_port: int = 19492, stack_dir: Path = Path(".rcm/chaos"),
          output: Path = typer.Option(Path("chaos-runs.jsonl"), help="the JSON line is appended here")) -> None:
    """A fresh stack and every process; visits through the EHR feeds while processes are killed with
    -9 and restarted and the broker and mongod restarted; then whether anything is stuck, doubled or
    unequal. One JSON line; exit 1 if the run is not clean."""
    from cli.chaos import ChaosOptions, append_line, run

    if broker_restart_at not in ("load", "lull"):
        raise typer.BadParameter("--broker-restart-at is load or lull")
    summary = run(ChaosOptions(visits=visits, kills=kills, broker_restarts=broker_restarts,
                               mongod_restarts=mongod_restarts, seed=seed, timeout=timeout,
                               broker_restart_at=broker_restart_at, stack_dir=stack_dir, mongo_port=mongo_port,
                               kafka_port=kafka_port, port_offset=port_offset))
    append_line(summary, output)
    print(json.dumps(summary))
    if not summary["ok"]:
        raise typer.Exit(1)


def _settings():
    from shared.settings import ServiceSettings

    return ServiceSettings()


async def _dashboard_rows() -> list[dict]:
    from shared.mongo import connect

    settings = _settings()
    client = connect(settings.mongo_uri)
    try:
        return await client[settings.database("dashboard")]["encounters"].find({}).to_list()
    finally:
        await client.close()


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Encounters per stage, from the dashboard read model."""
    from dashboard.kpis import TERMINAL_STAGES, compute

    kpis = compute(_run_async(_dashboard_rows()))
    if as_json:
        print(json.dumps({"by_stage": kpis.by_stage, "encounters": kpis.encounters, "terminal": kpis.terminal}))
        return
    from rich.table import Table

    table = Table(title="Encounters by stage")
    table.add_column("stage")
    table.add_column("encounters", justify="right")
    table.add_column("terminal")
    for name, count in sorted(kpis.by_stage.items(), key=lambda item: -item[1]):
        table.add_row(name, str(count), "yes" if name in TERMINAL_STAGES else "")
    _console().print(table)


@app.command("kpis")
def kpis(as_json: bool = typer.Option(False, "--json")) -> None:
    """Clean-claim, first-pass, denial and net collection rates, days to payment, money posted."""
    from dashboard.kpis import compute

    figures = compute(_run_async(_dashboard_rows())).as_json()
    if as_json:
        print(json.dumps(figures))
        return
    from rich.table import Table

    table = Table(title="Revenue cycle KPIs")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if key != "by_stage":
            table.add_row(key.replace("_", " "), "—" if value is None else str(value))
    _console().print(table)


@dlq_app.command("list")
def dlq_list(service: str = typer.Argument(..., help="|".join(SERVICES)), as_json: bool = typer.Option(False, "--json"),
             limit: int = 50) -> None:
    """The newest dead letters of a service: topic, offset, reason code and reason (no PHI)."""
    from cli.dead_letters import read_dead_letters

    letters = _run_async(read_dead_letters(_settings(), service, limit=limit))
    if as_json:
        print(json.dumps([letter.model_dump(mode="json", exclude={"original_value_b64", "original_sealed"}) for letter in letters]))
        return
    from rich.table import Table

    table = Table(title=f"Dead letters of {service}")
    for column in ("topic", "partition", "offset", "reason code", "reason"):
        table.add_column(column)
    for letter in letters:
        table.add_row(letter.original_topic, str(letter.partition), str(letter.offset), letter.reason_code, letter.reason)
    _console().print(table)


@dlq_app.command("replay")
def dlq_replay(service: str = typer.Argument(..., help="|".join(SERVICES)),
               reason_code: str = typer.Option(None, help="only letters with this reason code")) -> None:
    """Publish a service's dead letters back to their original topics (after a fix)."""
    from cli.dead_letters import replay_dead_letters

    count = _run_async(replay_dead_letters(_settings(), service, reason_code=reason_code))
    _console().print(f"replayed {count} dead letter(s)")
