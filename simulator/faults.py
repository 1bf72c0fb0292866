"""Faults of the trading partners, at configurable rates (RCM_SIM_*), so the platform meets what
real clearinghouses and payers do: an 835 sent twice or late, a 999 that rejects a whole batch, a
271 that never comes, a clearinghouse that is down for a while.

Every draw is seeded by the run's seed, the kind of fault and the id it applies to, so a run is
repeatable, and a batch sent again is answered the same way."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from shared.events import ProviderAdjustment, RemittanceReceived
from shared.money import from_cents, to_cents
from shared.x12 import X12Document
from shared.x12.errors import Issue
from shared.x12.validation.report import ValidationReport


@dataclass(frozen=True, slots=True)
class PartnerFaults:
    duplicate_835_rate: float = 0.0  # the payer sends the same 835 file twice
    late_835_rate: float = 0.0  # the payer holds an 835 back ...
    late_835_seconds: float = 20.0  # ... this long
    batch_reject_rate: float = 0.0  # the clearinghouse's 999 rejects a whole batch
    lost_271_rate: float = 0.0  # the payer never answers a 270
    clearinghouse_down_seconds: float = 0.0  # the clearinghouse is down this long at the end of ...
    clearinghouse_down_every_seconds: float = 600.0  # ... every period this long (from the process's start)
    interest_rate: float = 0.0  # an 835 adds interest for late payment (PLB L6)


def happens(rate: float, seed: int, kind: str, key: str) -> bool:
    """A seeded draw: True for about `rate` of the keys, the same answer every time for one key."""
    if rate <= 0:
        return False
    return zlib.crc32(f"{seed}|{kind}|{key}".encode()) / 0xFFFFFFFF < rate


def clearinghouse_down(faults: PartnerFaults, started: datetime, now: datetime) -> bool:
    """True while the clearinghouse is down: the last `clearinghouse_down_seconds` of each period
    of `clearinghouse_down_every_seconds` since `started` (so a run starts with it up)."""
    down, every = faults.clearinghouse_down_seconds, faults.clearinghouse_down_every_seconds
    if down <= 0 or every <= 0:
        return False
    return (now - started).total_seconds() % every >= every - down


def rejected_batch_report(document: X12Document) -> ValidationReport:
    """What a clearinghouse that refuses a batch whole reports: every functional group not
    supported (999 AK905 code 1, AK9 R), so every claim in it is rejected."""
    groups = [group for interchange in document.interchanges for group in interchange.groups]
    return ValidationReport(errors=tuple(Issue(group.position, "GS", "functional group not supported by the receiver")
                                         for group in groups), warnings=())


def with_interest(remittance: RemittanceReceived) -> RemittanceReceived:
    """The 835 with the payer adding interest for late payment: a PLB L6 of 1 % of what it pays on
    its claims (at least a cent), negative because the payer adds it, and BPR02 raised by it
    (BPR02 = Σ CLP04 − Σ PLB). An 835 that pays nothing owes no interest."""
    paid_cents = to_cents(remittance.payment_amount)
    if paid_cents <= 0:
        return remittance
    interest = max(1, paid_cents // 100)
    return remittance.model_copy(update={
        "payment_amount": from_cents(paid_cents + interest),
        "provider_adjustments": (*remittance.provider_adjustments,
                                 ProviderAdjustment(reason="L6", reference=None, amount=from_cents(-interest))),
    })
