"""Scrub edits: small named checks run on a claim before it is submitted.

Each edit returns Findings (empty when the claim passes it). Messages name codes, line numbers and
ids only, never patient data. An `error` finding blocks submission; a `warning` does not.

These eight edits work on the SubmittedClaim. The full scrubber (70 rules in 15 categories over the
Claim837 that is sent) is `services.claims.scrubber`; the domain moves to it once it builds the
Claim837, and these functions keep working until then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shared.codes.npi import is_valid_npi
from shared.events import Finding, FrequencyCode, SubmittedClaim
from shared.money import total

Edit = Callable[[SubmittedClaim, date], list[Finding]]


def rendering_npi_check_digit(claim: SubmittedClaim, today: date) -> list[Finding]:
    if is_valid_npi(claim.visit.rendering.npi):
        return []
    return [Finding(code="RENDERING_NPI_INVALID", message="rendering provider NPI fails the check digit")]


def billing_npi_check_digit(claim: SubmittedClaim, today: date) -> list[Finding]:
    if is_valid_npi(claim.visit.billing.npi):
        return []
    return [Finding(code="BILLING_NPI_INVALID", message="billing provider NPI fails the check digit")]


def billing_tax_id_present(claim: SubmittedClaim, today: date) -> list[Finding]:
    # 837P loop 2010AA requires the billing provider's EIN or SSN (REF*EI / REF*SY).
    if claim.visit.billing.tax_id:
        return []
    return [Finding(code="BILLING_TAX_ID_MISSING", message="billing provider has no tax id")]


def charges_balance(claim: SubmittedClaim, today: date) -> list[Finding]:
    lines = total(line.charge for line in claim.lines)
    if lines == claim.total_charge:
        return []
    return [Finding(code="CLAIM_OUT_OF_BALANCE",
                    message=f"claim total {claim.total_charge} differs from line total {lines}")]


def diagnosis_pointers_resolve(claim: SubmittedClaim, today: date) -> list[Finding]:
    return [
        Finding(code="DIAGNOSIS_POINTER_UNRESOLVED", message=f"line {line.line_number} points past the diagnoses")
        for line in claim.lines if max(line.diagnosis_pointers) > len(claim.diagnoses)
    ]


def at_most_twelve_diagnoses(claim: SubmittedClaim, today: date) -> list[Finding]:
    if len(claim.diagnoses) <= 12:
        return []
    return [Finding(code="TOO_MANY_DIAGNOSES", message=f"{len(claim.diagnoses)} diagnoses; an 837P carries 12")]


def date_of_service_not_in_future(claim: SubmittedClaim, today: date) -> list[Finding]:
    if claim.visit.date_of_service <= today:
        return []
    return [Finding(code="DATE_OF_SERVICE_IN_FUTURE", message="date of service is after today")]


def replacement_names_payer_claim(claim: SubmittedClaim, today: date) -> list[Finding]:
    # Frequency 7 replaces and 8 voids the original; payers match it on their own claim number,
    # so a correction without one is rejected as a duplicate.
    if claim.frequency_code is FrequencyCode.ORIGINAL or claim.payer_claim_number:
        return []
    return [Finding(code="PAYER_CLAIM_NUMBER_MISSING",
                    message=f"frequency {claim.frequency_code.value} claim needs the payer claim number")]


EDITS: tuple[Edit, ...] = (
    rendering_npi_check_digit,
    billing_npi_check_digit,
    billing_tax_id_present,
    charges_balance,
    diagnosis_pointers_resolve,
    at_most_twelve_diagnoses,
    date_of_service_not_in_future,
    replacement_names_payer_claim,
)


def scrub(claim: SubmittedClaim, today: date) -> list[Finding]:
    """Every finding of every edit, in edit order."""
    findings: list[Finding] = []
    for edit in EDITS:
        findings.extend(edit(claim, today))
    return findings


def blocks_submission(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
