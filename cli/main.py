"""`rcm`: run the local stack and the services, push the demo through, show status and KPIs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from cli.coding import app as coding_app
from cli.coding import chargemaster_app
from cli.stack import Stack, StackError, StackSettings
from cli.denials import app as denials_app
from cli.payments import app as payments_app
from cli.claims import app as claims_app
from cli.ehr import app as ehr_app
from cli.registration import payers_app, registration_app
from cli.x12 import app as x12_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Medical revenue-cycle platform")
stack_app = typer.Typer(no_args_is_help=True, help="The local MongoDB + Kafka stack (loopback only)")
dlq_app = typer.Typer(no_args_is_help=True, help="Dead letters: messages a service could not use")
app.add_typer(stack_app, name="stack")
app.add_typer(dlq_app, name="dlq")
app.add_typer(chargemaster_app, name="chargemaster")
app.add_typer(coding_app, name="coding")
app.add_typer(claims_app, name="claims", help="Claims: scrub the claims of an 837P/837I file")
app.add_typer(x12_app, name="x12", help="X12 5010 files: inspect what a file holds, generate samples")
app.add_typer(denials_app, name="denials")
app.add_typer(payments_app, name="payments")
app.add_typer(ehr_app, name="ehr", help="EHR feeds (HL7 v2, FHIR R4): inspect files")
app.add_typer(payers_app, name="payers", help="Payers: the per-tenant payer crosswalk")
app.add_typer(registration_app, name="registration", help="Registration: work items of held visits")
console = Console()

SERVICES = ("registration", "coding", "claims", "payments", "denials", "dashboard", "simulator")


@stack_app.command("up")
def stack_up() -> None:
    """Start mongod (replica set rs0) and the broker; wait until both answer. Idempotent."""
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
    Stack(StackSettings()).down()
    typer.echo("stack stopped")


@stack_app.command("status")
def stack_status() -> None:
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

    try:
        summary = run(RunOptions(encounters=encounters, seed=seed, timeout=timeout, fhir_share=fhir_share))
    except (RuntimeError, StackError) as failure:
        console.print(f"[red]demo stopped: {failure}")
        raise typer.Exit(2) from None
    print_summary(summary)
    picture = write_summary(summary, summary_file)
    console.print(f"figures written to {summary_file}, the picture to {picture}")
    if summary["encounters_not_terminal"] or summary["posted_minus_paid"] != "0.00":
        raise typer.Exit(1)


@app.command("bench")
def bench(encounters: int = typer.Option(2000, min=1), seed: int = 2026,
          broker_messages: int = typer.Option(20_000, min=100),
          fhir_share: float = typer.Option(0.15, min=0.0, max=1.0, help=FHIR_SHARE_HELP)) -> None:
    """End-to-end encounters/s on the local stack (visits sent through the EHR feeds), and the raw
    broker rate in the same run: one JSON line."""
    from cli.bench import broker_rate
    from cli.demo import CycleRun, RunOptions

    runner = CycleRun(RunOptions(encounters=encounters, seed=seed, show_progress=False,
                                 stack_dir=Path(".rcm/bench"), port_offset=300, fhir_share=fhir_share))
    try:
        runner.start()
        summary = asyncio.run(runner.drive())
        raw = asyncio.run(broker_rate(runner.stack.kafka_bootstrap, messages=broker_messages))
    finally:
        runner.stop()
    print(json.dumps({"encounters": encounters, "elapsed_seconds": summary["elapsed_seconds"],
                      "encounters_per_second": summary["encounters_per_second"],
                      "encounters_not_terminal": summary["encounters_not_terminal"],
                      "posted_minus_paid": summary["posted_minus_paid"], "feeds": summary.get("feeds"),
                      "encounters_refused_by_feed": summary.get("encounters_refused_by_feed"), **raw}))


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

    kpis = compute(asyncio.run(_dashboard_rows()))
    if as_json:
        print(json.dumps({"by_stage": kpis.by_stage, "encounters": kpis.encounters, "terminal": kpis.terminal}))
        return
    table = Table(title="Encounters by stage")
    table.add_column("stage")
    table.add_column("encounters", justify="right")
    table.add_column("terminal")
    for name, count in sorted(kpis.by_stage.items(), key=lambda item: -item[1]):
        table.add_row(name, str(count), "yes" if name in TERMINAL_STAGES else "")
    console.print(table)


@app.command("kpis")
def kpis(as_json: bool = typer.Option(False, "--json")) -> None:
    """Clean-claim, first-pass, denial and net collection rates, days to payment, money posted."""
    from dashboard.kpis import compute

    figures = compute(asyncio.run(_dashboard_rows())).as_json()
    if as_json:
        print(json.dumps(figures))
        return
    table = Table(title="Revenue cycle KPIs")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if key != "by_stage":
            table.add_row(key.replace("_", " "), "—" if value is None else str(value))
    console.print(table)


@dlq_app.command("list")
def dlq_list(service: str = typer.Argument(..., help="|".join(SERVICES)), as_json: bool = typer.Option(False, "--json"),
             limit: int = 50) -> None:
    """The newest dead letters of a service: topic, offset, reason code and reason (no PHI)."""
    from cli.dead_letters import read_dead_letters

    letters = asyncio.run(read_dead_letters(_settings(), service, limit=limit))
    if as_json:
        print(json.dumps([letter.model_dump(mode="json", exclude={"original_value_b64", "original_sealed"}) for letter in letters]))
        return
    table = Table(title=f"Dead letters of {service}")
    for column in ("topic", "partition", "offset", "reason code", "reason"):
        table.add_column(column)
    for letter in letters:
        table.add_row(letter.original_topic, str(letter.partition), str(letter.offset), letter.reason_code, letter.reason)
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(service: str = typer.Argument(..., help="|".join(SERVICES)),
               reason_code: str = typer.Option(None, help="only letters with this reason code")) -> None:
    """Publish a service's dead letters back to their original topics (after a fix)."""
    from cli.dead_letters import replay_dead_letters

    count = asyncio.run(replay_dead_letters(_settings(), service, reason_code=reason_code))
    console.print(f"replayed {count} dead letter(s)")
