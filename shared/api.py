"""One pattern for people's actions, in every service: an HTTP API under /api on the service's own
HTTP server (ServiceRuntime.mount_api), behind the platform's bearer tokens (shared/auth.py).

    api = service_api("rcm denials", runtime.settings.token_verifier())
    actions = Actions(runtime.db, "denials", service="denials", load=from_document, dump=to_document,
                      tenant_of=..., subject_type="DENIAL_WORK_ITEM", after_commit=runtime.relay.wake)

    @api.post("/api/work-items/{item_id}/take")
    async def take(item_id: str, who: Caller = Depends(caller(Role.DENIAL_SPECIALIST, Role.SUPERVISOR))):
        return await actions.act(item_id, "WORK_ITEM_TAKEN", who, lambda item: Outcome(...), respond=item_json)

An action (shared/actions.py) is a pure decision on the stored state, then the new state, its events
and its audit record in one transaction, with optimistic concurrency and an idempotent retry. Every
error answers {"error": CODE, "message": text}; the API docs (/api/docs, /api/openapi.json) need a
token too.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth import Principal, Role, TokenVerifier, install_verifier, require

REQUEST_ID_HEADERS = ("idempotency-key", "x-request-id")
MAX_REQUEST_ID = 128
_ERROR_CODES = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
                409: "CONFLICT", 422: "INVALID_REQUEST"}


class ActionError(Exception):
    """A refused action or read: answered with `status` and `code`, nothing written."""

    status = 422
    code = "INVALID_REQUEST"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class NotFound(ActionError):
    status, code = 404, "NOT_FOUND"


class Conflict(ActionError):
    """The state changed under the caller (another person acted first) or forbids the action now."""

    status, code = 409, "CONFLICT"


class Invalid(ActionError):
    status, code = 422, "INVALID_REQUEST"


@dataclass(frozen=True)
class Caller:
    """Who is acting, from where, and the client's request id (for an idempotent retry)."""

    principal: Principal
    source: str | None = None
    request_id: str | None = None

    @property
    def subject(self) -> str:
        return self.principal.subject


def client_source(request: Request) -> str | None:
    """Where the request came from: the first X-Forwarded-For hop (set by the ingress), else the peer."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()[:64] or None
    return request.client.host if request.client else None


def request_id(request: Request) -> str | None:
    for header in REQUEST_ID_HEADERS:
        value = request.headers.get(header)
        if value:
            value = value.strip()
            if len(value) > MAX_REQUEST_ID or not value.isprintable():
                raise Invalid(f"{header} must be printable and at most {MAX_REQUEST_ID} characters")
            return value
    return None


def caller(*roles: Role, write: bool | None = None):
    """A FastAPI dependency: the Caller, when the token holds one of `roles` (401/403 otherwise)."""
    authorized = require(*roles, write=write)

    async def dependency(request: Request, principal: Principal = Depends(authorized)) -> Caller:
        return Caller(principal, client_source(request), request_id(request))

    return dependency


READERS = tuple(Role)  # every role may open the API docs


def service_api(title: str, verifier: TokenVerifier, *, description: str = "") -> FastAPI:
    """A FastAPI app for a service's /api: the verifier installed, errors as {"error", "message"},
    and the docs behind a token."""
    api = FastAPI(title=title, description=description, docs_url=None, redoc_url=None, openapi_url=None)
    install_verifier(api, verifier)

    @api.exception_handler(ActionError)
    async def refused(request: Request, failure: ActionError) -> JSONResponse:
        return JSONResponse({"error": failure.code, "message": str(failure)}, status_code=failure.status)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, failure: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": _ERROR_CODES.get(failure.status_code, "ERROR"), "message": str(failure.detail)},
                            status_code=failure.status_code, headers=getattr(failure, "headers", None))

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, failure: RequestValidationError) -> JSONResponse:
        fields = sorted({".".join(str(part) for part in error.get("loc", ())) for error in failure.errors()})
        return JSONResponse({"error": "INVALID_REQUEST", "message": "invalid request: " + ", ".join(fields)},
                            status_code=422)

    @api.get("/api/openapi.json", include_in_schema=False)
    async def openapi(principal: Principal = Depends(require(*READERS))) -> JSONResponse:
        return JSONResponse(api.openapi())

    @api.get("/api/docs", include_in_schema=False)
    async def docs(principal: Principal = Depends(require(*READERS))) -> HTMLResponse:
        # The page fetches openapi.json itself: Swagger UI's "Authorize" sends the same bearer token.
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title=f"{title} API")

    return api
