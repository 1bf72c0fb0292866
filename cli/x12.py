"""`rcm x12`: look inside X12 files and write sample ones.

rcm x12 inspect FILE [--json]     exit 0 valid, 1 read but invalid, 2 unreadable or not X12
rcm x12 generate --out DIR        sample 837P, 837I, 835 and 270 files of synthetic claims
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shared.x12.errors import Issue, TooLarge, X12Error
from shared.x12.limits import DEFAULT_MAX_BYTES

# rich, the reader, the writers and the samples are imported by the command that uses them, so
# `rcm x12 inspect` starts without the writers and `rcm --help` without any of it.

app = typer.Typer(no_args_is_help=True, add_completion=False, help="X12 5010 files: inspect and generate")

VALID, INVALID, UNREADABLE = 0, 1, 2
MAX_LISTED = 500  # issues listed in --json output; error_count tells the full number


def _issue(issue: Issue) -> dict[str, object]:
    return issue.as_dict()


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="an X12 file (835, 837P/I, 999, 277CA, 270, 271)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object instead of tables")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="every finding of the implementation guide is an error (as for files we send)")
    ] = False,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="refuse a larger file (exit 2, too_large)")
    ] = DEFAULT_MAX_BYTES,
) -> None:
    """Read and validate FILE as the services would receive it; exit 0 if valid (guide findings that
    do not block the file are warnings), 1 if read but invalid, 2 if unreadable, too large or not X12."""
    from rich.console import Console

    from shared.x12.document import read
    from shared.x12.summary import summarize
    from shared.x12.validation import validate

    console = Console()
    try:
        if file.stat().st_size > max_bytes:
            raise TooLarge(f"the file is {file.stat().st_size} bytes; the most this reader accepts is {max_bytes}")
        data = file.read_bytes()
    except TooLarge as failure:
        _unreadable(console, as_json, file, failure)
        raise typer.Exit(UNREADABLE) from None
    except OSError as failure:
        _unreadable(console, as_json, file, X12Error(f"cannot open the file: {failure.strerror or 'unreadable'}"))
        raise typer.Exit(UNREADABLE) from None
    try:
        document = read(data, max_bytes=max_bytes)
        report = validate(document, received=not strict)
    except X12Error as failure:
        _unreadable(console, as_json, file, failure)
        raise typer.Exit(UNREADABLE) from None
    summaries = summarize(document)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "file": file.name,
                    "valid": report.valid,
                    "mode": "strict" if strict else "received",
                    "errors": [_issue(issue) for issue in report.errors[:MAX_LISTED]],
                    "warnings": [_issue(issue) for issue in report.warnings[:MAX_LISTED]],
                    "error_count": len(report.errors),
                    "warning_count": len(report.warnings),
                    "interchanges": len(document.interchanges),
                    "transactions": [summary.as_dict() for summary in summaries],
                }
            )
        )
    else:
        _show(console, file, document, report, summaries)
    raise typer.Exit(VALID if report.valid else INVALID)


def _unreadable(console, as_json: bool, file: Path, failure: X12Error) -> None:
    if as_json:
        error = {"position": failure.position, "segment": failure.segment, "loop": None, "message": failure.message}
        typer.echo(
            json.dumps(
                {
                    "file": file.name,
                    "valid": False,
                    "errors": [error],
                    "warnings": [],
                    "error_count": 1,
                    "warning_count": 0,
                    "interchanges": 0,
                    "transactions": [],
                    "code": failure.code,
                }
            )
        )
    else:
        console.print(f"[bold red]{file.name}: not readable as X12[/] ({failure.code}): {failure}")


def _show(console, file: Path, document, report, summaries) -> None:
    from rich.table import Table

    if report.valid and report.warnings:
        verdict = f"[yellow]valid with {len(report.warnings)} warning(s)[/]"
    elif report.valid:
        verdict = "[green]valid[/]"
    else:
        verdict = f"[bold red]invalid: {len(report.errors)} error(s)[/]"
    console.print(f"[bold]{file.name}[/]: {len(document.interchanges)} interchange(s), {verdict}")
    table = Table(title="Transaction sets")
    for column in ("Set", "Version", "Control #", "Position", "Claims", "Amounts"):
        table.add_column(column)
    for summary in summaries:
        amounts = ", ".join(
            f"{name} {value}" for name, value in summary.as_dict().items() if name.endswith(("_total", "_amount"))
        )
        table.add_row(
            summary.set_id, summary.version, summary.control_number, str(summary.position), str(summary.claims), amounts
        )
    console.print(table)
    for title, issues, style in (("Errors", report.errors, "red"), ("Warnings", report.warnings, "yellow")):
        if not issues:
            continue
        listing = Table(title=title, title_style=style)
        for column in ("Segment #", "Id", "Loop", "Message"):
            listing.add_column(column)
        for issue in issues[:50]:
            listing.add_row(str(issue.position), issue.segment, issue.loop or "", issue.message)
        console.print(listing)
        if len(issues) > 50:
            console.print(f"... and {len(issues) - 50} more")


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="folder to write the sample files into (created if missing)")],
    claims: Annotated[int, typer.Option("--claims", min=1, max=100_000, help="claims per 837 file")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="makes the synthetic data reproducible")] = 7,
) -> None:
    """Write sample 837P, 837I, 835 (paying the 837P claims) and 270 files of synthetic data."""
    from shared.x12 import InMemoryControlNumbers, write_270, write_835, write_837i, write_837p
    from shared.x12.samples import (
        CREATED,
        sample_inquiries,
        sample_institutional_claims,
        sample_partners,
        sample_professional_claims,
        sample_receiver,
        sample_remittance,
        sample_submitter,
    )

    out.mkdir(parents=True, exist_ok=True)
    control_numbers = InMemoryControlNumbers()
    envelope = {
        "partners": sample_partners(),
        "submitter": sample_submitter(),
        "receiver": sample_receiver(),
        "created": CREATED,
    }
    professional = sample_professional_claims(claims, seed)
    files = {
        "sample-837p.x12": write_837p(professional, control_numbers=control_numbers, **envelope),
        "sample-837i.x12": write_837i(
            sample_institutional_claims(claims, seed + 1), control_numbers=control_numbers, **envelope
        ),
        "sample-835.x12": write_835(
            [sample_remittance([claim.to_claim837() for claim in professional], seed)],
            partners=sample_partners("TESTPAYER1", "TESTCLINIC"),
            control_numbers=control_numbers,
            created=CREATED,
        ),
        "sample-270.x12": write_270(
            sample_inquiries(min(claims, 50), seed),
            partners=sample_partners(),
            control_numbers=control_numbers,
            created=CREATED,
        ),
    }
    for name, text in files.items():
        (out / name).write_text(text)
        typer.echo(f"{out / name}  ({len(text)} bytes)")
