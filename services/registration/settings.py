"""Registration settings: the shared RCM_* settings (no registration-only ones yet)."""

from shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    pass
