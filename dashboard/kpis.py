"""KPIs over the read model's encounter rows (pure). Definitions are in docs/kpis.md.

- clean-claim rate: claims that passed their first scrub / claims scrubbed
- first-pass rate: original claims paid (fully or partly) at their first adjudication / adjudicated
- denial rate: original claims denied in whole or in part at their first adjudication / adjudicated
- net collection rate: payer payments / (charges - contractual adjustments), over posted claims
- days registration -> payment: mean days from registration to the first payer payment
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shared.money import ZERO, stored_amount

# Where the automated cycle is done with an encounter: closed out, or parked for a person (the
# coding review queue, registration's eligibility queue).
TERMINAL_STAGES = frozenset({"paid", "written_off", "appealed", "scrub_failed", "rejected", "closed",
                             "coding_review", "eligibility_review"})


def stage(row: dict) -> str:
    """The encounter's stage: its claim's status, or where it is before a claim exists. An encounter
    released from a queue later moves on as soon as coding holds it or its claim exists."""
    if row.get("claim_status"):
        return row["claim_status"]
    if row.get("held_for_coding"):
        return "coding_review"
    if row.get("held_for_eligibility"):
        return "eligibility_review"
    return "registered"


def _ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.01"))


@dataclass
class Kpis:
    encounters: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)
    terminal: int = 0
    clean_claim_rate: Decimal | None = None
    first_pass_rate: Decimal | None = None
    denial_rate: Decimal | None = None
    net_collection_rate: Decimal | None = None
    avg_days_registration_to_payment: Decimal | None = None
    charged: Decimal = ZERO
    posted: Decimal = ZERO
    contractual: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    denied: Decimal = ZERO

    def as_json(self) -> dict:
        def out(value):
            return None if value is None else (f"{value:.2f}" if isinstance(value, Decimal) else value)
        return {key: (dict(sorted(value.items())) if isinstance(value, dict) else out(value))
                for key, value in self.__dict__.items()}


def compute(rows: Iterable[dict]) -> Kpis:
    kpis = Kpis()
    stages: Counter[str] = Counter()
    scrubbed = clean = adjudicated = first_paid = first_denied = 0
    posted_billed = ZERO
    days: list[int] = []
    for row in rows:
        kpis.encounters += 1
        stages[stage(row)] += 1
        if row.get("billed") is not None:
            kpis.charged += stored_amount(row["billed"])
        if row.get("first_scrub"):
            scrubbed += 1
            clean += row["first_scrub"] == "scrubbed"
        if row.get("first_adjudication"):
            adjudicated += 1
            first_paid += row["first_adjudication"] in ("paid", "partially_paid")
            first_denied += row["first_adjudication"] in ("denied", "partially_paid")
        postings = (row.get("postings") or {}).values()
        if postings:
            posted_billed += stored_amount(row["billed"]) if row.get("billed") is not None else ZERO
        paid_dates = []
        for posting in postings:
            kpis.posted += stored_amount(posting["paid"])
            kpis.contractual += stored_amount(posting["contractual"])
            kpis.patient_responsibility += stored_amount(posting["patient_responsibility"])
            kpis.denied += stored_amount(posting["denied"])
            if stored_amount(posting["paid"]) > 0:
                paid_dates.append(date.fromisoformat(posting["payment_date"]))
        if paid_dates and row.get("registered_at"):
            days.append((min(paid_dates) - row["registered_at"].date()).days)
    kpis.by_stage = dict(stages)
    kpis.terminal = sum(n for s, n in stages.items() if s in TERMINAL_STAGES)
    kpis.clean_claim_rate = _ratio(clean, scrubbed)
    kpis.first_pass_rate = _ratio(first_paid, adjudicated)
    kpis.denial_rate = _ratio(first_denied, adjudicated)
    kpis.net_collection_rate = _ratio(kpis.posted, posted_billed - kpis.contractual)
    if days:
        kpis.avg_days_registration_to_payment = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.01"))
    return kpis
