"""Faults of the trading partners, at configurable rates (RCM_SIM_*), so the platform meets what
real clearinghouses and payers do: an 835 sent twice or late, a 999 that rejects a whole batch, a
271 that never comes, a clearinghouse that is down for a while.

Every draw is seeded by the run's seed, the kind of fault and the id it applies to, so a run is
repeatable, and a batch sent again is answered the same way."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

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
