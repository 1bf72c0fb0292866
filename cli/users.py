"""`rcm users` and `rcm identity`: the local token issuer's users, and signing in.

The local issuer (identity/, run by `rcm run identity` or the demo) is the development and test
stand-in for the billing company's OIDC provider; its users live in its own database. `rcm users`
is that issuer's administration tool, as an identity provider's own console is: it writes only the
issuer's database, never a service's.
"""

from __future__ import annotations

import asyncio
import os

import typer

from cli import session

users_app = typer.Typer(no_args_is_help=True, help="Users of the local token issuer (development, demo, tests)")
identity_app = typer.Typer(no_args_is_help=True, help="Sign in at the local token issuer")
ROLES_HELP = "coder|biller|denial_specialist|payment_poster|patient_accounts|supervisor|practice_viewer|admin"


def _users():
    from identity.app import SERVICE
    from identity.settings import IdentitySettings
    from identity.users import Users
    from shared.mongo import connect

    settings = IdentitySettings()
    client = connect(settings.mongo_uri)
    return client, Users(client[settings.database(SERVICE)])


@users_app.command("add")
def add(name: str, role: list[str] = typer.Option(..., "--role", help=ROLES_HELP),
        tenant: list[str] = typer.Option(..., "--tenant", help='a tenant id; "*" (every tenant) for admins only'),
        password: str = typer.Option(None, help="default: RCM_NEW_PASSWORD, else asked for")) -> None:
    """Add a user with argon2-hashed password, roles and tenant scopes."""
    from identity.users import UserError, new_user
    from shared.clock import SystemClock

    password = password or os.environ.get("RCM_NEW_PASSWORD") or typer.prompt("password", hide_input=True,
                                                                              confirmation_prompt=True)
    try:
        user = new_user(name, role, tenant)
    except UserError as refused:
        session.fail(str(refused), session.REFUSED)

    async def store() -> None:
        client, users = _users()
        try:
            await users.add(user, password, SystemClock().now())
        finally:
            await client.close()

    try:
        asyncio.run(store())
    except UserError as refused:
        session.fail(str(refused), session.REFUSED)
    typer.echo(f"user {user.name}: {', '.join(sorted(user.roles))} for {', '.join(sorted(user.tenants))}")


@users_app.command("list")
def list_users() -> None:
    async def read():
        client, users = _users()
        try:
            return await users.all()
        finally:
            await client.close()

    for user in asyncio.run(read()):
        typer.echo(f"{user.name:24} {','.join(sorted(user.roles)):40} {','.join(sorted(user.tenants))}"
                   + ("  (disabled)" if user.disabled else ""))


@users_app.command("disable")
def disable(name: str) -> None:
    """Refuse the user's next sign-ins (tokens already issued expire on their own)."""
    async def change() -> bool:
        client, users = _users()
        try:
            return await users.disable(name)
        finally:
            await client.close()

    if not asyncio.run(change()):
        session.fail(f"no user {name}", session.NOT_FOUND)
    typer.echo(f"user {name} disabled")


@identity_app.command("token")
def token(user: str = typer.Option(..., "--user"),
          password: str = typer.Option(None, help="default: RCM_PASSWORD, else asked for")) -> None:
    """Sign in and print a bearer token (use it as RCM_TOKEN)."""
    password = password or os.environ.get("RCM_PASSWORD") or typer.prompt("password", hide_input=True)
    typer.echo(session.sign_in(user, password))
