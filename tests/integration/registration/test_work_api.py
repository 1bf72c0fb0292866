"""Registration's crosswalk and work-item API against the real broker and mongod: tokens, roles and
tenants; a supervisor's load releases a held visit, audited; a bad row loads nothing; a practice
viewer reads only its tenant's work items. `api_client` lends the app, running on the test's loop,
to an `rcm` command in a worker thread."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from services.registration import work_items
from services.registration.app import build_runtime
from services.registration.feed import Area, Issue
from shared import topics
from shared.auth import Role
from tests.integration.registration.mllp_client import msa
from tests.integration.registration.test_hl7_feed import connect, feed_settings
from tests.support.identity import auth_headers, auth_settings
from tests.support.kafka import eventually
from tests.unit.ehr.samples import TENANT, a04

OTHER_TENANT = "other-clinic"
SUPERVISOR = auth_headers("sup-1", [Role.SUPERVISOR], [TENANT])
CROSSWALK = "/api/payer-crosswalks/" + TENANT
GOOD = ("match,sender_code,payer_id,payer_name,effective_from,effective_to\n"
        "code,BCBS-IL 00621,BCBSIL,Blue Cross Blue Shield of Illinois,2026-01-01,\n"
        "code,SIMBLUE01,SIMBLUE01,Synthetic Blue,2020-01-01,\n")
BAD = ("match,sender_code,payer_id,payer_name,effective_from\n"
       "code,BCBS-IL 00621,BCBSIL,Blue Cross Blue Shield of Illinois,2026-01-01\n"
       "code,BCBS-IL 00621,BCBSIL,Overlapping,2026-06-01\n"
       "code,,SIMBLUE01,No code,2020-01-01\n")
CSV = {"Content-Type": "text/csv"}


def api_settings(settings, tmp_path):
    return feed_settings({**dict(settings), **auth_settings(tmp_path)})


def _http(runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://registration")


class _OnLoop(httpx.BaseTransport):
    """A synchronous transport that sends each request to `app` on the test's event loop."""

    def __init__(self, app, loop: asyncio.AbstractEventLoop) -> None:
        self._app, self._loop = app, loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self._app),
                                         base_url="http://registration") as client:
                answer = await client.request(request.method, request.url, headers=request.headers,
                                              content=request.read())
                return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)
        return asyncio.run_coroutine_threadsafe(send(), self._loop).result(timeout=60)


def api_client(runtime, token_headers: dict[str, str]):
    """A `make_client` for cli.registration: the runtime's API, as the holder of `token_headers`.
    Call it before the runtime starts (building the app registers with the broker)."""
    app, loop = runtime.asgi_app(), asyncio.get_running_loop()
    return lambda url=None: httpx.Client(transport=_OnLoop(app, loop), base_url="http://registration",
                                         headers=token_headers)


async def hold_unmapped_visit(runtime, visit: str = "V601") -> str:
    """An A04 naming an insurer the crosswalk does not map: answered AA, held with a work item."""
    client = await connect(runtime)
    message = a04(f"X{visit}", mrn=visit[1:], visit=visit).replace(
        "|SIMBLUE01|Synthetic Blue Plan|", "|BCBS-IL 00621|Blue Cross of Illinois|")
    assert msa(await client.send(message))[0] == "AA"
    await client.close()

    async def held():
        return await runtime.db[work_items.COLLECTION].find_one({"status": "open", "code": "PAYER_UNMAPPED"})
    return (await eventually(held))["subject_id"]


async def test_tokens_roles_and_tenants_are_enforced(settings, kafka, tmp_path) -> None:
    runtime = build_runtime(api_settings(settings, tmp_path))
    async with _http(runtime) as http, runtime.running():
        anonymous = [await http.put(CROSSWALK, content=GOOD, headers=CSV), await http.get("/api/work-items")]
        refused = {who: (await http.put(CROSSWALK, content=GOOD, headers={**CSV, **headers})).status_code
                   for who, headers in (
                       ("coder", auth_headers("coder-1", [Role.CODER], [TENANT])),
                       ("biller", auth_headers("biller-1", [Role.BILLER], [TENANT])),
                       ("viewer", auth_headers("viewer-1", [Role.PRACTICE_VIEWER], [TENANT])),
                       ("other supervisor", auth_headers("sup-2", [Role.SUPERVISOR], [OTHER_TENANT])))}
        coder_reads = await http.get("/api/work-items", headers=auth_headers("coder-1", [Role.CODER], [TENANT]))
        foreign = await http.get("/api/work-items", params={"tenant": OTHER_TENANT}, headers=SUPERVISOR)
        stored = await runtime.db["payer_crosswalk"].count_documents({})
    assert [a.status_code for a in anonymous] == [401, 401]
    assert refused == {"coder": 403, "biller": 403, "viewer": 403, "other supervisor": 403}
    assert (coder_reads.status_code, foreign.status_code, stored) == (403, 403, 0)


