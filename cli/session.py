"""How `rcm` commands call the services' APIs as a person: a bearer token from RCM_TOKEN, or one
signed in at the local issuer (identity/) with RCM_USER and RCM_PASSWORD.

Exit codes shared by every API command: 0 done; 1 refused (the item's state or the request does not
allow it); 2 no token, or the token or its roles refused; 3 the API could not be reached or failed;
4 not found.
"""

from __future__ import annotations

import os
from typing import NoReturn

import httpx
import typer

REFUSED, UNAUTHORIZED, UNREACHABLE, NOT_FOUND = 1, 2, 3, 4


def fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def issuer_url() -> str:
    from shared.settings import ServiceSettings

    return os.environ.get("RCM_IDENTITY_URL") or ServiceSettings().auth_issuer


def sign_in(user: str, password: str, url: str | None = None) -> str:
    """A token from the local issuer's password grant."""
    try:
        response = httpx.post(f"{(url or issuer_url()).rstrip('/')}/token", timeout=10.0,
                              data={"grant_type": "password", "username": user, "password": password})
    except httpx.HTTPError as failure:
        fail(f"cannot reach the identity issuer ({type(failure).__name__}); is `rcm identity` running?", UNREACHABLE)
    if response.status_code in (400, 401):
        fail("sign-in refused: unknown user or wrong password", UNAUTHORIZED)
    if not response.is_success:
        fail(f"the identity issuer failed ({response.status_code})", UNREACHABLE)
    return response.json()["access_token"]


def token() -> str:
    """RCM_TOKEN, else a sign-in with RCM_USER / RCM_PASSWORD."""
    if os.environ.get("RCM_TOKEN"):
        return os.environ["RCM_TOKEN"]
    user, password = os.environ.get("RCM_USER"), os.environ.get("RCM_PASSWORD")
    if user and password:
        return sign_in(user, password)
    fail("no credentials: set RCM_TOKEN, or RCM_USER and RCM_PASSWORD (a user of `rcm users add`)", UNAUTHORIZED)


def api_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=10.0, headers={"Authorization": f"Bearer {token()}"})


def call(client_factory, method: str, path: str, service: str, **kwargs) -> httpx.Response:
    """One API request; a refusal exits with its code and the API's message (no traceback)."""
    try:
        with client_factory() as client:
            response = client.request(method, path, **kwargs)
    except httpx.HTTPError as failure:
        fail(f"cannot reach the {service} API ({type(failure).__name__}); is the {service} service running?",
             UNREACHABLE)
    if response.is_success:
        return response
    try:
        body = response.json()
        message = body.get("message") or body.get("detail")
    except (ValueError, AttributeError):
        message = None
    if not isinstance(message, str):
        message = f"request refused ({response.status_code})"
    if response.status_code == 401:
        fail(f"the {service} API refused the token ({message})", UNAUTHORIZED)
    if response.status_code == 403:
        fail(f"not allowed: {message}", UNAUTHORIZED)
    if response.status_code == 404:
        fail(message, NOT_FOUND)
    if response.status_code in (409, 422):
        fail(message, REFUSED)
    fail(f"the {service} API failed ({response.status_code})", UNREACHABLE)
