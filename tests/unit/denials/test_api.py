from datetime import UTC, date, datetime

import httpx
import pytest

from services.denials.api import build_api
from tests.unit.denials.builders import a_work_item
from tests.unit.denials.fake_repository import FrozenClock, InMemoryDenials

TOKEN = "unit-test-token"
NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(denials: InMemoryDenials, wakes: list | None = None) -> httpx.AsyncClient:
    api = build_api(denials, token=TOKEN, clock=FrozenClock(NOW),
                    after_commit=(lambda: wakes.append(1)) if wakes is not None else None)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test", headers=AUTH)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
async def test_every_endpoint_needs_the_bearer_token(headers: dict) -> None:
    denials = InMemoryDenials(a_work_item("dnl_1"))
    api = build_api(denials, token=TOKEN, clock=FrozenClock(NOW))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        for method, path in (("GET", "/api/work-items"), ("GET", "/api/work-items/dnl_1/letter"),
                             ("POST", "/api/work-items/dnl_1/take"), ("GET", "/api/trends")):
            response = await client.request(method, path, headers=headers, json={"actor": "jdoe"})
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"] == "Bearer"
    assert denials.emitted == []


async def test_the_queue_lists_open_and_taken_items_in_priority_order() -> None:
    denials = InMemoryDenials(
        a_work_item("dnl_late", amount="3000.00", deadline=date(2025, 6, 30)),
        a_work_item("dnl_soon", amount="1000.00", deadline=date(2025, 5, 11), status="taken", assignee="asmith"),
        a_work_item("dnl_done", amount="9000.00", status="resolved"))
    async with _client(denials) as client:
        body = (await client.get("/api/work-items")).json()
    assert [item["id"] for item in body["items"]] == ["dnl_soon", "dnl_late"]
    expected = {"amount": "1000.00", "days_left": 10, "score": "100.00", "age_days": 30,
                "status": "taken", "assignee": "asmith", "category": "MEDICAL_NECESSITY"}
    assert {key: body["items"][0][key] for key in expected} == expected


async def test_the_queue_filters_by_category_payer_and_status() -> None:
    denials = InMemoryDenials(a_work_item("d1", payer_id="P1"), a_work_item("d2", payer_id="P2"),
                              a_work_item("d3", category="BUNDLING", payer_id="P1"),
                              a_work_item("d4", payer_id="P1", status="written_off"))
    async with _client(denials) as client:
        by_payer = (await client.get("/api/work-items", params={"payer": "P1"})).json()["items"]
        by_category = (await client.get("/api/work-items", params={"category": "BUNDLING"})).json()["items"]
        written_off = (await client.get("/api/work-items", params={"status": "written_off"})).json()["items"]
        bad_status = await client.get("/api/work-items", params={"status": "lost"})
    assert {item["id"] for item in by_payer} == {"d1", "d3"}
    assert [item["id"] for item in by_category] == ["d3"]
    assert [item["id"] for item in written_off] == ["d4"]
    assert bad_status.status_code == 422


async def test_taking_an_item_emits_its_audit_record_and_wakes_the_relay() -> None:
    denials, wakes = InMemoryDenials(a_work_item("dnl_1")), []
    async with _client(denials, wakes) as client:
        response = await client.post("/api/work-items/dnl_1/take", json={"actor": "jdoe"})
    assert (response.status_code, response.json()["status"], response.json()["assignee"]) == (200, "taken", "jdoe")
    ((topic, audit),) = denials.emitted
    assert (topic, audit.actor, audit.action, audit.subject_id, audit.at) == (
        "rcm.audit.v1", "jdoe", "WORK_ITEM_TAKEN", "dnl_1", NOW)
    assert wakes == [1]


async def test_resolving_with_an_appeal_stores_the_letter_and_emits_the_worked_event_and_the_audit() -> None:
    denials = InMemoryDenials(a_work_item("dnl_1", status="taken", assignee="jdoe"))
    async with _client(denials) as client:
        response = await client.post("/api/work-items/dnl_1/resolve", json={"actor": "jdoe", "action": "appeal"})
        letter = await client.get("/api/work-items/dnl_1/letter")
        html = await client.get("/api/work-items/dnl_1/letter", params={"format": "html"})
    assert response.json()["resolution"] == "appeal"
    assert [topic for topic, _ in denials.emitted] == ["rcm.denial.worked.v1", "rcm.audit.v1"]
    assert denials.emitted[1][1].action == "WORK_ITEM_RESOLVED_APPEAL"
    assert letter.headers["content-type"].startswith("text/plain")
    assert "Date: 2025-05-01" in letter.text and denials.stored["dnl_1"].claim_id in letter.text
    assert html.text.startswith("<!doctype html>")


async def test_resolving_with_a_resubmission_asks_claims_for_a_corrected_claim() -> None:
    denials = InMemoryDenials(a_work_item("dnl_1", category="AUTHORIZATION", carcs=("CO-197",)))
    async with _client(denials) as client:
        await client.post("/api/work-items/dnl_1/resolve", json={"actor": "jdoe", "action": "resubmit"})
    assert [topic for topic, _ in denials.emitted] == [
        "rcm.denial.worked.v1", "rcm.claim.resubmit-requested.v1", "rcm.audit.v1"]
    assert denials.emitted[1][1].payer_claim_number == "PCN-0001"


@pytest.mark.parametrize(("item", "body", "status", "error"), [
    (a_work_item("dnl_1", status="taken", assignee="asmith"), {"actor": "jdoe", "action": "appeal"}, 409,
     "TAKEN_BY_SOMEONE_ELSE"),
    (a_work_item("dnl_1", status="resolved"), {"actor": "jdoe", "action": "appeal"}, 409, "NOT_WORKABLE"),
    (a_work_item("dnl_1"), {"actor": "jdoe", "action": "write_off"}, 422, "INVALID_REQUEST"),
    (a_work_item("dnl_1"), {"actor": "jdoe", "action": "pray"}, 422, None),
    (a_work_item("dnl_1"), {"action": "appeal"}, 422, None),
])
async def test_a_refused_resolution_changes_nothing_and_says_why(item, body, status, error) -> None:
    denials = InMemoryDenials(item)
    async with _client(denials) as client:
        response = await client.post("/api/work-items/dnl_1/resolve", json=body)
    assert response.status_code == status
    if error:
        assert response.json()["error"] == error and response.json()["message"]
    assert denials.emitted == [] and denials.stored["dnl_1"] == item


async def test_an_unknown_item_is_not_found() -> None:
    async with _client(InMemoryDenials()) as client:
        responses = [await client.get("/api/work-items/dnl_x"), await client.get("/api/work-items/dnl_x/letter"),
                     await client.post("/api/work-items/dnl_x/take", json={"actor": "jdoe"})]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert responses[0].json() == {"error": "UNKNOWN_WORK_ITEM", "message": "no work item dnl_x"}


async def test_trends_are_computed_over_the_payment_date_range() -> None:
    denials = InMemoryDenials(a_work_item("d1", amount="10.00", payment_date=date(2025, 3, 1)),
                              a_work_item("d2", amount="20.00", payment_date=date(2025, 4, 1), status="written_off"))
    async with _client(denials) as client:
        everything = (await client.get("/api/trends")).json()
        april = (await client.get("/api/trends", params={"since": "2025-04-01"})).json()
    assert everything["denials"] == 2 and everything["category"]["MEDICAL_NECESSITY"] == {"count": 2, "amount": "30.00"}
    assert april["denials"] == 1 and list(april["week"]) == ["2025-W14"]
