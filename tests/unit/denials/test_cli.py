"""`rcm denials` against the real API app (starlette's TestClient is an httpx.Client that runs the
app in-process), backed by the in-memory repository."""

import json
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import cli.denials
from cli.main import app
from services.denials.api import build_api
from tests.unit.denials.builders import a_work_item
from tests.unit.denials.fake_repository import FrozenClock, InMemoryDenials

TOKEN = "cli-test-token"
NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def denials(monkeypatch) -> InMemoryDenials:
    store = InMemoryDenials(a_work_item("dnl_late", amount="3000.00", deadline=date(2025, 6, 30)),
                            a_work_item("dnl_soon", amount="1000.00", deadline=date(2025, 5, 11)),
                            a_work_item("dnl_odd", amount="5.00", category="OTHER", carcs=("CO-B7",)))
    api = build_api(store, token=TOKEN, clock=FrozenClock(NOW))
    monkeypatch.setattr(cli.denials, "make_client", lambda url=None: TestClient(
        api, base_url="http://denials", headers={"Authorization": f"Bearer {TOKEN}"}))
    return store


def test_list_prints_the_queue_in_priority_order_as_json(denials) -> None:
    result = runner.invoke(app, ["denials", "list", "--json"])

    assert result.exit_code == 0, result.output
    assert [item["id"] for item in json.loads(result.stdout)] == ["dnl_soon", "dnl_late", "dnl_odd"]


def test_list_filters_by_category_and_flags_an_unknown_carc_in_the_table(denials) -> None:
    result = runner.invoke(app, ["denials", "list", "--category", "OTHER"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "dnl_odd" in result.stdout and "unknown CARC B7" in result.stdout and "dnl_soon" not in result.stdout


def test_take_then_resolve_with_a_write_off_reason(denials) -> None:
    taken = runner.invoke(app, ["denials", "take", "dnl_soon", "--actor", "jdoe"])
    resolved = runner.invoke(app, ["denials", "resolve", "dnl_soon", "--actor", "jdoe", "--action", "write_off",
                                   "--reason", "SMALL_BALANCE"])

    assert (taken.exit_code, taken.stdout) == (0, "dnl_soon taken by jdoe\n")
    assert (resolved.exit_code, resolved.stdout) == (0, "dnl_soon resolved by jdoe: write_off (SMALL_BALANCE)\n")
    assert [audit.action for topic, audit in denials.emitted if topic == "rcm.audit.v1"] == [
        "WORK_ITEM_TAKEN", "WORK_ITEM_RESOLVED_WRITE_OFF"]


def test_letter_prints_the_appeal_letter(denials) -> None:
    result = runner.invoke(app, ["denials", "letter", "dnl_late"])

    assert result.exit_code == 0
    assert f"Our claim id:            {denials.stored['dnl_late'].claim_id}" in result.stdout


def test_trends_as_json(denials) -> None:
    result = runner.invoke(app, ["denials", "trends", "--json"])

    assert result.exit_code == 0
    assert json.loads(result.stdout)["category"]["OTHER"] == {"count": 1, "amount": "5.00"}


@pytest.mark.parametrize(("args", "code", "message"), [
    (["take", "dnl_none", "--actor", "jdoe"], 4, "no work item dnl_none"),
    (["resolve", "dnl_soon", "--actor", "jdoe", "--action", "write_off"], 1, "a write-off needs a reason"),
    (["resolve", "dnl_soon", "--actor", "jdoe", "--action", "shred"], 1, "--action must be one of"),
])
def test_a_refusal_prints_a_clear_message_and_its_exit_code_without_a_traceback(denials, args, code, message) -> None:
    result = runner.invoke(app, ["denials", *args])

    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.output
    assert denials.emitted == []


def test_a_refused_token_exits_2(monkeypatch) -> None:
    api = build_api(InMemoryDenials(), token=TOKEN, clock=FrozenClock(NOW))
    monkeypatch.setattr(cli.denials, "make_client", lambda url=None: TestClient(
        api, base_url="http://denials", headers={"Authorization": "Bearer guessed"}))

    result = runner.invoke(app, ["denials", "list"])

    assert result.exit_code == 2 and "refused the token" in result.stderr


def test_a_service_that_is_not_running_exits_3() -> None:
    result = runner.invoke(app, ["denials", "list", "--url", "http://127.0.0.1:18999"])

    assert result.exit_code == 3 and "cannot reach the denials API" in result.stderr
    assert isinstance(result.exception, SystemExit)
