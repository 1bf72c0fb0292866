"""The local issuer against the real mongod, over real HTTP: `rcm users add` stores an argon2 hash,
the password grant signs a token the services verify from its published JWKS, and `rcm denials`
signs in and acts as that user (the actor is the token's subject)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

import httpx
import pytest
import uvicorn

from identity.app import SERVICE, build_app
from identity.settings import IdentitySettings
from services.denials.app import build_runtime
from services.denials.settings import DenialsSettings
from shared import topics
from shared.auth import InvalidToken, Role
from shared.mongo import connect
from tests.support.builders import TENANT, a_claim_denied, an_event
from tests.support.kafka import eventually
from tests.support.ports import shifted

ISSUER_PORT, DENIALS_PORT = shifted(18109), shifted(18105)
ISSUER = f"http://127.0.0.1:{ISSUER_PORT}"
PASSWORD = "correct horse battery"


@contextlib.asynccontextmanager
async def serving(app, port: int):
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started, f"nothing listening on {port}"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
def environment(settings) -> dict[str, str]:
    """The environment of an `rcm` command against this test's namespace and issuer."""
    return {**os.environ, "RCM_MONGO_URI": settings.mongo_uri, "RCM_DATABASE_PREFIX": settings.database_prefix,
            "RCM_AUTH_ISSUER": ISSUER, "RCM_NEW_PASSWORD": PASSWORD, "RCM_TOKEN": ""}


async def rcm(environment: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("rcm")), *args, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, out.decode(), err.decode()


def _issuer_settings(settings) -> IdentitySettings:
    return IdentitySettings(**{**settings.model_dump(), "auth_issuer": ISSUER, "auth_jwks_file": None})


async def test_users_sign_in_with_their_password_and_get_a_token_the_services_verify(settings, environment) -> None:
    added = await rcm(environment, "users", "add", "bea.biller", "--role", "biller", "--role", "supervisor",
                      "--tenant", TENANT)
    refused = await rcm(environment, "users", "add", "eve", "--role", "biller", "--tenant", "*")
    issuer_settings = _issuer_settings(settings)
    async with serving(build_app(issuer_settings), ISSUER_PORT) as url, httpx.AsyncClient(base_url=url) as http:
        discovery = (await http.get("/.well-known/openid-configuration")).json()
        signed = await http.post("/token", data={"grant_type": "password", "username": "bea.biller",
                                                 "password": PASSWORD})
        as_json = await http.post("/token", json={"grant_type": "password", "username": "bea.biller",
                                                  "password": PASSWORD})
        wrong = await http.post("/token", data={"grant_type": "password", "username": "bea.biller", "password": "x"})
        unknown = await http.post("/token", data={"grant_type": "password", "username": "nobody", "password": "x"})
        principal = await issuer_settings.token_verifier().verify(signed.json()["access_token"])
        stranger = _issuer_settings(settings).model_copy(update={"auth_audience": "another-app"}).token_verifier()
        with pytest.raises(InvalidToken):
            await stranger.verify(signed.json()["access_token"])
    client = connect(settings.mongo_uri)
    stored = await client[settings.database(SERVICE)]["users"].find_one({"_id": "bea.biller"})
    await client.close()
    assert added[0] == 0 and refused[0] == 1 and "only an admin" in refused[2]
    assert discovery["issuer"] == ISSUER and discovery["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert signed.status_code == 200 and signed.json()["token_type"] == "Bearer" and as_json.status_code == 200
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant") and unknown.json() == wrong.json()
    assert (principal.subject, principal.roles, principal.tenants) == (
        "bea.biller", {Role.BILLER, Role.SUPERVISOR}, {TENANT})
    assert stored["password_hash"].startswith("$argon2id$") and PASSWORD not in str(stored)


async def test_rcm_denials_signs_in_and_acts_as_the_user(settings, environment, kafka) -> None:
    for user, role, tenant in (("dee", "denial_specialist", TENANT), ("cody", "coder", TENANT)):
        assert (await rcm(environment, "users", "add", user, "--role", role, "--tenant", tenant))[0] == 0
    denial = a_claim_denied("50", amount="250.00")
    runtime = build_runtime(DenialsSettings(**{**settings.model_dump(), "auth_issuer": ISSUER, "auth_jwks_file": None}))
    app = runtime.asgi_app()
    cli = {**environment, "RCM_DENIALS_API_URL": f"http://127.0.0.1:{DENIALS_PORT}", "RCM_PASSWORD": PASSWORD}
    async with serving(build_app(_issuer_settings(settings)), ISSUER_PORT), runtime.running(), \
            serving(app, DENIALS_PORT):
        await kafka.publish(topics.CLAIM_DENIED, an_event(topics.CLAIM_DENIED, denial, correlation_id=denial.encounter_id))

        async def recorded() -> bool:
            return await runtime.db["denials"].count_documents({"_id": denial.denial_id}) == 1

        await eventually(recorded)
        coder = await rcm({**cli, "RCM_USER": "cody"}, "denials", "resolve", denial.denial_id,
                          "--action", "write_off", "--reason", "SMALL_BALANCE")
        taken = await rcm({**cli, "RCM_USER": "dee"}, "denials", "take", denial.denial_id)
        resolved = await rcm({**cli, "RCM_USER": "dee"}, "denials", "resolve", denial.denial_id,
                             "--action", "write_off", "--reason", "SMALL_BALANCE")
        bad_password = await rcm({**cli, "RCM_USER": "dee", "RCM_PASSWORD": "not it at all"}, "denials", "list")
        stored = await runtime.db["denials"].find_one({"_id": denial.denial_id})
    assert coder[0] == 2 and "not allowed" in coder[2]
    assert (taken[0], taken[1]) == (0, f"{denial.denial_id} taken by dee\n")
    assert (resolved[0], resolved[1]) == (0, f"{denial.denial_id} resolved by dee: write_off (SMALL_BALANCE)\n")
    assert bad_password[0] == 2 and "sign-in refused" in bad_password[2]
    assert (stored["status"], stored["assignee"], stored["reason"]) == ("resolved", "dee", "SMALL_BALANCE")
