"""Signed tokens for API tests: a test issuer with its own key, the JWK set to trust it, and a
verifier or a JWKS file for a service under test.

    token = issue_token("alice", [Role.BILLER], ["tenant-a"])
    client.get("/api/...", headers=bearer(token))

A service process trusts it with the environment of `service_environment(tmp_path)`
(RCM_AUTH_ISSUER, RCM_AUTH_AUDIENCE, RCM_AUTH_JWKS_FILE); an in-process app with `verifier()`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from shared.auth import Role, TokenVerifier

TEST_ISSUER = "https://identity.test.invalid"
TEST_AUDIENCE = "rcm"
TEST_KID = "rcm-test-key-1"
# Test tokens live a day: modules build their headers at import, and a whole suite runs far longer
# than a real token's 15 minutes. Expiry itself is tested with an explicit `expires_in`.
TEST_TOKEN_SECONDS = 24 * 60 * 60

_KEY = ECKey.generate_key("P-256", parameters={"kid": TEST_KID, "alg": "ES256", "use": "sig"}, private=True)
# A key nobody trusts: tokens signed with it must be refused.
_STRANGER = ECKey.generate_key("P-256", parameters={"kid": TEST_KID, "alg": "ES256", "use": "sig"}, private=True)


def jwks() -> dict[str, Any]:
    """The public JWK set that verifies the test issuer's tokens."""
    return {"keys": [_KEY.as_dict(private=False)]}


def issue_token(subject: str, roles: Iterable[Role | str], tenants: Iterable[str], *,
                expires_in: int = TEST_TOKEN_SECONDS,
                issuer: str = TEST_ISSUER, audience: str = TEST_AUDIENCE, issued_at: float | None = None,
                untrusted_key: bool = False, **claims: Any) -> str:
    """A signed token for `subject` with `roles` and `tenants` ("*" = every tenant, admin only).
    `untrusted_key` signs it with a key the verifier does not know; extra `claims` are added."""
    now = int(issued_at if issued_at is not None else time.time())
    body = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "nbf": now, "exp": now + expires_in,
            "jti": uuid.uuid4().hex, "roles": [str(role) for role in roles], "tenants": list(tenants), **claims}
    return jwt.encode({"alg": "ES256", "kid": TEST_KID, "typ": "JWT"}, body, _STRANGER if untrusted_key else _KEY)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def auth_headers(subject: str, roles: Iterable[Role | str], tenants: Iterable[str], **options: Any) -> dict[str, str]:
    return bearer(issue_token(subject, roles, tenants, **options))


def verifier(**options: Any) -> TokenVerifier:
    return TokenVerifier(issuer=TEST_ISSUER, audience=TEST_AUDIENCE, jwks=jwks(), **options)


def write_jwks(path: Path) -> Path:
    path.write_text(json.dumps(jwks()))
    return path


def service_environment(directory: Path) -> dict[str, str]:
    """RCM_AUTH_* for a service process that must trust the test issuer (its JWKS written in `directory`)."""
    directory.mkdir(parents=True, exist_ok=True)
    return {"RCM_AUTH_ISSUER": TEST_ISSUER, "RCM_AUTH_AUDIENCE": TEST_AUDIENCE,
            "RCM_AUTH_JWKS_FILE": str(write_jwks(directory / "test-jwks.json"))}


def auth_settings(directory: Path) -> dict[str, str]:
    """The same as ServiceSettings keyword arguments."""
    return {key.removeprefix("RCM_").lower(): value for key, value in service_environment(directory).items()}
