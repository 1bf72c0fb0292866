"""The local issuer's settings: the shared RCM_* settings (its issuer URL is RCM_AUTH_ISSUER, its
audience RCM_AUTH_AUDIENCE) plus how long a token lives."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    # RCM_TOKEN_TTL_SECONDS: a short-lived access token; a person signs in again after it.
    token_ttl_seconds: int = Field(default=900, ge=60, le=12 * 60 * 60)

    def assert_production_ready(self) -> None:
        """The local issuer is for development, the demo and tests; production trusts the billing
        company's OIDC provider."""
        super().assert_production_ready()
        if self.environment == "production":
            raise RuntimeError("the local issuer does not run in production: set RCM_AUTH_ISSUER to the OIDC provider")
