"""Builders of the side-fact events the dashboard records (ids and amounts only, no PHI)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from shared import topics
from shared.envelope import new_event
from shared.events import (
    ClaimScrubFailed, CodingDecision, CodingReviewDecided, EncounterHeldForEligibility, Finding, PatientBalanceChanged,
    PatientStatementIssued, ProviderAdjustmentPosted, RemittanceHeld, UnderpaymentOpened,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
CLAIM = "clm_" + "2" * 24
ENCOUNTER = "enc_" + "1" * 32
PATIENT = "pat_" + "3" * 32


def event(topic, payload, *, tenant="t1", at=NOW):
    return new_event(topic, payload, producer="tests", now=at, tenant_id=tenant, correlation_id=ENCOUNTER)


def a_scrub_failure(*categories: str, claim=CLAIM, payer="P1", tenant="t1", warning: str | None = None):
    findings = [Finding(code=f"{c.upper()}_EDIT", message="an edit", rule=f"{c[:3].upper()}-001", category=c)
                for c in categories]
    if warning:
        findings.append(Finding(code="WARN", message="a warning", severity="warning", category=warning))
    return event(topics.CLAIM_SCRUB_FAILED, ClaimScrubFailed(claim_id=claim, encounter_id=ENCOUNTER, payer_id=payer,
                                                             findings=tuple(findings)), tenant=tenant)


def a_coding_decision(coder="coder.one", *, encounter=ENCOUNTER, decision=CodingDecision.ACCEPTED_SUGGESTION,
                      suggestion: str | None = "I10", agreed=True, corrected=False, minutes=0, tenant="t1"):
    return event(topics.CODING_REVIEW_DECIDED, CodingReviewDecided(
        encounter_id=encounter, coder=coder, decision=decision, diagnoses=("I10",), top_suggestion=suggestion,
        suggestion_confidence=0.9 if suggestion else None, agreed_with_suggestion=agreed, corrected=corrected,
        decided_at=NOW + timedelta(minutes=minutes)), tenant=tenant)


def a_plb(entry="plb-1", *, payer="P1", kind="interest", reason="L6", amount="-2.50", tenant="t1"):
    return event(topics.PROVIDER_ADJUSTMENT_POSTED, ProviderAdjustmentPosted(
        entry_id=entry, remittance_id="R1", payer_id=payer, kind=kind, reason=reason, amount=Decimal(amount),
        account_balance=Decimal("0.00"), payment_date=date(2026, 11, 20)), tenant=tenant)


def a_held_remittance(remittance="R9", *, payer="P1", amount="500.00", difference="0.01", tenant="t1"):
    return event(topics.REMITTANCE_HELD, RemittanceHeld(
        remittance_id=remittance, payer_id=payer, payment_amount=Decimal(amount),
        claims_less_plb=Decimal(amount) - Decimal(difference), difference=Decimal(difference)), tenant=tenant)


def an_underpayment(underpayment="und-1", *, payer="P1", expected="100.00", received="80.00", tenant="t1"):
    return event(topics.UNDERPAYMENT_OPENED, UnderpaymentOpened(
        underpayment_id=underpayment, claim_id=CLAIM, encounter_id=ENCOUNTER, payer_id=payer, remittance_id="R1",
        line_item_control_number="L1", procedure_code="99213", expected=Decimal(expected), received=Decimal(received),
        shortfall=Decimal(expected) - Decimal(received)), tenant=tenant)


def a_balance_change(balance: str, *, patient=PATIENT, entry="pe-1", amount: str | None = None, seconds=0, tenant="t1"):
    return event(topics.PATIENT_BALANCE_CHANGED, PatientBalanceChanged(
        entry_id=entry, patient_id=patient, kind="charge", claim_id=CLAIM, amount=Decimal(amount or balance),
        balance=Decimal(balance), at=date(2026, 11, 20)), tenant=tenant, at=NOW + timedelta(seconds=seconds))


def a_statement(statement="stm-1", *, balance="40.00", patient=PATIENT, tenant="t1"):
    return event(topics.PATIENT_STATEMENT_ISSUED, PatientStatementIssued(
        statement_id=statement, patient_id=patient, statement_date=date(2026, 11, 23), balance=Decimal(balance),
        due_date=date(2026, 12, 23)), tenant=tenant)


def an_eligibility_hold(code="COVERAGE_INACTIVE", *, encounter=ENCOUNTER, tenant="t1"):
    return event(topics.ENCOUNTER_HELD_FOR_ELIGIBILITY, EncounterHeldForEligibility(
        encounter_id=encounter, findings=(Finding(code=code, message="coverage not verified"),)), tenant=tenant)
