"""The little the simulated clearinghouse and payers look at in a claim, read from an 837.

The partners receive X12 only, as real ones do; `SimClaim.from_837` takes a claim as our codec read
it from the file. `SimClaim.of` also accepts the platform's SubmittedClaim, so the partners' rules
can be tested without writing a file first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.events import ChargeLine, CoverageOrder, FrequencyCode, SubmittedClaim
from shared.x12 import Claim837

_ORDER = {"P": CoverageOrder.PRIMARY, "S": CoverageOrder.SECONDARY, "T": CoverageOrder.TERTIARY}


@dataclass(frozen=True, slots=True)
class SimClaim:
    claim_id: str  # CLM01
    payer_id: str
    order: CoverageOrder  # SBR01
    frequency_code: FrequencyCode
    payer_claim_number: str | None  # REF*F8 on a replacement or void
    rendering_npi: str
    billing_npi: str
    lines: tuple[ChargeLine, ...]
    date_of_service: date | None = None
    claim_filing_indicator: str = "CI"  # SBR09, echoed as CLP06
    diagnoses: tuple[str, ...] = ()  # HI, the first is the principal
    place_of_service: str | None = None  # CLM05-1
    billing_name: str = ""
    billing_tax_id: str | None = None
    # PHI, only to echo in the 835's NM1*QC as payers do; never logged
    patient_last_name: str = ""
    patient_first_name: str | None = None
    member_id: str = ""

    @classmethod
    def of(cls, claim: SimClaim | SubmittedClaim | Claim837) -> SimClaim:
        if isinstance(claim, SimClaim):
            return claim
        if isinstance(claim, Claim837):
            return cls.from_837(claim)
        return cls(claim_id=claim.claim_id, payer_id=claim.coverage.payer_id, order=claim.coverage.order,
                   frequency_code=claim.frequency_code, payer_claim_number=claim.payer_claim_number,
                   rendering_npi=claim.visit.rendering.npi, billing_npi=claim.visit.billing.npi,
                   lines=claim.lines, date_of_service=claim.visit.date_of_service,
                   claim_filing_indicator=claim.coverage.claim_filing_indicator,
                   diagnoses=claim.diagnoses, place_of_service=claim.visit.place_of_service,
                   billing_name=claim.visit.billing.name, billing_tax_id=claim.visit.billing.tax_id,
                   patient_last_name=claim.patient.last_name, patient_first_name=claim.patient.first_name,
                   member_id=claim.coverage.member_id)

    @classmethod
    def from_837(cls, claim: Claim837) -> SimClaim:
        patient = claim.patient or claim.subscriber.person
        return cls(
            claim_id=claim.claim_id,
            payer_id=claim.payer.payer_id,
            order=_ORDER.get(claim.subscriber.payer_responsibility, CoverageOrder.PRIMARY),
            frequency_code=FrequencyCode(claim.frequency_code),
            payer_claim_number=claim.payer_claim_number,
            rendering_npi=claim.rendering.npi if claim.rendering is not None else claim.billing.npi,
            billing_npi=claim.billing.npi,
            lines=tuple(
                ChargeLine(
                    line_number=line.line_number,
                    line_item_control_number=line.line_item_control_number or f"L{line.line_number}",
                    procedure_code=line.procedure_code,
                    modifiers=line.modifiers,
                    units=_whole(line.units),
                    charge=line.charge,
                    diagnosis_pointers=line.diagnosis_pointers or (1,),
                )
                for line in claim.lines
            ),
            date_of_service=claim.lines[0].date_of_service if claim.lines else None,
            claim_filing_indicator=claim.subscriber.claim_filing_indicator,
            diagnoses=claim.diagnoses,
            place_of_service=claim.place_of_service,
            billing_name=claim.billing.name,
            billing_tax_id=claim.billing.tax_id,
            patient_last_name=patient.last_name,
            patient_first_name=patient.first_name,
            member_id=claim.subscriber.member_id,
        )

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))


def _whole(units: Decimal) -> int:
    return int(units.to_integral_value())
