"""KPI metric families from read-model rows: values per tenant and payer, low-cardinality labels."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bson.decimal128 import Decimal128

from dashboard.kpi_metrics import aging_bucket, families

TODAY = date(2026, 11, 23)
ALLOWED_LABELS = {"tenant", "payer", "state", "category", "bucket", "kind"}


def a_posting(paid: str, contractual: str = "0", patient: str = "0", denied: str = "0") -> dict:
    return {"paid": Decimal128(paid), "contractual": Decimal128(contractual), "patient_responsibility": Decimal128(patient),
            "other": Decimal128("0"), "denied": Decimal128(denied), "payment_date": "2026-11-20", "outcome": "paid"}


def a_row(tenant="t1", payer="P1", **fields) -> dict:
    return {"tenant_id": tenant, "payer_id": payer, "date_of_service": "2026-11-01", **fields}


def samples(rows) -> dict[tuple, float]:
    """(sample name, sorted label items) -> value."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in families(rows, TODAY) for s in family.samples}


def value(found, name, **labels) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def test_clean_claims_and_first_pass_are_counted_per_tenant_and_payer() -> None:
    found = samples([a_row(first_scrub="scrubbed", first_adjudication="paid"),
                     a_row(first_scrub="scrub_failed"),
                     a_row(payer="P2", first_scrub="scrubbed", first_adjudication="denied",
                           denial_categories=["eligibility"])])
    assert value(found, "rcm_claims_scrubbed_total", tenant="t1", payer="P1") == 2
    assert value(found, "rcm_claims_clean_first_scrub_total", tenant="t1", payer="P1") == 1
    assert value(found, "rcm_claims_first_pass_paid_total", tenant="t1", payer="P1") == 1
    assert value(found, "rcm_claims_initial_denials_total", tenant="t1", payer="P2", category="eligibility") == 1
    assert ("rcm_claims_initial_denials_total", (("category", "eligibility"), ("payer", "P1"), ("tenant", "t1"))) not in found


def test_a_denial_not_yet_categorized_still_counts_as_an_initial_denial() -> None:
    found = samples([a_row(first_adjudication="partially_paid")])
    assert value(found, "rcm_claims_initial_denials_total", tenant="t1", payer="P1", category="uncategorized") == 1


def test_open_ar_is_the_unresolved_part_of_unsettled_claims_in_its_aging_bucket() -> None:
    found = samples([
        a_row(claim_status="submitted", billed=Decimal128("300.00"), date_of_service="2026-08-01"),  # 114 days
        a_row(claim_status="partially_paid", billed=Decimal128("200.00"),
              postings={"p": a_posting("80.00", contractual="50.00", patient="20.00", denied="50.00")}),
        a_row(claim_status="paid", billed=Decimal128("100.00"), postings={"p": a_posting("90.00", contractual="10.00")}),
    ])
    assert value(found, "rcm_ar_outstanding_dollars", tenant="t1", payer="P1", bucket="91-120") == 300.0
    assert value(found, "rcm_ar_outstanding_dollars", tenant="t1", payer="P1", bucket="0-30") == 50.0
    assert value(found, "rcm_patient_balance_dollars", tenant="t1", payer="P1") == 20.0
    assert value(found, "rcm_posted_dollars_total", tenant="t1", payer="P1", kind="paid") == 170.0
    # 350 open over the charges of the last 90 days (200 + 100; the August claim is older) / 90 per day
    assert value(found, "rcm_days_in_ar", tenant="t1", payer="P1") == 105.0


def test_charge_lag_runs_from_the_date_of_service_to_claim_creation() -> None:
    created = datetime(2026, 11, 4, 8, tzinfo=timezone.utc)
    found = samples([a_row(claim_created_at=created), a_row(claim_created_at=created, date_of_service="2026-11-03")])
    assert value(found, "rcm_charge_lag_days", tenant="t1", payer="P1") == 2.0


def test_claims_by_state_include_encounters_before_a_claim() -> None:
    found = samples([a_row(claim_status="paid"), a_row(held_for_coding=True), a_row()])
    assert value(found, "rcm_claims_by_state", tenant="t1", payer="P1", state="coding_review") == 1
    assert value(found, "rcm_claims_by_state", tenant="t1", payer="P1", state="registered") == 1


def test_labels_are_only_the_low_cardinality_ones() -> None:
    rows = [a_row(claim_id="C123", first_adjudication="denied", denial_categories=["coding"], billed=Decimal128("1"),
                  postings={"p": a_posting("0")}, claim_created_at=datetime(2026, 11, 2, tzinfo=timezone.utc))]
    labels = {name for family in families(rows, TODAY) for s in family.samples for name in s.labels}
    assert labels == ALLOWED_LABELS
    assert not any("C123" in s.labels.values() for family in families(rows, TODAY) for s in family.samples)


def test_aging_buckets_cover_every_age() -> None:
    assert [aging_bucket(d) for d in (-2, 0, 30, 31, 90, 120, 121, 4000)] == \
        ["0-30", "0-30", "0-30", "31-60", "61-90", "91-120", "120+", "120+"]


def test_encounters_held_for_eligibility_are_counted_by_reason() -> None:
    found = samples([a_row(payer=None, held_for_eligibility=True, eligibility_findings=["COVERAGE_INACTIVE"]),
                     a_row(payer=None, held_for_eligibility=True, eligibility_findings=["COVERAGE_INACTIVE"]),
                     a_row(payer=None, held_for_eligibility=True, eligibility_findings=["ELIGIBILITY_TIMEOUT"]),
                     a_row(held_for_eligibility=True, claim_status="paid")])  # released later: no longer held
    held = "rcm_encounters_held_for_eligibility"
    assert value(found, held, tenant="t1", reason="COVERAGE_INACTIVE") == 2
    assert value(found, held, tenant="t1", reason="ELIGIBILITY_TIMEOUT") == 1
    assert sum(v for (name, _), v in found.items() if name == held) == 3
    assert value(found, "rcm_claims_by_state", tenant="t1", payer="unknown", state="eligibility_review") == 3
