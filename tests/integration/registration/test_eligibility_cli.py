"""`rcm eligibility` against the registration service on the real broker and mongod (the service in
starlette's TestClient, its own thread and loop), with the simulated payer answering 270s."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import cli.claims_queue
from cli.main import app
from shared import topics
from shared.auth import Role
from tests.integration.claims.test_claims_queue_cli import _Borrowed
from tests.integration.registration.test_eligibility_review_api import ACTIVE, INACTIVE, _payer, _runtime
from tests.support.builders import TENANT, a_registration_event, a_registration_request
from tests.support.identity import issue_token

runner = CliRunner()


@pytest.fixture
def service(settings, tmp_path, monkeypatch):
    runtime = _runtime(settings, tmp_path)
    with TestClient(runtime.asgi_app(), base_url="http://registration") as client:
        token = issue_token("pa-cli", [Role.PATIENT_ACCOUNTS], [TENANT], expires_in=600)
        monkeypatch.setattr(cli.claims_queue, "make_client", lambda url, given: _Borrowed(client, given or token))
        yield client


def _invoke(*args: str):
    return runner.invoke(app, ["eligibility", *args], env={"COLUMNS": "200"})


async def test_patient_accounts_correct_a_member_id_and_verify_again_from_the_command_line(service, settings,
                                                                                           kafka) -> None:
    event = a_registration_event(a_registration_request(member_id=INACTIVE))
    async with _payer(settings).running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, event)
        listed = []
        for _ in range(150):  # until the payer's 271 held it (bounded: 30 s)
            result = await asyncio.to_thread(_invoke, "list", "--json")
            listed = json.loads(result.stdout) if result.exit_code == 0 else []
            if listed:
                break
            await asyncio.sleep(0.2)
        taken = await asyncio.to_thread(_invoke, "take", event.correlation_id)
        corrected = await asyncio.to_thread(_invoke, "coverage", event.correlation_id, "--member-id", ACTIVE)
        asked = await asyncio.to_thread(_invoke, "reverify", event.correlation_id)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
    assert [row["encounter_id"] for row in listed] == [event.correlation_id]
    assert (taken.exit_code, corrected.exit_code, asked.exit_code) == (0, 0, 0), (taken.output, corrected.output)
    assert f"{event.correlation_id} verifying" in asked.stdout
    assert [e.correlation_id for e in registered] == [event.correlation_id]
