import base64
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from bson.decimal128 import Decimal128

from services.denials.app import build_runtime
from services.denials.queue import ItemStatus
from services.denials.repository import from_document, to_document
from services.denials.settings import DenialsSettings
from shared.auth import Role
from shared.events import DenialAction
from tests.support.identity import auth_headers, auth_settings
from tests.unit.denials.builders import a_work_item


def test_a_work_item_survives_its_document_unchanged() -> None:
    item = replace(a_work_item(), status=ItemStatus.RESOLVED, assignee="jdoe", resolution=DenialAction.WRITE_OFF,
                   reason="SMALL_BALANCE", letter="text", updated_at=datetime(2025, 5, 1, tzinfo=UTC))

    assert from_document(to_document(item)) == item


def test_amounts_are_stored_as_decimal128_to_the_cent_never_float() -> None:
    doc = to_document(a_work_item(amount="0.10", billed=None))

    assert doc["amount"] == Decimal128(Decimal("0.10")) and doc["billed"] is None
    assert from_document(doc).amount == Decimal("0.10")


def test_a_document_written_before_the_queue_fields_existed_still_reads() -> None:
    doc = to_document(a_work_item())
    for field in ("payer_claim_number", "carc_known", "billed", "procedure_codes", "rendering_npi", "assignee",
                  "resolution", "reason", "letter", "updated_at"):
        doc.pop(field)

    item = from_document(doc)

    assert (item.carc_known, item.billed, item.procedure_codes, item.assignee) == (True, None, (), None)


async def test_the_service_app_serves_the_api_under_api_and_keeps_metrics_and_health(tmp_path) -> None:
    runtime = build_runtime(DenialsSettings(**auth_settings(tmp_path)))  # builds offline: no connection yet
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://d") as client:
        api = await client.get("/api/work-items")
        anonymous_docs = await client.get("/api/openapi.json")
        docs = await client.get("/api/openapi.json", headers=auth_headers("v", [Role.PRACTICE_VIEWER], ["tn_a"]))
        page = await client.get("/api/docs", headers=auth_headers("v", [Role.PRACTICE_VIEWER], ["tn_a"]))
        metrics = await client.get("/metrics")
        not_api = await client.get("/apiary")
    assert api.status_code == 401 and api.json()["error"] == "UNAUTHORIZED"
    assert anonymous_docs.status_code == 401
    assert "/api/work-items/{denial_id}/resolve" in docs.json()["paths"]
    assert page.status_code == 200 and "/api/openapi.json" in page.text
    assert metrics.status_code == 200 and "rcm_denials_total" in metrics.text
    assert not_api.status_code == 404
    await runtime.mongo.close()


def test_production_refuses_the_development_issuer() -> None:
    key = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(RuntimeError, match="RCM_AUTH_ISSUER"):
        DenialsSettings(environment="production", phi_key=key).assert_production_ready()
    DenialsSettings(environment="production", phi_key=key, auth_issuer="https://idp.example.com/realms/rcm",
                    auth_jwks_url="https://idp.example.com/realms/rcm/certs").assert_production_ready()
