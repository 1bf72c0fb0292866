"""Side facts (scrub failures, coder QA, PLB, held 835s, underpayments, patient balances and
statements) become one document each, keyed so a second delivery writes the same document, and add
up to PHI-free aggregates by tenant, payer, category, reason and coder."""

from __future__ import annotations

from bson.decimal128 import Decimal128

from dashboard import facts
from dashboard.fact_metrics import Facts, families
from shared.events import CodingDecision
from tests.unit.dashboard.fact_events import (
    PATIENT, a_balance_change, a_coding_decision, a_held_remittance, a_plb, a_scrub_failure, a_statement,
    an_underpayment,
)

PHI_FREE_LABELS = {"tenant", "payer", "category", "coder", "decision", "kind", "reason"}


def stored(*events) -> Facts:
    """The documents the events' plain ($set) writes leave in MongoDB, one per _id."""
    documents: dict[str, dict[str, dict]] = {}
    for event in events:
        project = {
            "claim.scrub-failed": facts.scrub_failed, "provider-adjustment.posted": facts.provider_adjustment_posted,
            "remittance.held": facts.remittance_held, "underpayment.opened": facts.underpayment_opened,
            "patient.statement-issued": facts.patient_statement_issued,
        }[event.event_type]
        for collection, write in project(event):
            key = write._filter["_id"]
            documents.setdefault(collection, {}).setdefault(key, {"_id": key}).update(write._doc["$set"])
    return Facts.of({name: list(docs.values()) for name, docs in documents.items()})


def samples(found: Facts, pairs=()) -> dict[tuple, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in families(found, pairs)
            for s in family.samples}


def value(found, name, **labels) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def test_each_fact_is_keyed_by_its_own_id_so_a_redelivery_rewrites_the_same_document() -> None:
    plb, underpayment = a_plb("plb-7"), an_underpayment("und-7")
    held, statement = a_held_remittance("R7"), a_statement("stm-7")
    assert facts.provider_adjustment_posted(plb)[0][1]._filter == {"_id": "plb-7"}
    assert facts.underpayment_opened(underpayment)[0][1]._filter == {"_id": "und-7"}
    assert facts.remittance_held(held)[0][1]._filter == {"_id": "R7"}
    assert facts.patient_statement_issued(statement)[0][1]._filter == {"_id": "stm-7"}
    twice = stored(plb, plb, underpayment, underpayment, held, held, statement, statement)
    assert samples(twice) == samples(stored(plb, underpayment, held, statement))
    assert value(samples(twice), "rcm_underpayments_opened_total", tenant="t1", payer="P1") == 1


def test_scrub_failures_count_each_blocking_rule_category_once_per_failure() -> None:
    found = samples(stored(a_scrub_failure("coding", "coding", "provider", warning="payer"),
                           a_scrub_failure("coding"),  # the same claim failing again after a fix
                           a_scrub_failure("demographics", claim="clm_" + "9" * 24, payer="P2")))
    assert value(found, "rcm_scrub_failures_total", tenant="t1", payer="P1") == 2
    assert value(found, "rcm_scrub_failed_claims_total", tenant="t1", payer="P1") == 1
    assert value(found, "rcm_scrub_failures_by_category_total", tenant="t1", payer="P1", category="coding") == 2
    assert value(found, "rcm_scrub_failures_by_category_total", tenant="t1", payer="P1", category="provider") == 1
    assert value(found, "rcm_scrub_failures_by_category_total", tenant="t1", payer="P2", category="demographics") == 1
    assert not any(dict(labels).get("category") == "payer" for _, labels in found), "a warning does not block"


def test_plb_is_summed_by_payer_kind_and_reason_with_its_sign() -> None:
    found = samples(stored(a_plb("e1", amount="-2.50"), a_plb("e2", amount="-1.25"),
                           a_plb("e3", kind="recoupment", reason="WO", amount="40.00")))
    interest = {"tenant": "t1", "payer": "P1", "kind": "interest", "reason": "L6"}
    assert value(found, "rcm_provider_adjustments_total", **interest) == 2
    assert value(found, "rcm_provider_adjustment_dollars", **interest) == -3.75
    assert value(found, "rcm_provider_adjustment_dollars", tenant="t1", payer="P1", kind="recoupment",
                 reason="WO") == 40.0


def test_held_remittances_and_underpayments_by_payer_and_zero_for_a_known_payer_without_any() -> None:
    found = samples(stored(a_held_remittance("R1", amount="500.00"), a_held_remittance("R2", amount="20.10"),
                           an_underpayment("u1", expected="100.00", received="80.00"),
                           an_underpayment("u2", expected="50.00", received="49.50")),
                    pairs={("t1", "P1"), ("t1", "P3")})
    assert value(found, "rcm_remittances_held", tenant="t1", payer="P1") == 2
    assert value(found, "rcm_remittances_held_dollars", tenant="t1", payer="P1") == 520.10
    assert value(found, "rcm_underpayments_opened_total", tenant="t1", payer="P1") == 2
    assert value(found, "rcm_underpayment_shortfall_dollars_total", tenant="t1", payer="P1") == 20.50
    for name in ("rcm_remittances_held", "rcm_underpayments_opened_total", "rcm_scrub_failures_total"):
        assert value(found, name, tenant="t1", payer="P3") == 0


