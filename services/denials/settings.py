"""Denials settings: the shared RCM_* settings plus the default appeal window."""

from pydantic import Field

from shared.settings import ServiceSettings


class DenialsSettings(ServiceSettings):
    appeal_window_days: int = Field(default=90, ge=1)  # RCM_APPEAL_WINDOW_DAYS: when no payer rule says otherwise
