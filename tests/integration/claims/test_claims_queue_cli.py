"""`rcm claims queue` against the claims service on the real broker and mongod: the service runs in
starlette's TestClient (its own thread and event loop, startup included), the CLI calls its API."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import cli.claims_queue
from cli.main import app
from services.claims.app import build_runtime
from services.claims.settings import ClaimsSettings
from shared import topics
from shared.auth import Role
from shared.events import DocumentedService
from tests.support.builders import TENANT, a_coded_encounter, a_coded_event, a_registration_request
from tests.support.identity import auth_settings, issue_token

runner = CliRunner()


class _Borrowed:
    """The running TestClient, lent to one CLI command without being closed by it."""

    def __init__(self, client: TestClient, token: str) -> None:
        self._client, self._token = client, token

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def request(self, method, path, **kwargs):
        return self._client.request(method, path, headers={"Authorization": f"Bearer {self._token}"}, **kwargs)


@pytest.fixture
def service(settings, tmp_path, monkeypatch):
    runtime = build_runtime(ClaimsSettings(**{**settings.model_dump(), **auth_settings(tmp_path)}))
    with TestClient(runtime.asgi_app(), base_url="http://claims") as client:
        token = issue_token("biller-cli", [Role.BILLER], [TENANT], expires_in=600)
        monkeypatch.setattr(cli.claims_queue, "make_client", lambda url, given: _Borrowed(client, given or token))
        yield client


def _invoke(*args: str):
    return runner.invoke(app, ["claims", "queue", *args], env={"COLUMNS": "200"})


async def test_a_biller_lists_takes_corrects_and_submits_a_scrub_failure_from_the_command_line(service, kafka) -> None:
    request = a_registration_request(services=(DocumentedService(procedure_code="99213", diagnosis_pointers=(2,)),))
    await kafka.publish(topics.ENCOUNTER_CODED, a_coded_event(a_coded_encounter(request)))
    listed = []
    for _ in range(150):  # until the service has scrubbed it (bounded: 30 s)
        result = await asyncio.to_thread(_invoke, "list", "--json")
        listed = json.loads(result.stdout) if result.exit_code == 0 else []
        if listed:
            break
        await asyncio.sleep(0.2)
    assert len(listed) == 1
    claim_id = listed[0]["id"]

    taken = await asyncio.to_thread(_invoke, "take", claim_id)
    corrected = await asyncio.to_thread(_invoke, "correct", claim_id, "--diagnoses", "I10,E11.9",
                                        "--line", "1:modifiers=25")
    submitted = await asyncio.to_thread(_invoke, "submit", claim_id)
    refused = await asyncio.to_thread(_invoke, "close", claim_id, "--reason", "SELF_PAY")
    forbidden = await asyncio.to_thread(runner.invoke, app, ["claims", "queue", "take", claim_id, "--token",
                                                             issue_token("coder-1", [Role.CODER], [TENANT])])

    assert (taken.exit_code, corrected.exit_code, submitted.exit_code) == (0, 0, 0), (taken.output, corrected.output)
    assert "changed diagnoses, line_1_modifiers" in corrected.stdout
    assert f"{claim_id} submitted" in submitted.stdout
    assert refused.exit_code == cli.claims_queue.REFUSED
    assert forbidden.exit_code == cli.claims_queue.UNAUTHORIZED
