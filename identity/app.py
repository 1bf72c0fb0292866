"""The project's own token issuer, for development, the demo and tests (production trusts the
billing company's OIDC provider instead):

    GET  /.well-known/openid-configuration   the discovery document (issuer, token endpoint, JWKS)
    GET  /.well-known/jwks.json              the public signing key
    POST /token                              password grant (form or JSON: grant_type=password,
                                             username, password) -> a short-lived ES256 JWT
    GET  /health

A token carries iss, aud, sub (the user name), iat, nbf, exp, jti, and the user's `roles` and
`tenants`, as shared/auth.py reads them. A refused sign-in answers 400 invalid_grant, the same for
an unknown user and a wrong password.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from joserfc import jwt
from pymongo import AsyncMongoClient

from identity.keys import ALGORITHM, signing_key
from identity.settings import IdentitySettings
from identity.users import Users
from shared.clock import Clock, SystemClock

SERVICE = "identity"


def token_claims(user, settings: IdentitySettings, now: float) -> dict:
    issued = int(now)
    return {"iss": settings.auth_issuer, "aud": settings.auth_audience, "sub": user.name, "iat": issued,
            "nbf": issued, "exp": issued + settings.token_ttl_seconds, "jti": uuid.uuid4().hex,
            "roles": sorted(user.roles), "tenants": sorted(user.tenants)}


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return {key: value for key, value in data.items() if isinstance(value, str)} if isinstance(data, dict) else {}
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}


def build_app(settings: IdentitySettings | None = None, *, client: AsyncMongoClient | None = None,
              clock: Clock | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    settings.assert_production_ready()
    clock = clock or SystemClock()
    mongo = client or AsyncMongoClient(settings.mongo_uri, tz_aware=True, connect=False)
    database = mongo[settings.database(SERVICE)]
    users = Users(database)
    issuer = settings.auth_issuer.rstrip("/")
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        if client is None:
            await mongo.close()

    app = FastAPI(title="rcm local identity issuer", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    state: dict = {}

    async def key():
        if "key" not in state:
            state["key"] = await signing_key(database, clock.now())
        return state["key"]

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict:
        return {"issuer": settings.auth_issuer, "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/.well-known/jwks.json", "grant_types_supported": ["password"],
                "response_types_supported": ["token"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [ALGORITHM],
                "token_endpoint_auth_methods_supported": ["none"], "claims_supported": ["sub", "roles", "tenants"]}

    @app.get("/.well-known/jwks.json")
    async def jwks() -> JSONResponse:
        return JSONResponse({"keys": [(await key()).as_dict(private=False)]},
                            headers={"Cache-Control": "public, max-age=300"})

    @app.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = await _form(request)
        if form.get("grant_type") != "password":
            return _oauth_error("unsupported_grant_type", "only the password grant is offered")
        name, password = form.get("username", ""), form.get("password", "")
        user = await users.authenticate(name, password) if name and password else None
        if user is None:
            return _oauth_error("invalid_grant", "unknown user or wrong password")
        signing = await key()
        value = jwt.encode({"alg": ALGORITHM, "kid": signing.kid, "typ": "JWT"},
                           token_claims(user, settings, time.time()), signing)
        return JSONResponse({"access_token": value, "token_type": "Bearer", "expires_in": settings.token_ttl_seconds},
                            headers={"Cache-Control": "no-store"})

    @app.get("/health")
    async def health() -> Response:
        return Response(status_code=204)

    return app


def _oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400,
                        headers={"Cache-Control": "no-store"})
