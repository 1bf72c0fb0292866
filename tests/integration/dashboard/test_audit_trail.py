"""The audit trail against the real broker and mongod: records on rcm.audit.v1 are kept once each in
the insert-only store with a six-year TTL, and supervisors and admins search them within their
tenants through the dashboard's /api/audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from dashboard.app import build_runtime
from dashboard.audit import AUDIT
from dashboard.settings import DashboardSettings
from shared import metrics, topics
from shared.auth import Role
from shared.envelope import new_event
from shared.events import AuditRecorded
from tests.support.identity import auth_headers
from tests.support.kafka import eventually

AT = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def _audit(actor: str, tenant: str, action: str, subject: str, minutes: int, *, read: bool = False):
    record = AuditRecorded(actor=actor, action=action, subject_type="DENIAL_WORK_ITEM", subject_id=subject,
                           at=AT + timedelta(minutes=minutes), tenant_id=tenant, service="denials",
                           source="198.51.100.7", request_id=f"req-{minutes}", read=read)
    return new_event(topics.AUDIT, record, producer="denials", now=record.at, tenant_id=tenant, correlation_id=subject)


async def test_audit_records_are_kept_once_and_searched_within_the_callers_tenants(settings, kafka) -> None:
    runtime = build_runtime(DashboardSettings(**settings.model_dump()))
    events = [_audit("asmith", "clinic-b", "WORK_ITEM_TAKEN", "dnl_2", 0),
              _audit("jdoe", "clinic-a", "WORK_ITEM_TAKEN", "dnl_1", 1),
              _audit("jdoe", "clinic-a", "APPEAL_LETTER_READ", "dnl_1", 2, read=True),
              _audit("asmith", "clinic-b", "WORK_ITEM_RESOLVED_WRITE_OFF", "dnl_2", 3)]
    supervisor_a = auth_headers("sue", [Role.SUPERVISOR], ["clinic-a"])
    worked_before = metrics.ITEMS_WORKED.labels("denials")._value.get()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()),
                                 base_url="http://dashboard") as http, runtime.running():
        await kafka.publish(topics.AUDIT, *events, events[1], events[3])  # delivered twice

        async def kept() -> bool:
            return await runtime.db[AUDIT].count_documents({}) == 4

        await eventually(kept)
        own = (await http.get("/api/audit", headers=supervisor_a)).json()["records"]
        reads = (await http.get("/api/audit", headers=supervisor_a, params={"reads": "true"})).json()["records"]
        foreign = await http.get("/api/audit", headers=supervisor_a, params={"tenant": "clinic-b"})
        everyone = (await http.get("/api/audit", headers=auth_headers("root", [Role.ADMIN], ["*"]),
                                   params={"since": (AT + timedelta(minutes=2)).isoformat()})).json()["records"]
        by_actor = (await http.get("/api/audit", headers=auth_headers("root", [Role.ADMIN], ["*"]),
                                   params={"actor": "asmith"})).json()["records"]
        specialist = await http.get("/api/audit", headers=auth_headers("jdoe", [Role.DENIAL_SPECIALIST], ["clinic-a"]))
        viewer = await http.get("/api/audit", headers=auth_headers("v", [Role.PRACTICE_VIEWER], ["clinic-a"]))
        anonymous = await http.get("/api/audit")
        indexes = {index["name"]: index async for index in await runtime.db[AUDIT].list_indexes()}
        work = (await http.get("/api/productivity", headers=supervisor_a)).json()["people"]
        all_work = (await http.get("/api/productivity", headers=auth_headers("root", [Role.ADMIN], ["*"]))).json()
        worked = metrics.ITEMS_WORKED.labels("denials")._value.get()
    assert work == []  # in clinic-a, jdoe only took an item and read its letter
    assert all_work["people"] == [{"actor": "asmith", "day": "2026-03-02", "items_worked": 1,
                                   "median_minutes_to_work": 3.0}]
    assert worked - worked_before == 1  # the write-off, counted once though its record came twice
    assert [(r["actor"], r["action"], r["tenant_id"], r["source"]) for r in own] == [
        ("jdoe", "APPEAL_LETTER_READ", "clinic-a", "198.51.100.7"), ("jdoe", "WORK_ITEM_TAKEN", "clinic-a", "198.51.100.7")]
    assert [r["action"] for r in reads] == ["APPEAL_LETTER_READ"]
    assert foreign.status_code == 403
    assert [r["subject_id"] for r in everyone] == ["dnl_2", "dnl_1"]
    assert [(r["action"], r["tenant_id"]) for r in by_actor] == [
        ("WORK_ITEM_RESOLVED_WRITE_OFF", "clinic-b"), ("WORK_ITEM_TAKEN", "clinic-b")]
    assert (specialist.status_code, viewer.status_code, anonymous.status_code) == (403, 403, 401)
    assert indexes["at_1"]["expireAfterSeconds"] == (6 * 365 + 2) * 24 * 60 * 60


async def test_a_changed_retention_setting_changes_the_ttl_of_the_store(settings) -> None:
    from dashboard.audit import ensure_indexes
    from shared.mongo import connect

    client = connect(settings.mongo_uri)
    database = client[settings.database("dashboard")]
    try:
        await ensure_indexes(database, 2192)
        await ensure_indexes(database, 30)
        indexes = {index["name"]: index async for index in await database[AUDIT].list_indexes()}
    finally:
        await client.close()
    assert indexes["at_1"]["expireAfterSeconds"] == 30 * 24 * 60 * 60