async def test_a_supervisors_load_releases_the_held_visit_once_and_is_audited(settings, kafka, tmp_path) -> None:
    runtime = build_runtime(api_settings(settings, tmp_path))
    key = {"Idempotency-Key": uuid.uuid4().hex}
    async with _http(runtime) as http, runtime.running():
        encounter_id = await hold_unmapped_visit(runtime)
        loaded = await http.put(CROSSWALK, content=GOOD, headers={**CSV, **SUPERVISOR, **key})
        retried = await http.put(CROSSWALK, content=GOOD, headers={**CSV, **SUPERVISOR, **key})
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        audits = await kafka.wait_for(topics.AUDIT, lambda m: any(a.payload.action == "PAYER_CROSSWALK_LOADED"
                                                                   for a in m))
        item = await runtime.db[work_items.COLLECTION].find_one({"subject_id": encounter_id})
        released = await http.get("/api/work-items", params={"status": "released"}, headers=SUPERVISOR)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json() == {"tenant_id": TENANT, "entries": 2, "payers": 2, "visits_checked": 1, "released": 1}
    assert retried.json() == loaded.json()  # the retry is answered, not applied again
    assert [e.payload.encounter_id for e in registered] == [encounter_id]
    assert registered[0].payload.coverages[0].payer_id == "BCBSIL"
    assert item["status"] == "released"
    assert [row["subject_id"] for row in released.json()["items"]] == [encounter_id]
    loads = [a.payload for a in audits if a.payload.action == "PAYER_CROSSWALK_LOADED"]
    assert [(a.actor, a.tenant_id, a.subject_id) for a in loads] == [("sup-1", TENANT, TENANT)]


async def test_a_bad_row_loads_nothing_and_names_every_bad_row(settings, kafka, tmp_path) -> None:
    runtime = build_runtime(api_settings(settings, tmp_path))
    async with _http(runtime) as http, runtime.running():
        encounter_id = await hold_unmapped_visit(runtime)
        refused = await http.put(CROSSWALK, content=BAD, headers={**CSV, **SUPERVISOR})
        stored = await runtime.db["payer_crosswalk"].count_documents({})
        item = await runtime.db[work_items.COLLECTION].find_one({"subject_id": encounter_id})
    assert refused.status_code == 422 and refused.json()["error"] == "CROSSWALK_INVALID"
    problems = refused.json()["problems"]
    assert problems == ["row 3: effective dates overlap row 2 (same match and sender_code)",
                        "row 4: sender_code must be 1 to 80 characters"]
    assert (stored, item["status"]) == (0, "open")


async def test_a_practice_viewer_lists_only_its_tenants_work_items(settings, kafka, tmp_path) -> None:
    runtime = build_runtime(api_settings(settings, tmp_path))
    async with _http(runtime) as http, runtime.running():
        ours = await hold_unmapped_visit(runtime)
        issue = Issue(area=Area.PATIENT, code="ADDRESS_NOT_US", field="PID-11", reason="the address is not in the US")
        writes, _ = work_items.plan(OTHER_TENANT, "encounter", "enc-theirs", [issue], [], runtime.clock.now())
        await runtime.db[work_items.COLLECTION].bulk_write(writes)
        viewer = auth_headers("viewer-1", [Role.PRACTICE_VIEWER], [TENANT])
        listed = await http.get("/api/work-items", headers=viewer)
        foreign = await http.get("/api/work-items", params={"tenant": OTHER_TENANT}, headers=viewer)
        admin = await http.get("/api/work-items", headers=auth_headers("root", [Role.ADMIN], ["*"]))
    assert listed.status_code == 200 and [row["subject_id"] for row in listed.json()["items"]] == [ours]
    assert foreign.status_code == 403
    assert {row["tenant_id"] for row in admin.json()["items"]} == {TENANT, OTHER_TENANT}

