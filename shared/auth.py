"""Who is calling: roles, tenant scopes, and the signed tokens (JWT) that carry them.

Every service API verifies a bearer token signed by the identity provider: its issuer, audience and
expiry, and reads the roles and tenants claims. Production trusts the billing company's OIDC provider
(RCM_AUTH_ISSUER, RCM_AUTH_AUDIENCE, RCM_AUTH_JWKS_URL); locally and in tests the project's own
issuer (identity/) signs them. The actor of every action is the token's subject.

    @api.post("/api/things/{id}/take")
    async def take(id: str, principal: Principal = Depends(require(Role.BILLER, Role.SUPERVISOR))): ...

`require` answers 401 (with `WWW-Authenticate: Bearer`) without a valid token and 403 when the
caller holds none of the roles. A practice viewer is read-only: a write (any method but GET, HEAD,
OPTIONS, or `require(..., write=True)`) refuses it whatever roles are listed. `check_tenant` answers
403 for a tenant outside the caller's scopes. An app finds its verifier in `app.state.token_verifier`
(`install_verifier`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
from fastapi import HTTPException, Request
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALL_TENANTS = "*"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALGORITHMS = ("RS256", "ES256", "PS256", "EdDSA")


class Role(StrEnum):
    CODER = "coder"
    BILLER = "biller"
    DENIAL_SPECIALIST = "denial_specialist"
    PAYMENT_POSTER = "payment_poster"
    PATIENT_ACCOUNTS = "patient_accounts"
    SUPERVISOR = "supervisor"
    PRACTICE_VIEWER = "practice_viewer"  # read-only, its own tenants
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """A verified caller. `tenants` holds tenant ids, or "*" (every tenant) for an admin."""

    subject: str
    roles: frozenset[Role]
    tenants: frozenset[str]

    def __post_init__(self) -> None:
        if not self.subject:
            raise ValueError("a principal needs a subject")
        if ALL_TENANTS in self.tenants and Role.ADMIN not in self.roles:
            raise ValueError("only an admin may hold every tenant")

    def can_see(self, tenant_id: str | None) -> bool:
        return ALL_TENANTS in self.tenants or (tenant_id is not None and tenant_id in self.tenants)

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def read_only(self) -> bool:
        """Only a practice viewer's role (or none): may read, never write."""
        return self.roles <= {Role.PRACTICE_VIEWER}

    def tenant_filter(self) -> list[str] | None:
        """The tenant ids to restrict a query to, or None for every tenant."""
        return None if ALL_TENANTS in self.tenants else sorted(self.tenants)


