"""PLB: provider-level adjustments posted to the provider's account with a payer.

A PLB amount is positive when the payer withholds money from this payment (a recoupment of an
earlier overpayment, a forward balance carried to a later 835) and negative when it adds some
(interest on a late claim). The account's balance is the running net of those entries: interest
raises it, a recoupment lowers it, so BPR02 == Σ CLP04 + (change of the balance) to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from shared.events import ProviderAdjustmentPosted, RemittanceReceived
from shared.ids import stable_id

# PLB03-1 adjustment reason codes by what they do to the provider's account.
_KIND_OF: Final = {
    "L6": "interest",  # interest owed on a late payment
    "WO": "recoupment",  # overpayment recovery
    "72": "recoupment",  # authorized return
    "CS": "recoupment",  # adjustment (commonly a recovery)
    "FB": "forward_balance",  # a balance carried forward from/to another 835
}


def kind_of(reason: str) -> str:
    return _KIND_OF.get(reason, "other")


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    """The running net of PLB entries with one payer: negative is money the payer took back."""

    tenant_id: str
    payer_id: str
    balance: Decimal


def post_provider_adjustments(remittance: RemittanceReceived, account: ProviderAccount
                              ) -> tuple[tuple[ProviderAdjustmentPosted, ...], ProviderAccount]:
    """Return one ProviderAdjustmentPosted per PLB amount of `remittance` (stable ids per 835
    trace number and position, so a second ingestion finds them posted) and the account after them.
    Interest (negative PLB) raises the balance, a recoupment or forward balance lowers it."""
    balance = account.balance
    posted = []
    for position, adjustment in enumerate(remittance.provider_adjustments):
        balance -= adjustment.amount
        posted.append(ProviderAdjustmentPosted(
            entry_id=plb_entry_id(remittance.remittance_id, position),
            remittance_id=remittance.remittance_id,
            payer_id=remittance.payer_id,
            kind=kind_of(adjustment.reason),
            reason=adjustment.reason,
            reference=adjustment.reference,
            amount=adjustment.amount,
            account_balance=balance,
            payment_date=remittance.payment_date,
        ))
    return tuple(posted), ProviderAccount(account.tenant_id, account.payer_id, balance)


def plb_entry_id(remittance_id: str, position: int) -> str:
    return stable_id("plb", remittance_id, str(position))
