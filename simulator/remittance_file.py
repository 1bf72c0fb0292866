"""The simulated payer's remittance written as an X12 835, as a real payer sends it.

The payer's rules (simulator/payer.py) decide in the platform's terms (RemittanceReceived); this
module writes that decision as 835 loops: BPR/TRN, payer and payee, a CLP per claim with the
patient's name and member id echoed from the 837, MOA remark codes, and an SVC per line with its
date of service, REF*6R line item control number, CAS adjustments and LQ remark codes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from shared.events import RemittanceClaim, RemittanceReceived
from shared.x12 import (
    CasAdjustment,
    ClaimPayment,
    Individual,
    OutpatientAdjudication,
    Party,
    PostalAddress,
    ProviderLevelAdjustment,
    Remittance,
    ServicePayment,
)
from simulator.claim_view import SimClaim

_PAYER_ADDRESS = PostalAddress("1 SIMULATED PAYER PLAZA", "TESTCITY", "TX", "75001")
# The 835's CLP06 has no "CI" (commercial): a commercial payer names its plan type, here 12 (PPO).
_CLP06 = {"CI": "12", "BL": "12"}


def payer_tax_id(payer_id: str) -> str:
    """A stable nine-digit synthetic tax id for a simulated payer (TRN03 is '1' + the payer's TIN)."""
    return f"{int.from_bytes(hashlib.sha256(payer_id.encode()).digest()[:6], 'big') % 10**9:09d}"


def remittance_835(remittance: RemittanceReceived, *, payer_name: str,
                   claims: Mapping[str, SimClaim]) -> Remittance:
    """The 835 model of `remittance`; `claims` are the 837 claims it pays, by claim id."""
    first = claims[remittance.claims[0].claim_id]
    return Remittance(
        control_number="0001",  # the writer numbers the sets; this is what a reader would see
        handling_code="I" if remittance.payment_amount > 0 else "H",
        payment_amount=remittance.payment_amount,
        credit_debit="C",
        payment_method=remittance.payment_method,
        payment_date=remittance.payment_date,
        trace_number=remittance.remittance_id,
        originator_id="1" + payer_tax_id(remittance.payer_id),
        payer=Party(payer_name, remittance.payer_id, "2U"),
        payee=Party(first.billing_name, first.billing_npi, "XX"),
        claims=tuple(_claim_payment(paid, claims[paid.claim_id]) for paid in remittance.claims),
        provider_adjustments=tuple(
            ProviderLevelAdjustment(first.billing_npi, date(remittance.payment_date.year, 12, 31), item.reason,
                                    item.amount, item.reference)
            for item in remittance.provider_adjustments),
        payer_address=_PAYER_ADDRESS,
        payee_tax_id=first.billing_tax_id,
        payer_contact="SIMULATED PAYER EDI",
    )


def _cas(adjustments) -> tuple[CasAdjustment, ...]:
    return tuple(CasAdjustment(item.group.value, item.carc, item.amount) for item in adjustments)


def _claim_payment(paid: RemittanceClaim, claim: SimClaim) -> ClaimPayment:
    return ClaimPayment(
        patient_control_number=paid.claim_id,
        status_code=paid.status_code.value,
        billed=paid.billed,
        paid=paid.paid,
        patient_responsibility=paid.patient_responsibility,
        claim_filing_indicator=_CLP06.get(claim.claim_filing_indicator, claim.claim_filing_indicator),
        payer_claim_number=paid.payer_claim_number,
        frequency_code=paid.frequency_code.value,
        adjustments=_cas(paid.adjustments),
        patient=Individual(claim.patient_last_name, claim.patient_first_name, claim.member_id, "MI"),
        outpatient=OutpatientAdjudication(remark_codes=paid.rarcs) if paid.rarcs else None,
        lines=tuple(
            ServicePayment(
                procedure_qualifier="HC",
                procedure_code=line.procedure_code,
                modifiers=line.modifiers,
                billed=line.billed,
                paid=line.paid,
                units_paid=Decimal(line.units),
                service_date=claim.date_of_service,
                line_item_control_number=line.line_item_control_number,
                adjustments=_cas(line.adjustments),
                remark_codes=line.rarcs,
            )
            for line in paid.lines
        ),
    )
