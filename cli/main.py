"""`rcm`: run the local stack and the services, push the demo through, show status and KPIs."""

from __future__ import annotations

import typer

from cli.stack import Stack, StackError, StackSettings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Medical revenue-cycle platform")
stack_app = typer.Typer(no_args_is_help=True, help="The local MongoDB + Kafka stack (loopback only)")
app.add_typer(stack_app, name="stack")


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
