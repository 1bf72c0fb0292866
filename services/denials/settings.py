"""Denials settings: the shared RCM_* settings plus the default appeal window and where the API is."""

from pydantic import Field

from shared.settings import ServiceSettings


class DenialsSettings(ServiceSettings):
    appeal_window_days: int = Field(default=90, ge=1)  # RCM_APPEAL_WINDOW_DAYS: when no payer rule says otherwise
    # RCM_DENIALS_API_URL: where `rcm denials` finds the API (default: this host's denials HTTP port).
    denials_api_url: str | None = None

    def api_url(self) -> str:
        return self.denials_api_url or f"http://{self.http_host}:{self.http_port or 8105}"
