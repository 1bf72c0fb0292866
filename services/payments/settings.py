"""Payments settings: the shared RCM_* settings (no payments-only ones yet)."""

from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    pass
