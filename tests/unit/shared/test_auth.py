"""Tokens, roles and tenant scopes (shared/auth.py), with tokens signed by the test issuer."""

import json

import httpx
import pytest
from fastapi import Depends, FastAPI

from shared.auth import (
    InvalidToken,
    Principal,
    Role,
    TokenVerifier,
    check_tenant,
    install_verifier,
    principal_from_claims,
    require,
)
from tests.support.identity import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    auth_headers,
    issue_token,
    jwks,
    verifier,
    write_jwks,
)


async def test_a_valid_token_gives_its_subject_roles_and_tenants() -> None:
    principal = await verifier().verify(issue_token("alice", [Role.BILLER, Role.CODER], ["tn_a", "tn_b"]))
    assert principal == Principal("alice", frozenset({Role.BILLER, Role.CODER}), frozenset({"tn_a", "tn_b"}))


@pytest.mark.parametrize("token", [
    issue_token("a", [Role.BILLER], ["tn_a"], untrusted_key=True),
    issue_token("a", [Role.BILLER], ["tn_a"], expires_in=-120),
    issue_token("a", [Role.BILLER], ["tn_a"], audience="someone-else"),
    issue_token("a", [Role.BILLER], ["tn_a"], issuer="https://elsewhere.invalid"),
    issue_token("a", [Role.BILLER], ["*"]),  # every tenant is for admins only
    issue_token("a", ["janitor"], ["tn_a"]),  # no role of ours
    issue_token("a", [Role.BILLER], []),
    "not-a-token", "a.b.c", "",
], ids=["stranger", "expired", "audience", "issuer", "star", "no-role", "no-tenant", "junk", "dots", "empty"])
async def test_a_token_failing_any_check_is_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        await verifier().verify(token)


async def test_an_unsigned_token_is_refused() -> None:
    header, body, _ = issue_token("a", [Role.ADMIN], ["*"]).split(".")
    import base64
    none = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
    for token in (f"{none}.{body}.", f"{none}.{body}.x", f"{header}.{body}."):
        with pytest.raises(InvalidToken):
            await verifier().verify(token)


def test_roles_nested_in_a_provider_claim_and_unknown_roles_ignored() -> None:
    claims = {"sub": "bob", "realm_access": {"roles": ["offline_access", "supervisor"]}, "tenants": "tn_a tn_b"}
    principal = principal_from_claims(claims, roles_claim="realm_access.roles")
    assert principal.roles == {Role.SUPERVISOR} and principal.tenants == {"tn_a", "tn_b"}


def test_tenant_scope() -> None:
    viewer = Principal("v", frozenset({Role.PRACTICE_VIEWER}), frozenset({"tn_a"}))
    admin = Principal("root", frozenset({Role.ADMIN}), frozenset({"*"}))
    assert viewer.can_see("tn_a") and not viewer.can_see("tn_b") and not viewer.can_see(None)
    assert admin.can_see("tn_b") and admin.tenant_filter() is None and viewer.tenant_filter() == ["tn_a"]
    check_tenant(viewer, "tn_a")
    with pytest.raises(Exception) as refused:
        check_tenant(viewer, "tn_b")
    assert refused.value.status_code == 403
    with pytest.raises(ValueError):
        Principal("x", frozenset({Role.SUPERVISOR}), frozenset({"*"}))


async def test_keys_from_a_file() -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as directory:
        path = write_jwks(Path(directory) / "jwks.json")
        file_verifier = TokenVerifier(issuer=TEST_ISSUER, audience=TEST_AUDIENCE, jwks_file=path)
        assert (await file_verifier.verify(issue_token("c", [Role.CODER], ["tn_a"]))).subject == "c"


async def test_keys_from_a_url_are_cached_and_fetched_again_for_an_unknown_key() -> None:
    fetches = []
    published = {"keys": []}

    def serve(request: httpx.Request) -> httpx.Response:
        fetches.append(str(request.url))
        return httpx.Response(200, json=published)

    clock = [1000.0]
    url_verifier = TokenVerifier(issuer=TEST_ISSUER, audience=TEST_AUDIENCE, jwks_url="https://idp.invalid/jwks",
                                 http=httpx.AsyncClient(transport=httpx.MockTransport(serve)),
                                 now=lambda: clock[0], cache_seconds=300, refetch_seconds=10)
    token = issue_token("d", [Role.CODER], ["tn_a"], issued_at=clock[0])
    with pytest.raises(InvalidToken):  # the provider has not published the key yet
        await url_verifier.verify(token)
    published.update(jwks())  # rotation: the key appears
    with pytest.raises(InvalidToken):  # asked again only after refetch_seconds
        await url_verifier.verify(token)
    assert len(fetches) == 1
    clock[0] += 11
    assert (await url_verifier.verify(token)).subject == "d"
    await url_verifier.verify(token)
    assert len(fetches) == 2  # then served from the cache


def _app() -> FastAPI:
    app = FastAPI()
    install_verifier(app, verifier())

    @app.get("/things")
    async def read(principal: Principal = Depends(require(Role.BILLER, Role.PRACTICE_VIEWER))) -> dict:
        return {"subject": principal.subject}

    @app.post("/things")
    async def write(principal: Principal = Depends(require(Role.BILLER, Role.PRACTICE_VIEWER))) -> dict:
        return {"subject": principal.subject}

    @app.post("/write-offs")
    async def write_off(principal: Principal = Depends(require(Role.DENIAL_SPECIALIST, Role.SUPERVISOR))) -> dict:
        return {"subject": principal.subject}

    return app


async def test_require_answers_401_403_and_the_principal() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://test") as client:
        missing = await client.get("/things")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        bad = await client.get("/things", headers={"Authorization": "Bearer nonsense"})
        assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
        basic = await client.get("/things", headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert basic.status_code == 401

        biller = auth_headers("bea", [Role.BILLER], ["tn_a"])
        assert (await client.get("/things", headers=biller)).json() == {"subject": "bea"}
        assert (await client.post("/things", headers=biller)).status_code == 200

        viewer = auth_headers("vic", [Role.PRACTICE_VIEWER], ["tn_a"])
        assert (await client.get("/things", headers=viewer)).status_code == 200
        assert (await client.post("/things", headers=viewer)).status_code == 403  # read-only, even if listed

        coder = auth_headers("cody", [Role.CODER], ["tn_a"])
        assert (await client.post("/write-offs", headers=coder)).status_code == 403
        assert (await client.get("/things", headers=coder)).status_code == 403
        specialist = auth_headers("dee", [Role.DENIAL_SPECIALIST], ["tn_a"])
        assert (await client.post("/write-offs", headers=specialist)).status_code == 200
