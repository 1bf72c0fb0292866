"""The FHIR R4 endpoint (FastAPI): POST a transaction Bundle to the base, or one resource to
/<resourceType>. Bearer tokens name the client's facility (RCM_REGISTRATION_FHIR_CLIENTS), which
names the tenant (RCM_REGISTRATION_FEED_FACILITIES). Answers: 200 with a transaction-response
Bundle (or an informational OperationOutcome); 401 without valid credentials; 400/422 with an
OperationOutcome naming the location, never a value; bad input is also dead-lettered.

The tenant is the token's facility, never anything in the payload. Limits: a body over
RCM_REGISTRATION_FHIR_MAX_BODY_BYTES is answered 413 (from Content-Length before reading, or as
soon as a streamed body passes it), a body not received within RCM_REGISTRATION_FHIR_READ_SECONDS
408, a Bundle of more than RCM_REGISTRATION_FHIR_MAX_BUNDLE_ENTRIES entries 413, JSON nested deeper than RCM_REGISTRATION_FHIR_MAX_JSON_DEPTH or with unbounded numbers 400
(services/registration/fhir/bounded_json.py). Mapping runs on a worker thread so a large Bundle
does not hold the event loop; a mapping defect is a 422, never a 500.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.registration.facilities import Facility
from services.registration.fhir.bounded_json import UnreadableJson, loads
from services.registration.fhir.mapping import FhirMappingError, map_resource, message_id_of
from services.registration.intake import FeedIntake
from services.registration.senders import Sender, peer_of

ORIGIN = "fhir.http"
FHIR_JSON = "application/fhir+json"


def outcome(status: int, severity: str, code: str, text: str, location: str | None = None) -> JSONResponse:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": text}
    if location:
        issue["expression"] = [location]
    headers = {"WWW-Authenticate": 'Bearer realm="rcm-fhir"'} if status == 401 else None
    return JSONResponse({"resourceType": "OperationOutcome", "issue": [issue]}, status_code=status,
                        media_type=FHIR_JSON, headers=headers)


class _BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    """The request body, at most `limit` bytes, within `seconds`; raise _BodyTooLarge or TimeoutError."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and len(declared) < 20 and int(declared) > limit:
        raise _BodyTooLarge()
    body = bytearray()
    async with asyncio.timeout(seconds):
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _BodyTooLarge()
    return bytes(body)


def _map(document: dict, billing):
    """map_resource, with a defect of ours on strange input answered 422 rather than 500."""
    try:
        return map_resource(document, billing)
    except FhirMappingError:
        raise
    except (ValueError, ArithmeticError, LookupError, TypeError, AttributeError, RecursionError):
        raise FhirMappingError(422, str(document.get("resourceType", "resource"))[:40], "UNPROCESSABLE",
                               "resource could not be mapped") from None


def _message_id(document: object) -> str | None:
    try:
        return message_id_of(document) if isinstance(document, dict) else None  # type: ignore[arg-type]
    except (TypeError, ValueError, AttributeError):
        return None


def build_fhir_app(intake: FeedIntake, facilities: Callable[[], dict[str, Facility]],
                   clients: Callable[[], dict[str, str]], *, max_body_bytes: int = 1 << 20,
                   max_json_depth: int = 64, read_seconds: float = 15.0, max_bundle_entries: int = 500) -> FastAPI:
    """`clients()` maps a facility key to its bearer token."""
    app = FastAPI(title="rcm registration FHIR R4", openapi_url=None, docs_url=None, redoc_url=None)

    def facility_of(request: Request) -> tuple[str, Facility] | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        token = header[7:].strip().encode()
        for key, expected in clients().items():
            if token and hmac.compare_digest(token, expected.encode()):
                facility = facilities().get(key)
                return (key, facility) if facility is not None else None
        return None

    async def receive(request: Request, expected_type: str | None) -> JSONResponse:
        client = facility_of(request)
        if client is None:
            return outcome(401, "error", "login", "valid bearer credentials are required")
        key, facility = client
        sender = Sender(ORIGIN, key, peer_of(tuple(request.client) if request.client else None), frozenset({key}))
        tenant = facility.tenant_id
        try:
            body = await read_body(request, max_body_bytes, read_seconds)
        except _BodyTooLarge:
            await intake.refuse(tenant, ORIGIN, b"", "BODY_TOO_LARGE", "body exceeds the size limit", None, sender=sender)
            return outcome(413, "error", "too-costly", f"body exceeds {max_body_bytes} bytes")
        except TimeoutError:
            return outcome(408, "error", "timeout", "body not received in time")
        try:
            document = loads(body, max_depth=max_json_depth)
        except UnreadableJson as unreadable:
            await intake.refuse(tenant, ORIGIN, body, "UNREADABLE", str(unreadable), None, sender=sender)
            return outcome(400, "error", "structure", str(unreadable))
        if expected_type and (not isinstance(document, dict) or document.get("resourceType") != expected_type):
            await intake.refuse(tenant, ORIGIN, body, "WRONG_RESOURCE_TYPE", "resourceType does not match the URL", None,
                                sender=sender)
            return outcome(400, "error", "invalid", "resourceType does not match the URL", "resourceType")
        entries = document.get("entry") if isinstance(document, dict) and document.get("resourceType") == "Bundle" else None
        if isinstance(entries, list) and len(entries) > max_bundle_entries:
            # Validation costs CPU per entry; a visit's Bundle has tens of entries.
            await intake.refuse(tenant, ORIGIN, body, "TOO_MANY_ENTRIES", "Bundle.entry: too many entries", None,
                                sender=sender)
            return outcome(413, "error", "too-costly", f"a Bundle may hold at most {max_bundle_entries} entries",
                           "Bundle.entry")
        try:
            messages = await asyncio.to_thread(_map, document, facility.billing)
        except FhirMappingError as refused:
            await intake.refuse(tenant, ORIGIN, body, refused.code, f"{refused.location}: {refused}",
                                _message_id(document), sender=sender)
            return outcome(refused.status, "error", "invalid" if refused.status == 422 else "not-supported",
                           str(refused), refused.location)
        results = await intake.accept_all(tenant, [(f"fhir|{m.message_id}", m) for m in messages], sender=sender)
        if len(results) == 1 and results[0].ack_code != "AA":
            refused = results[0]
            await intake.refuse(tenant, ORIGIN, body, refused.error_code or "REFUSED",
                                f"{refused.field}: {refused.error_text}", _message_id(document), sender=sender)
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
