"""KPIs over read-model rows."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from bson.decimal128 import Decimal128

from dashboard.kpis import compute, stage

REGISTERED = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)


def a_row(**fields) -> dict:
    return {"registered_at": REGISTERED, **fields}


def a_posting(paid: str, contractual: str = "0", patient: str = "0", denied: str = "0", day: str = "2026-10-31") -> dict:
    return {"paid": Decimal128(paid), "contractual": Decimal128(contractual), "patient_responsibility": Decimal128(patient),
            "other": Decimal128("0"), "denied": Decimal128(denied), "payment_date": day, "outcome": "paid"}


def test_stage_is_the_claim_status_else_coding_review_else_registered() -> None:
    assert stage(a_row(claim_status="paid", held_for_coding=True)) == "paid"
    assert stage(a_row(held_for_coding=True)) == "coding_review"
    assert stage(a_row()) == "registered"


def test_clean_claim_rate_counts_claims_that_passed_their_first_scrub() -> None:
    rows = [a_row(first_scrub="scrubbed"), a_row(first_scrub="scrubbed"), a_row(first_scrub="scrub_failed"), a_row()]
    assert compute(rows).clean_claim_rate == Decimal("66.67")


def test_first_pass_and_denial_rates_use_the_first_adjudication_of_the_original_claim() -> None:
    rows = [a_row(first_adjudication="paid"), a_row(first_adjudication="partially_paid"),
            a_row(first_adjudication="denied"), a_row(first_adjudication="paid")]
    kpis = compute(rows)
    assert kpis.first_pass_rate == Decimal("75.00")
    assert kpis.denial_rate == Decimal("50.00")


def test_net_collection_rate_is_payments_over_charges_less_contractual() -> None:
    rows = [a_row(billed=Decimal128("200.00"), postings={"p1": a_posting("80.00", contractual="100.00", patient="20.00")})]
    kpis = compute(rows)
    assert kpis.net_collection_rate == Decimal("80.00")
    assert kpis.posted == Decimal("80.00")


def test_days_to_payment_run_from_registration_to_the_first_payment() -> None:
    rows = [a_row(billed=Decimal128("10.00"), postings={"a": a_posting("5.00", day="2026-10-11"),
                                                         "b": a_posting("5.00", day="2026-10-21")})]
    assert compute(rows).avg_days_registration_to_payment == Decimal("10.00")


def test_an_empty_read_model_has_no_rates_rather_than_zero() -> None:
    kpis = compute([])
    assert kpis.clean_claim_rate is None and kpis.net_collection_rate is None
    assert kpis.as_json()["posted"] == "0.00"


def test_an_encounter_held_for_eligibility_is_terminal_until_coding_holds_it_or_a_claim_exists() -> None:
    from dashboard.kpis import TERMINAL_STAGES

    held = a_row(held_for_eligibility=True, eligibility_findings=["COVERAGE_INACTIVE"])
    assert stage(held) == "eligibility_review" and "eligibility_review" in TERMINAL_STAGES
    assert stage({**held, "held_for_coding": True}) == "coding_review"
    assert stage({**held, "claim_status": "submitted"}) == "submitted"
    kpis = compute([held, a_row(claim_status="paid"), a_row(claim_status="submitted")])
    assert (kpis.terminal, kpis.by_stage["eligibility_review"]) == (2, 1)
