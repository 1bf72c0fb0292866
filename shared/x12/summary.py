"""What `rcm x12 inspect` shows per transaction set: kind, version, claim count and totals.

Counted straight from the segments, so a set that could not be mapped (or is invalid) still gets
a summary; amounts that are not numbers are left out of the totals (validation reports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shared.x12.document import X12Document
from shared.x12.values import is_number

ZERO = Decimal("0.00")


@dataclass
class TransactionSummary:
    set_id: str
    version: str
    control_number: str
    position: int
    claims: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "set": self.set_id,
            "version": self.version,
            "control_number": self.control_number,
            "position": self.position,
            "claims": self.claims,
        }
        summary.update({name: decimal_string(value) for name, value in self.amounts.items()})
        return summary


def decimal_string(value: Decimal) -> str:
    """Two places for cents ("12.50"); more only if the file carried more (validation flags it)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return f"{value:.2f}"
    return f"{value:f}"


def _sum(values: list[str]) -> Decimal:
    total = ZERO
    for value in values:
        if value and is_number(value):
            total += Decimal(value)
    return total


def _element(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


def summarize(document: X12Document) -> list[TransactionSummary]:
    summaries = []
    segments = document.tokens.segments
    for transaction in document.transactions:
        summary = TransactionSummary(
            transaction.set_id, transaction.version, transaction.control_number, transaction.position
        )
        body = segments[transaction.start + 1 : transaction.end]
        if transaction.set_id == "837":
            charges = [_element(segment, 2) for segment in body if segment[0] == "CLM"]
            summary.claims = len(charges)
            summary.amounts["claim_charge_total"] = _sum(charges)
        elif transaction.set_id == "835":
            paid = [_element(segment, 4) for segment in body if segment[0] == "CLP"]
            payment = [_element(segment, 2) for segment in body if segment[0] == "BPR"][:1]
            adjustments = [
                segment[position] for segment in body if segment[0] == "PLB" for position in range(4, len(segment), 2)
            ]
            summary.claims = len(paid)
            summary.amounts["payment_amount"] = _sum(payment)
            summary.amounts["paid_total"] = _sum(paid)
            summary.amounts["provider_adjustment_total"] = _sum(adjustments)
        summaries.append(summary)
    return summaries
