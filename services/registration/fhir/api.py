"""The FHIR R4 endpoint (FastAPI): POST a transaction Bundle to the base, or one resource to
/<resourceType>. Bearer tokens name the client's facility (RCM_REGISTRATION_FHIR_CLIENTS), which
names the tenant (RCM_REGISTRATION_FEED_FACILITIES). Answers: 200 with a transaction-response
Bundle (or an informational OperationOutcome); 401 without valid credentials; 400/422 with an
OperationOutcome naming the location, never a value; bad input is also dead-lettered.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.registration.facilities import Facility
from services.registration.fhir.mapping import FhirMappingError, map_resource, message_id_of
from services.registration.intake import FeedIntake

ORIGIN = "fhir.http"
FHIR_JSON = "application/fhir+json"


def outcome(status: int, severity: str, code: str, text: str, location: str | None = None) -> JSONResponse:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": text}
    if location:
        issue["expression"] = [location]
    headers = {"WWW-Authenticate": 'Bearer realm="rcm-fhir"'} if status == 401 else None
    return JSONResponse({"resourceType": "OperationOutcome", "issue": [issue]}, status_code=status,
                        media_type=FHIR_JSON, headers=headers)


def build_fhir_app(intake: FeedIntake, facilities: Callable[[], dict[str, Facility]],
                   clients: Callable[[], dict[str, str]]) -> FastAPI:
    """`clients()` maps a facility key to its bearer token."""
    app = FastAPI(title="rcm registration FHIR R4", openapi_url=None, docs_url=None, redoc_url=None)

    def facility_of(request: Request) -> Facility | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        token = header[7:].strip().encode()
        for key, expected in clients().items():
            if token and hmac.compare_digest(token, expected.encode()):
                return facilities().get(key)
        return None

    async def receive(request: Request, expected_type: str | None) -> JSONResponse:
        facility = facility_of(request)
        if facility is None:
            return outcome(401, "error", "login", "valid bearer credentials are required")
        body = await request.body()
        try:
            document = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            await intake.refuse(facility.tenant_id, ORIGIN, body, "UNREADABLE", "body is not JSON", None)
            return outcome(400, "error", "structure", "body is not JSON")
        if expected_type and (not isinstance(document, dict) or document.get("resourceType") != expected_type):
            await intake.refuse(facility.tenant_id, ORIGIN, body, "WRONG_RESOURCE_TYPE", "resourceType does not match the URL", None)
            return outcome(400, "error", "invalid", "resourceType does not match the URL", "resourceType")
        try:
            messages = map_resource(document, facility.billing)
        except FhirMappingError as refused:
            await intake.refuse(facility.tenant_id, ORIGIN, body, refused.code, f"{refused.location}: {refused}",
                                message_id_of(document) if isinstance(document, dict) else None)
            return outcome(refused.status, "error", "invalid" if refused.status == 422 else "not-supported",
                           str(refused), refused.location)
        results = await intake.accept_all(facility.tenant_id, [(f"fhir|{m.message_id}", m) for m in messages])
        if len(results) == 1 and results[0].ack_code != "AA":
            refused = results[0]
            await intake.refuse(facility.tenant_id, ORIGIN, body, refused.error_code or "REFUSED",
                                f"{refused.field}: {refused.error_text}", message_id_of(document))
            return outcome(422, "error", "business-rule", refused.error_text or "refused", refused.field)
        entries = [{"response": {"status": "200 OK", "outcome": {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "information", "code": "informational",
                       "diagnostics": f"{r.outcome}" + (f" encounter {r.encounter_id}" if r.encounter_id else "")}]
            + [{"severity": "warning", "code": "incomplete", "diagnostics": f"registration work item {held}"}
               for held in r.held]}}}
            for r in results]
        if document.get("resourceType") == "Bundle":
            return JSONResponse({"resourceType": "Bundle", "type": "transaction-response", "entry": entries},
                                media_type=FHIR_JSON)
        return JSONResponse(entries[0]["response"]["outcome"], media_type=FHIR_JSON)

    @app.post("/fhir")
    async def transaction(request: Request) -> JSONResponse:
        return await receive(request, None)

    @app.post("/fhir/{resource_type}")
    async def single(resource_type: str, request: Request) -> JSONResponse:
        return await receive(request, resource_type)

    return app