class Unauthenticated(HTTPException):
    def __init__(self, message: str = "a valid bearer token is required") -> None:
        super().__init__(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(HTTPException):
    def __init__(self, message: str) -> None:
        super().__init__(status_code=403, detail=message)


class InvalidToken(Exception):
    """A token that is not signed by a trusted key, expired, or for another issuer or audience.
    The message names the failed check only, never the token."""


def check_tenant(principal: Principal, tenant_id: str | None) -> None:
    """403 unless the caller's scopes include `tenant_id`."""
    if not principal.can_see(tenant_id):
        raise Forbidden("this tenant is outside your scope")


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path ("realm_access.roles" for providers that nest roles)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()  # a space-separated claim, as OAuth scopes are
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def principal_from_claims(claims: Mapping[str, Any], *, roles_claim: str = "roles",
                          tenants_claim: str = "tenants") -> Principal:
    """The principal of verified claims. Roles the platform does not know are ignored (a provider's
    groups may hold others); a token with none of ours, or without tenants, is refused."""
    roles = frozenset(Role(name) for name in _strings(_claim(claims, roles_claim)) if name in Role.__members__.values())
    tenants = frozenset(_strings(_claim(claims, tenants_claim)))
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the token has no subject")
    if not roles:
        raise InvalidToken("the token carries no role of this platform")
    if not tenants:
        raise InvalidToken("the token carries no tenant")
    try:
        return Principal(subject=subject, roles=roles, tenants=tenants)
    except ValueError as refused:
        raise InvalidToken(str(refused)) from None


class TokenVerifier:
    """Verifies bearer tokens against a JWK set from a URL (cached `cache_seconds`, fetched again
    at once, at most every `refetch_seconds`, when a token names a key it does not hold), a file, or
    given as a mapping (tests)."""

    def __init__(self, *, issuer: str, audience: str, jwks_url: str | None = None, jwks_file: str | Path | None = None,
                 jwks: Mapping[str, Any] | None = None, roles_claim: str = "roles", tenants_claim: str = "tenants",
                 leeway_seconds: int = 30, cache_seconds: float = 300.0, refetch_seconds: float = 10.0,
                 algorithms: Iterable[str] = ALGORITHMS, now: Callable[[], float] = time.time,
                 http: httpx.AsyncClient | None = None) -> None:
        if sum(source is not None for source in (jwks_url, jwks_file, jwks)) != 1:
            raise ValueError("give exactly one of jwks_url, jwks_file, jwks")
        self.issuer, self.audience = issuer, audience
        self._jwks_url, self._jwks_file = jwks_url, Path(jwks_file) if jwks_file is not None else None
        self._roles_claim, self._tenants_claim = roles_claim, tenants_claim
        self._leeway, self._cache_seconds, self._refetch_seconds = leeway_seconds, cache_seconds, refetch_seconds
        self._algorithms = list(algorithms)
        self._now = now
        self._http = http
        self._keys: KeySet | None = KeySet.import_key_set(dict(jwks)) if jwks is not None else None
        self._loaded_at = self._now() if jwks is not None else float("-inf")
        self._tried_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _load(self) -> KeySet:
        if self._jwks_file is not None:
            data = json.loads(self._jwks_file.read_text())
        else:
            if self._http is not None:
                response = await self._http.get(self._jwks_url, timeout=5.0)
            else:
                async with httpx.AsyncClient() as client:
                    response = await client.get(self._jwks_url, timeout=5.0)
            response.raise_for_status()
            data = response.json()
        return KeySet.import_key_set(data)

    async def keys(self, *, kid: str | None = None) -> KeySet:
        """The cached key set; loaded again when stale, or when `kid` is unknown and the last load
        is older than `refetch_seconds` (the provider rotated its keys)."""
        if self._jwks_url is None and self._jwks_file is None:
            assert self._keys is not None
            return self._keys
        async with self._lock:
            now = self._now()
            stale = now - self._loaded_at >= self._cache_seconds
            unknown = kid is not None and (self._keys is None or not _holds(self._keys, kid))
            if (self._keys is None or stale or unknown) and now - self._tried_at >= self._refetch_seconds:
                self._tried_at = now
                try:
                    self._keys = await self._load()
                    self._loaded_at = now
                except (httpx.HTTPError, OSError, ValueError, JoseError) as failure:
                    if self._keys is None:
                        raise InvalidToken(f"the signing keys could not be loaded ({type(failure).__name__})") from None
            if self._keys is None:
                raise InvalidToken("the signing keys are not loaded yet")
            return self._keys

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; InvalidToken otherwise."""
        try:
            header = jws.extract_compact(token.encode()).protected if token.count(".") == 2 else None
        except (JoseError, ValueError):
            header = None
        if not header:
            raise InvalidToken("the token is not a signed JWT")
        keys = await self.keys(kid=header.get("kid"))
        try:
            decoded = jwt.decode(token, keys, algorithms=self._algorithms)
        except (JoseError, ValueError) as failure:
            raise InvalidToken(f"the token's signature does not verify ({type(failure).__name__})") from None
        registry = jwt.JWTClaimsRegistry(now=int(self._now()), leeway=self._leeway,
                                         iss={"essential": True, "value": self.issuer},
                                         aud={"essential": True, "value": self.audience},
                                         exp={"essential": True}, sub={"essential": True})
        try:
            registry.validate(decoded.claims)
        except JoseError as failure:
            raise InvalidToken(f"the token's claims are refused ({failure.error})") from None
        return principal_from_claims(decoded.claims, roles_claim=self._roles_claim, tenants_claim=self._tenants_claim)


def _holds(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


def install_verifier(app: Any, verifier: TokenVerifier) -> None:
    """Make `verifier` the one `require` uses in `app` (a FastAPI app)."""
    app.state.token_verifier = verifier


def bearer_token(request: Request) -> str | None:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(request: Request) -> Principal:
    """The verified principal of a request (cached on it), or 401."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated()
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise RuntimeError("no token verifier installed on this app (shared.auth.install_verifier)")
    try:
        principal = await verifier.verify(token)
    except InvalidToken as refused:
        raise Unauthenticated(str(refused)) from None
    request.state.principal = principal
    return principal


def require(*roles: Role, write: bool | None = None):
    """A FastAPI dependency: the caller's principal when it holds one of `roles` (401/403 otherwise).
    `write` defaults to "the request changes something" (its method); a write refuses a
    practice viewer even if it is listed."""
    wanted = frozenset(roles)
    if not wanted:
        raise ValueError("require() needs at least one role")

    async def dependency(request: Request) -> Principal:
        principal = await authenticate(request)
        writing = write if write is not None else request.method.upper() not in SAFE_METHODS
        allowed = wanted - {Role.PRACTICE_VIEWER} if writing else wanted
        if not principal.has_any(allowed):
            raise Forbidden("your roles do not allow this" + (" (a practice viewer only reads)" if writing and
                                                              principal.read_only else ""))
        return principal

    return dependency
