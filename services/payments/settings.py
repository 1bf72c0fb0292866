"""Payments settings: the shared RCM_* settings plus the underpayment tolerance."""

from decimal import Decimal

from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    # A line paid (with the patient's share) below the contract's expected amount by more than this
    # opens an underpayment item: RCM_UNDERPAYMENT_TOLERANCE, in dollars.
    underpayment_tolerance: Decimal = Decimal("1.00")
