"""Coding settings: the shared RCM_* settings (no coding-only ones yet)."""

from shared.settings import ServiceSettings


class CodingSettings(ServiceSettings):
    pass