def test_patient_balances_add_up_the_latest_balance_of_each_patient_per_tenant() -> None:
    balances = Facts(patient_balances=[
        {"_id": PATIENT, "tenant_id": "t1", "balance": Decimal128("35.00")},
        {"_id": "pat_" + "4" * 32, "tenant_id": "t1", "balance": Decimal128("15.50")},
        {"_id": "pat_" + "5" * 32, "tenant_id": "t1", "balance": Decimal128("0.00")},
        {"_id": "pat_" + "6" * 32, "tenant_id": "t1", "balance": Decimal128("-5.00")},
        {"_id": "pat_" + "7" * 32, "tenant_id": "t2", "balance": Decimal128("9.99")}],
        patient_statements=stored(a_statement("s1", balance="35.00"), a_statement("s2", balance="15.50"),
                                  a_statement("s2", balance="15.50")).patient_statements)
    found = samples(balances, pairs={("t3", "P1")})
    assert value(found, "rcm_patient_balances_outstanding_dollars", tenant="t1") == 50.50
    assert value(found, "rcm_patients_with_balance", tenant="t1") == 2
    assert value(found, "rcm_patient_credit_dollars", tenant="t1") == 5.0
    assert value(found, "rcm_patient_balances_outstanding_dollars", tenant="t2") == 9.99
    assert value(found, "rcm_patient_statements_total", tenant="t1") == 2
    assert value(found, "rcm_patient_statement_dollars_total", tenant="t1") == 50.50
    assert value(found, "rcm_patient_balances_outstanding_dollars", tenant="t3") == 0
    assert value(found, "rcm_patient_statements_total", tenant="t2") == 0


def test_a_balance_change_keeps_only_the_newest_balance_per_patient() -> None:
    ((collection, write),) = facts.patient_balance_changed(a_balance_change("25.00", seconds=5))
    assert collection == facts.PATIENT_BALANCES and write._filter == {"_id": PATIENT}
    balance = write._doc[0]["$set"]["balance"]["$cond"]
    newer = balance[0]["$or"][1]["$gte"]
    assert newer[1] == "$changed_at" and balance[2] == "$balance"
    assert str(balance[1]["$literal"]) == "25.00"


def test_coder_qa_counts_decisions_agreement_and_corrections_per_coder() -> None:
    reviews = []
    for n, kwargs in enumerate([dict(), dict(), dict(decision=CodingDecision.CORRECTED, agreed=False, corrected=True),
                                dict(decision=CodingDecision.KEPT_PROVIDER_CODES, suggestion=None, agreed=False),
                                dict(coder="coder.two")]):
        ((_, write),) = facts.coding_review_decided(a_coding_decision(**kwargs))
        fields = {name: cond["$cond"][1]["$literal"] for name, cond in write._doc[0]["$set"].items()}
        reviews.append({"_id": f"enc_{n}", **fields})
    found = samples(Facts(coding_reviews=reviews))
    one = {"tenant": "t1", "coder": "coder.one"}
    assert value(found, "rcm_coding_review_decisions_total", **one, decision="accepted_suggestion") == 2
    assert value(found, "rcm_coding_review_decisions_total", **one, decision="corrected") == 1
    assert value(found, "rcm_coding_review_decisions_total", **one, decision="kept_provider_codes") == 1
    assert value(found, "rcm_coding_review_with_suggestion_total", **one) == 3
    assert value(found, "rcm_coding_review_agreed_total", **one) == 2
    assert value(found, "rcm_coding_review_corrected_total", **one) == 1
    assert value(found, "rcm_coding_review_agreed_total", tenant="t1", coder="coder.two") == 1


def test_labels_are_low_cardinality_and_never_a_patient_claim_or_encounter_id() -> None:
    found = Facts.of({
        **{name: getattr(stored(a_scrub_failure("coding"), a_plb(), a_held_remittance(), an_underpayment(),
                                a_statement()), name) for name in facts.COLLECTIONS},
        facts.PATIENT_BALANCES: [{"_id": PATIENT, "tenant_id": "t1", "balance": Decimal128("1.00")}],
        facts.CODING_REVIEWS: [{"_id": "enc_1", "tenant_id": "t1", "coder": "coder.one", "decision": "corrected"}]})
    all_samples = [s for family in families(found) for s in family.samples]
    assert {name for s in all_samples for name in s.labels} == PHI_FREE_LABELS
    values = {v for s in all_samples for v in s.labels.values()}
    assert not any(v.startswith(("pat_", "clm_", "enc_")) for v in values)

