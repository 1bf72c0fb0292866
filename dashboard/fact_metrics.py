"""Metric families from the dashboard's fact collections (pure: documents in, Prometheus samples out).

Scrub failures by rule category, coder QA, PLB by payer and reason, held remittances, underpayments,
patient balances and statements. Labels: tenant, payer, category, reason, kind, coder (a user id)
and decision; never a patient, claim or encounter id. Counts and sums that only grow are counters;
levels and signed sums are gauges. A family that backs a KPI panel is exported for every known
tenant (and payer) even at 0, so the panel shows 0 rather than "no data". Definitions:
docs/observability.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from dashboard import facts
from shared.money import ZERO, stored_amount

UNKNOWN = "unknown"


@dataclass
class Facts:
    """The documents of each fact collection (see dashboard/facts.py)."""

    scrub_failures: list[dict] = field(default_factory=list)
    coding_reviews: list[dict] = field(default_factory=list)
    provider_adjustments: list[dict] = field(default_factory=list)
    held_remittances: list[dict] = field(default_factory=list)
    underpayments: list[dict] = field(default_factory=list)
    patient_balances: list[dict] = field(default_factory=list)
    patient_statements: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, documents: Mapping[str, list[dict]]) -> Facts:
        return cls(**{name: list(documents.get(name, ())) for name in facts.COLLECTIONS})


def _tenant(doc: dict) -> str:
    return doc.get("tenant_id") or UNKNOWN


def _pair(doc: dict) -> tuple[str, str]:
    return _tenant(doc), doc.get("payer_id") or UNKNOWN


def _money(doc: dict, key: str) -> Decimal:
    return stored_amount(doc[key]) if doc.get(key) is not None else ZERO


def families(found: Facts, pairs: Iterable[tuple[str, str]] = ()) -> list[Metric]:
    """Every fact metric family. `pairs`: the (tenant, payer) pairs known from the encounter rows,
    exported at 0 by the families KPI panels read."""
    pairs = set(pairs) | {_pair(doc) for doc in (*found.scrub_failures, *found.held_remittances, *found.underpayments)}
    tenants = {tenant for tenant, _ in pairs} | {_tenant(doc) for doc in
                                                 (*found.patient_balances, *found.patient_statements)}
    return [*_scrub(found, pairs), *_coding(found), *_provider_adjustments(found), *_remittances(found, pairs),
            *_patients(found, tenants)]


def _scrub(found: Facts, pairs: set[tuple[str, str]]) -> list[Metric]:
    labels = ["tenant", "payer"]
    failures = CounterMetricFamily("rcm_scrub_failures", "Scrub failures (a claim may fail again after a fix)",
                                   labels=labels)
    by_category = CounterMetricFamily("rcm_scrub_failures_by_category",
                                      "Scrub failures with at least one blocking edit of the rule category",
                                      labels=[*labels, "category"])
    claims = CounterMetricFamily("rcm_scrub_failed_claims", "Claims that failed the scrub at least once",
                                 labels=labels)
    counts: Counter[tuple[str, str]] = Counter()
    categories: Counter[tuple[str, str, str]] = Counter()
    failed_claims: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc in found.scrub_failures:
        pair = _pair(doc)
        counts[pair] += 1
        failed_claims[pair].add(doc.get("claim_id") or doc["_id"])
        for category in doc.get("categories") or [facts.UNCATEGORIZED]:
            categories[(*pair, category)] += 1
    for pair in sorted(pairs):
        failures.add_metric(list(pair), counts[pair])
        claims.add_metric(list(pair), len(failed_claims[pair]))
    for key, count in sorted(categories.items()):
        by_category.add_metric(list(key), count)
    return [failures, by_category, claims]


def _coding(found: Facts) -> list[Metric]:
    labels = ["tenant", "coder"]
    decisions = CounterMetricFamily("rcm_coding_review_decisions", "Encounters released from the coding review "
                                    "queue, by the coder's decision", labels=[*labels, "decision"])
    suggested = CounterMetricFamily("rcm_coding_review_with_suggestion",
                                    "Decided encounters that had a top code suggestion", labels=labels)
    agreed = CounterMetricFamily("rcm_coding_review_agreed", "Decided encounters whose billed principal "
                                 "diagnosis is the top suggestion", labels=labels)
    corrected = CounterMetricFamily("rcm_coding_review_corrected", "Decided encounters whose billed diagnoses "
                                    "differ from the provider's", labels=labels)
    by_decision: Counter[tuple[str, str, str]] = Counter()
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for doc in found.coding_reviews:
        coder = (_tenant(doc), doc.get("coder") or UNKNOWN)
        by_decision[(*coder, doc.get("decision") or UNKNOWN)] += 1
        counts[coder]["suggested"] += bool(doc.get("had_suggestion"))
        counts[coder]["agreed"] += bool(doc.get("agreed"))
        counts[coder]["corrected"] += bool(doc.get("corrected"))
    for key, count in sorted(by_decision.items()):
        decisions.add_metric(list(key), count)
    for coder, count in sorted(counts.items()):
        suggested.add_metric(list(coder), count["suggested"])
        agreed.add_metric(list(coder), count["agreed"])
        corrected.add_metric(list(coder), count["corrected"])
    return [decisions, suggested, agreed, corrected]


def _provider_adjustments(found: Facts) -> list[Metric]:
    labels = ["tenant", "payer", "kind", "reason"]
    entries = CounterMetricFamily("rcm_provider_adjustments", "PLB entries posted to the provider's account",
                                  labels=labels)
    dollars = GaugeMetricFamily("rcm_provider_adjustment_dollars", "Net PLB amount: + withheld by the payer "
                                "(recoupment, forward balance), - added (interest)", labels=labels)
    counts: Counter[tuple[str, ...]] = Counter()
    amounts: dict[tuple[str, ...], Decimal] = defaultdict(lambda: ZERO)
    for doc in found.provider_adjustments:
        key = (*_pair(doc), doc.get("kind") or UNKNOWN, doc.get("reason") or UNKNOWN)
        counts[key] += 1
        amounts[key] += _money(doc, "amount")
    for key in sorted(counts):
        entries.add_metric(list(key), counts[key])
        dollars.add_metric(list(key), float(amounts[key]))
    return [entries, dollars]


def _remittances(found: Facts, pairs: set[tuple[str, str]]) -> list[Metric]:
    labels = ["tenant", "payer"]
    held = GaugeMetricFamily("rcm_remittances_held", "835s held because they do not balance to the cent",
                             labels=labels)
    held_dollars = GaugeMetricFamily("rcm_remittances_held_dollars", "Payment amount of the held 835s",
                                     labels=labels)
    underpaid = CounterMetricFamily("rcm_underpayments_opened", "Lines paid below the payer contract, opened "
                                    "for follow-up", labels=labels)
    shortfall = CounterMetricFamily("rcm_underpayment_shortfall_dollars", "Expected minus received on the "
                                    "underpaid lines", labels=labels)
    held_count: Counter[tuple[str, str]] = Counter()
    held_amount: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for doc in found.held_remittances:
        held_count[_pair(doc)] += 1
        held_amount[_pair(doc)] += _money(doc, "payment_amount")
    under_count: Counter[tuple[str, str]] = Counter()
    under_amount: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for doc in found.underpayments:
        under_count[_pair(doc)] += 1
        under_amount[_pair(doc)] += _money(doc, "shortfall")
    for pair in sorted(pairs):
        held.add_metric(list(pair), held_count[pair])
        held_dollars.add_metric(list(pair), float(held_amount[pair]))
        underpaid.add_metric(list(pair), under_count[pair])
        shortfall.add_metric(list(pair), float(under_amount[pair]))
    return [held, held_dollars, underpaid, shortfall]


def _patients(found: Facts, tenants: set[str]) -> list[Metric]:
    outstanding = GaugeMetricFamily("rcm_patient_balances_outstanding_dollars", "What patients owe: the sum of "
                                    "every patient's latest balance above zero", labels=["tenant"])
    owing = GaugeMetricFamily("rcm_patients_with_balance", "Patients whose latest balance is above zero",
                              labels=["tenant"])
    credit = GaugeMetricFamily("rcm_patient_credit_dollars", "What is owed back to patients: the sum of the "
                               "latest balances below zero", labels=["tenant"])
    statements = CounterMetricFamily("rcm_patient_statements", "Patient statements issued", labels=["tenant"])
    statement_dollars = CounterMetricFamily("rcm_patient_statement_dollars", "Balances billed on the statements "
                                            "issued", labels=["tenant"])
    owed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    owed_back: dict[str, Decimal] = defaultdict(lambda: ZERO)
    patients: Counter[str] = Counter()
    for doc in found.patient_balances:
        balance = _money(doc, "balance")
        if balance > 0:
            owed[_tenant(doc)] += balance
            patients[_tenant(doc)] += 1
        elif balance < 0:
            owed_back[_tenant(doc)] -= balance
    issued: Counter[str] = Counter()
    billed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for doc in found.patient_statements:
        issued[_tenant(doc)] += 1
        billed[_tenant(doc)] += _money(doc, "balance")
    for tenant in sorted(tenants):
        outstanding.add_metric([tenant], float(owed[tenant]))
        owing.add_metric([tenant], patients[tenant])
        credit.add_metric([tenant], float(owed_back[tenant]))
        statements.add_metric([tenant], issued[tenant])
        statement_dollars.add_metric([tenant], float(billed[tenant]))
    return [outstanding, owing, credit, statements, statement_dollars]
