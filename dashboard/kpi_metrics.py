"""KPI metric families from the read model's encounter rows (pure: rows in, Prometheus samples out).

Labels are tenant, payer, state, category, bucket, kind and reason: a few values each. Never an encounter or
claim id, never PHI. Cumulative counts are counters (a rebuilt read model shows as a counter reset),
levels are gauges. Money leaves the platform's Decimal only here, as a float sample for Prometheus;
nothing computes with these floats. Definitions: docs/kpis.md and docs/observability.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from dashboard.kpis import stage
from shared.money import ZERO, stored_amount

# A/R aging buckets by days since the date of service: (label, first day, last day or None).
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("91-120", 91, 120), ("120+", 121, None))
# Claims with nothing more to collect from the payer: no insurance A/R left on them. A denied claim
# stays open until denials resubmits, appeals (still open) or writes it off.
_SETTLED = frozenset({"paid", "written_off", "closed"})
POSTED_KINDS = ("paid", "contractual", "patient_responsibility", "other", "denied")
UNCATEGORIZED = "uncategorized"
UNKNOWN = "unknown"
# Days in A/R divides outstanding A/R by the average daily charges over this many days.
DAYS_IN_AR_WINDOW = 90


@dataclass
class _Group:
    """What one (tenant, payer) pair adds up to."""

    states: Counter[str] = field(default_factory=Counter)
    scrubbed: int = 0
    clean: int = 0
    adjudicated: int = 0
    first_pass_paid: int = 0
    initial_denials: Counter[str] = field(default_factory=Counter)
    charged: Decimal = ZERO
    recent_charges: Decimal = ZERO
    posted: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(POSTED_KINDS, ZERO))
    posted_billed: Decimal = ZERO
    aging: dict[str, Decimal] = field(default_factory=lambda: {label: ZERO for label, _, _ in AGING_BUCKETS})
    charge_lag_days: list[int] = field(default_factory=list)


def aging_bucket(days: int) -> str:
    """The A/R aging bucket of a claim `days` after its date of service (negative counts as 0)."""
    for label, first, last in AGING_BUCKETS:
        if last is None or max(days, 0) <= last:
            return label
    raise AssertionError("the last bucket is open-ended")


def _add(group: _Group, row: dict, today: date) -> None:
    group.states[stage(row)] += 1
    if row.get("first_scrub"):
        group.scrubbed += 1
        group.clean += row["first_scrub"] == "scrubbed"
    first = row.get("first_adjudication")
    if first:
        group.adjudicated += 1
        group.first_pass_paid += first in ("paid", "partially_paid")
        if first in ("denied", "partially_paid"):
            categories = row.get("denial_categories") or [UNCATEGORIZED]
            group.initial_denials[categories[0]] += 1
    billed = stored_amount(row["billed"]) if row.get("billed") is not None else None
    service_date = date.fromisoformat(row["date_of_service"]) if row.get("date_of_service") else None
    if billed is not None:
        group.charged += billed
        if service_date is not None and (today - service_date).days <= DAYS_IN_AR_WINDOW:
            group.recent_charges += billed
    postings = list((row.get("postings") or {}).values())
    resolved = ZERO
    for posting in postings:
        for kind, key in (("paid", "paid"), ("contractual", "contractual"),
                          ("patient_responsibility", "patient_responsibility"), ("other", "other"),
                          ("denied", "denied")):
            amount = stored_amount(posting[key])
            group.posted[kind] += amount
            if kind != "denied":
                resolved += amount
    if postings and billed is not None:
        group.posted_billed += billed
    if billed is not None and service_date is not None and stage(row) not in _SETTLED:
        outstanding = billed - resolved
        if outstanding > 0:
            group.aging[aging_bucket((today - service_date).days)] += outstanding
    if service_date is not None and row.get("claim_created_at"):
        group.charge_lag_days.append((row["claim_created_at"].date() - service_date).days)


def _groups(rows: Iterable[dict], today: date) -> dict[tuple[str, str], _Group]:
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    for row in rows:
        _add(groups[(row.get("tenant_id") or UNKNOWN, row.get("payer_id") or UNKNOWN)], row, today)
    return groups


def families(rows: Iterable[dict], today: date) -> list[Metric]:
    """Every KPI metric family for `rows` (the dashboard projection's encounter rows) on `today`."""
    rows = list(rows)
    labels = ["tenant", "payer"]
    by_state = GaugeMetricFamily("rcm_claims_by_state", "Encounters by stage (claim status, or before a claim)",
                                 labels=[*labels, "state"])
    scrubbed = CounterMetricFamily("rcm_claims_scrubbed", "Claims scrubbed at least once", labels=labels)
    clean = CounterMetricFamily("rcm_claims_clean_first_scrub", "Claims that passed their first scrub",
                                labels=labels)
    adjudicated = CounterMetricFamily("rcm_claims_adjudicated", "Original claims adjudicated by the payer",
                                      labels=labels)
    first_pass = CounterMetricFamily("rcm_claims_first_pass_paid",
                                     "Original claims paid (fully or partly) at their first adjudication",
                                     labels=labels)
    denials = CounterMetricFamily("rcm_claims_initial_denials",
                                  "Original claims denied (whole or in part) at their first adjudication, by "
                                  "the denial's category", labels=[*labels, "category"])
    charged = CounterMetricFamily("rcm_charges_dollars", "Billed charges of every claim", labels=labels)
    recent = GaugeMetricFamily("rcm_charges_recent_dollars", f"Billed charges with a date of service in the last "
                               f"{DAYS_IN_AR_WINDOW} days (the days-in-A/R denominator)", labels=labels)
    posted = CounterMetricFamily("rcm_posted_dollars", "Posted remittance amounts, by kind",
                                 labels=[*labels, "kind"])
    posted_billed = CounterMetricFamily("rcm_posted_claims_billed_dollars",
                                        "Billed charges of the claims that have a posting", labels=labels)
    aging = GaugeMetricFamily("rcm_ar_outstanding_dollars",
                              "Insurance A/R still open, by days since the date of service",
                              labels=[*labels, "bucket"])
    days_in_ar = GaugeMetricFamily("rcm_days_in_ar", f"Open A/R / average daily charges of the last "
                                   f"{DAYS_IN_AR_WINDOW} days", labels=labels)
    charge_lag = GaugeMetricFamily("rcm_charge_lag_days", "Mean days from date of service to claim creation",
                                   labels=labels)
    patient = GaugeMetricFamily("rcm_patient_balance_dollars",
                                "Patient responsibility posted from remittances (balances owed by patients)",
                                labels=labels)
    for (tenant, payer), group in sorted(_groups(rows, today).items()):
        pair = [tenant, payer]
        for state, count in sorted(group.states.items()):
            by_state.add_metric([*pair, state], count)
        scrubbed.add_metric(pair, group.scrubbed)
        clean.add_metric(pair, group.clean)
        adjudicated.add_metric(pair, group.adjudicated)
        first_pass.add_metric(pair, group.first_pass_paid)
        for category, count in sorted(group.initial_denials.items()):
            denials.add_metric([*pair, category], count)
        charged.add_metric(pair, float(group.charged))
        recent.add_metric(pair, float(group.recent_charges))
        for kind in POSTED_KINDS:
            posted.add_metric([*pair, kind], float(group.posted[kind]))
        posted_billed.add_metric(pair, float(group.posted_billed))
        for bucket, amount in group.aging.items():
            aging.add_metric([*pair, bucket], float(amount))
        open_ar = sum(group.aging.values(), ZERO)
        daily = group.recent_charges / DAYS_IN_AR_WINDOW
        days_in_ar.add_metric(pair, float(open_ar / daily) if daily else 0.0)
        if group.charge_lag_days:
            charge_lag.add_metric(pair, sum(group.charge_lag_days) / len(group.charge_lag_days))
        patient.add_metric(pair, float(group.posted["patient_responsibility"]))
    return [by_state, scrubbed, clean, adjudicated, first_pass, denials, charged, recent, posted, posted_billed, aging,
            days_in_ar, charge_lag, patient, held_for_eligibility(rows)]


def held_for_eligibility(rows: Iterable[dict]) -> Metric:
    """Encounters waiting in registration's eligibility queue, by the reason (finding code) they were held."""
    family = GaugeMetricFamily("rcm_encounters_held_for_eligibility", "Encounters held in registration's "
                               "eligibility queue (coverage not verified active), by reason",
                               labels=["tenant", "reason"])
    held: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if stage(row) == "eligibility_review":
            reasons = row.get("eligibility_findings") or [UNKNOWN]
            held[(row.get("tenant_id") or UNKNOWN, reasons[0])] += 1
    for key, count in sorted(held.items()):
        family.add_metric(list(key), count)
    return family
