"""Denials settings: the shared RCM_* settings plus the default appeal window and the API token."""

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings

# A development-only token, so the demo and tests run with no setup; refused in production.
DEV_API_TOKEN = "rcm-development-only-denials-token"


class DenialsSettings(ServiceSettings):
    appeal_window_days: int = Field(default=90, ge=1)  # RCM_APPEAL_WINDOW_DAYS: when no payer rule says otherwise
    # RCM_DENIALS_API_TOKEN: the bearer token of the work-queue API (a Kubernetes Secret in production).
    denials_api_token: SecretStr = SecretStr(DEV_API_TOKEN)
    # RCM_DENIALS_API_URL: where `rcm denials` finds the API (default: this host's denials HTTP port).
    denials_api_url: str | None = None

    def assert_production_ready(self) -> None:
        super().assert_production_ready()
        if self.environment == "production" and self.denials_api_token.get_secret_value() == DEV_API_TOKEN:
            raise RuntimeError("RCM_DENIALS_API_TOKEN must be set in production")

    def api_url(self) -> str:
        return self.denials_api_url or f"http://{self.http_host}:{self.http_port or 8105}"
