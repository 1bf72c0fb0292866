"""Claims as an 837P or 837I carries them, and the adapters from the platform's SubmittedClaim.

`Claim837` is the wire view: every field has a home in the 837, so writing a Claim837 and reading
the file back gives an equal Claim837. `ProfessionalClaim` and `InstitutionalClaim` wrap a
SubmittedClaim (shared/events.py) with what the contract does not carry but an 837 needs: the
billing provider's address and tax id, the subscriber when the patient is a dependent, and the
prior payers' adjudication on secondary claims (COB). The institutional one adds type of bill,
statement period, revenue codes and occurrence/value/condition codes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from shared.x12.errors import UnencodableValue
from shared.x12.models.base import model
from shared.x12.models.common import CasAdjustment, PostalAddress

if TYPE_CHECKING:  # the contract's models are only needed by the adapters; reading never imports them
    from shared.events import Address as ContractAddress
    from shared.events import Patient as ContractPatient
    from shared.events import Provider as ContractProvider
    from shared.events import SubmittedClaim

# by CoverageOrder (a StrEnum, equal to its value)
PAYER_RESPONSIBILITY = {"primary": "P", "secondary": "S", "tertiary": "T"}


@model
class Person:
    """A subscriber, patient or other-payer subscriber (PHI)."""

    last_name: str
    first_name: str | None = None
    birth_date: date | None = None
    sex: str | None = None  # DMG03: F, M or U
    address: PostalAddress | None = None


@model
class Subscriber:
    member_id: str  # NM109 (PHI)
    person: Person
    payer_responsibility: str = "P"  # SBR01: P primary, S secondary, T tertiary
    group_number: str | None = None  # SBR03
    claim_filing_indicator: str = "CI"  # SBR09: CI commercial, MB Medicare Part B, MC Medicaid, ...


@model
class ClaimPayer:
    payer_id: str  # 2010BB NM109 (PI)
    name: str
    address: PostalAddress | None = None


@model
class BillingProvider:
    npi: str
    name: str  # organization name
    tax_id: str  # REF*EI, nine digits
    address: PostalAddress  # a street address: the guides refuse PO boxes here
    taxonomy: str | None = None  # PRV*BI*PXC
    pay_to_address: PostalAddress | None = None  # 2010AB, when payments go to another address


@model
class ClaimProvider:
    """Rendering (837P 2310B, 837I 2310D) or attending (837I 2310A) provider."""

    npi: str
    last_name: str  # the organization's name when is_person is False
    first_name: str | None = None
    taxonomy: str | None = None
    is_person: bool = True


@model
class ServiceLine:
    line_number: int  # LX01
    charge: Decimal  # SV102 / SV203
    units: Decimal  # SV104 / SV205
    date_of_service: date | None  # DTP*472; required on 837P, situational on 837I
    procedure_code: str | None = None  # SV101-2 / SV202-2 (HCPCS/CPT); required on 837P
    modifiers: tuple[str, ...] = ()  # up to four
    diagnosis_pointers: tuple[int, ...] = ()  # 837P SV107: 1-based positions in Claim837.diagnoses
    place_of_service: str | None = None  # SV105, only when it differs from the claim's
    revenue_code: str | None = None  # 837I SV201
    line_item_control_number: str | None = None  # REF*6R; comes back in the 835 to match the line
    unit_basis: str = "UN"  # SV103 / SV204: UN units, MJ minutes (837P), DA days (837I)


@model
class LineAdjudication:
    """A prior payer's result for one service line (2430)."""

    line_number: int  # the 2400 line (LX01) this result belongs to
    paid: Decimal  # SVD02
    paid_units: Decimal  # SVD05
    adjudication_date: date  # DTP*573
    procedure_code: str | None = None  # SVD03-2
    modifiers: tuple[str, ...] = ()
    revenue_code: str | None = None  # SVD04 (837I)
    adjustments: tuple[CasAdjustment, ...] = ()
    remaining_patient_liability: Decimal | None = None  # AMT*EAF


@model
class PayerAdjudication:
    """What a prior payer decided (2320/2330A/2330B, plus 2430 per line) on a secondary claim."""

    payer_id: str  # 2330B NM109; matched by SVD01 of the line results
    payer_name: str
    member_id: str  # 2330A NM109 (PHI)
    subscriber: Person  # 2330A name (PHI)
    paid: Decimal  # AMT*D
    adjudication_date: date | None = None  # 2330B DTP*573; needed when no line results are sent
    responsibility: str = "P"  # 2320 SBR01: this payer's position
    relationship: str = "18"  # 2320 SBR02: patient to this payer's subscriber
    group_number: str | None = None
    claim_filing_indicator: str = "CI"
    adjustments: tuple[CasAdjustment, ...] = ()  # claim-level CAS
    remaining_patient_liability: Decimal | None = None  # AMT*EAF
    payer_claim_number: str | None = None  # 2330B REF*F8
    lines: tuple[LineAdjudication, ...] = ()


@model
class OccurrenceCode:
    code: str  # NUBC occurrence code, e.g. "11" onset of symptoms
    date: date


@model
class ValueCode:
    code: str  # NUBC value code, e.g. "80" covered days
    amount: Decimal


@model
class InstitutionalDetails:
    facility_type: str  # CLM05-1: type of bill without the leading 0 and frequency, e.g. "13"
    statement_from: date  # DTP*434
    statement_to: date
    patient_status: str = "01"  # CL103 (01: discharged home)
    admission_type: str | None = None  # CL101
    admission_source: str | None = None  # CL102
    admission_date: date | None = None  # DTP*435, inpatient
    admitting_diagnosis: str | None = None  # HI*ABJ
    reason_for_visit: tuple[str, ...] = ()  # HI*APR, unscheduled outpatient visits
    occurrence_codes: tuple[OccurrenceCode, ...] = ()  # HI*BH
    value_codes: tuple[ValueCode, ...] = ()  # HI*BE
    condition_codes: tuple[str, ...] = ()  # HI*BG
    attending: ClaimProvider | None = None  # 2310A


@model
class Claim837:
    claim_id: str  # CLM01 patient control number; returns as 835 CLP01 and 277CA TRN02
    total_charge: Decimal  # CLM02 = sum of line charges
    frequency_code: str  # CLM05-3: 1 original, 7 replacement, 8 void
    billing: BillingProvider
    subscriber: Subscriber
    payer: ClaimPayer
    diagnoses: tuple[str, ...]  # ICD-10-CM without the dot; the first is the principal
    lines: tuple[ServiceLine, ...]
    place_of_service: str | None = None  # CLM05-1 on 837P
    patient: Person | None = None  # 2000C, when the patient is not the subscriber
    patient_relationship: str = "18"  # PAT01 when `patient` is set (01 spouse, 19 child, G8 other)
    payer_claim_number: str | None = None  # REF*F8, the claim a replacement or void refers to
    medical_record_number: str | None = None  # REF*EA
    rendering: ClaimProvider | None = None
    prior_payers: tuple[PayerAdjudication, ...] = ()
    institutional: InstitutionalDetails | None = None
    provider_signature: str = "Y"  # CLM06 (837P only)
    assignment: str = "A"  # CLM07
    benefits_assigned: str = "Y"  # CLM08
    release_of_information: str = "Y"  # CLM09

    @property
    def kind(self) -> str:
        return "institutional" if self.institutional is not None else "professional"

    @property
    def type_of_bill(self) -> str | None:
        """The four-digit type of bill, e.g. "0131", for institutional claims."""
        if self.institutional is None:
            return None
        return f"0{self.institutional.facility_type}{self.frequency_code}"


@model
class Submitter:
    name: str
    identifier: str  # ETIN assigned by the receiver
    contact_name: str
    phone: str  # digits only


@model
class Receiver:
    name: str
    identifier: str


@model
class ClaimBatch:
    """One 837 transaction set as read back."""

    reference: str  # BHT03
    created: datetime  # BHT04 + BHT05
    submitter: Submitter
    receiver: Receiver
    claims: tuple[Claim837, ...]
    purpose: str = "00"  # BHT02: 00 original, 18 reissue
    claim_type: str = "CH"  # BHT06: CH chargeable, RP reporting


# --- adapters from the platform's contract ----------------------------------------------------


def postal_address(address: ContractAddress) -> PostalAddress:
    return PostalAddress(address.line1, address.city, address.state, address.postal_code)


def person_from_patient(patient: ContractPatient) -> Person:
    return Person(
        patient.last_name, patient.first_name, patient.birth_date, patient.sex.value, postal_address(patient.address)
    )


def claim_provider(provider: ContractProvider) -> ClaimProvider:
    """A rendering or attending provider; a "LAST, FIRST" name is split, any other kept as the last name."""
    last, comma, first = provider.name.partition(",")
    return ClaimProvider(provider.npi, last.strip(), (first.strip() or None) if comma else None, provider.taxonomy)


def _diagnosis(code: str) -> str:
    return code.replace(".", "").upper()


def _subscriber(
    claim: SubmittedClaim, subscriber: Person | None, filing_indicator: str
) -> tuple[Subscriber, Person | None]:
    coverage = claim.coverage
    if coverage.relationship == "18":  # Relationship.SELF
        holder, patient = person_from_patient(claim.patient), None
    elif subscriber is None:
        raise UnencodableValue(
            f"claim {claim.claim_id}: a dependent's claim needs the subscriber (subscriber=Person(...))"
        )
    else:
        holder, patient = subscriber, person_from_patient(claim.patient)
    return (
        Subscriber(
            coverage.member_id, holder, PAYER_RESPONSIBILITY[coverage.order], coverage.group_number, filing_indicator
        ),
        patient,
    )


def _check_billing(claim: SubmittedClaim, billing: BillingProvider) -> None:
    if claim.visit.billing.npi != billing.npi:
        raise UnencodableValue(f"claim {claim.claim_id}: the billing provider details are for another NPI")


def _complete_line_results(
    prior_payers: tuple[PayerAdjudication, ...], lines: tuple[ServiceLine, ...]
) -> tuple[PayerAdjudication, ...]:
    """Give each prior payer's line result the line's procedure and revenue code when it has none:
    SVD03 (and SVD04 on 837I) must name the service the payer adjudicated."""
    by_number = {line.line_number: line for line in lines}
    completed = []
    for prior in prior_payers:
        results = []
        for result in prior.lines:
            line = by_number.get(result.line_number)
            if line is None:
                raise UnencodableValue(
                    f"a prior payer's result refers to line {result.line_number}, which the claim does not have"
                )
            results.append(
                replace(
                    result,
                    procedure_code=result.procedure_code or line.procedure_code,
                    revenue_code=result.revenue_code or line.revenue_code,
                )
            )
        completed.append(replace(prior, lines=tuple(results)))
    return tuple(completed)


def _secondary_needs_prior(claim: SubmittedClaim, prior_payers: tuple[PayerAdjudication, ...]) -> None:
    if claim.coverage.order != "primary" and not prior_payers:  # CoverageOrder.PRIMARY
        raise UnencodableValue(
            f"claim {claim.claim_id}: a secondary or tertiary claim needs the prior payer's adjudication"
        )


@model
class ProfessionalClaim:
    """A SubmittedClaim plus what an 837P needs beyond the contract."""

    claim: SubmittedClaim
    billing: BillingProvider
    subscriber: Person | None = None  # required when the patient is not the subscriber
    claim_filing_indicator: str = "CI"
    prior_payers: tuple[PayerAdjudication, ...] = ()  # required on secondary and tertiary claims
    payer_address: PostalAddress | None = None
    medical_record_number: str | None = None

    def to_claim837(self) -> Claim837:
        """Return the wire view; raise UnencodableValue if the claim lacks what an 837P requires."""
        claim = self.claim
        _check_billing(claim, self.billing)
        _secondary_needs_prior(claim, self.prior_payers)
        subscriber, patient = _subscriber(claim, self.subscriber, self.claim_filing_indicator)
        visit = claim.visit
        rendering = None if visit.rendering.npi == self.billing.npi else claim_provider(visit.rendering)
        lines = tuple(
            ServiceLine(
                line_number=line.line_number,
                charge=line.charge,
                units=Decimal(line.units),
                date_of_service=visit.date_of_service,
                procedure_code=line.procedure_code,
                modifiers=tuple(line.modifiers),
                diagnosis_pointers=tuple(line.diagnosis_pointers),
                line_item_control_number=line.line_item_control_number,
            )
            for line in claim.lines
        )
        return Claim837(
            claim_id=claim.claim_id,
            total_charge=claim.total_charge,
            frequency_code=claim.frequency_code.value,
            billing=self.billing,
            subscriber=subscriber,
            payer=ClaimPayer(claim.coverage.payer_id, claim.coverage.payer_name, self.payer_address),
            diagnoses=tuple(_diagnosis(code) for code in claim.diagnoses),
            lines=lines,
            place_of_service=visit.place_of_service,
            patient=patient,
            patient_relationship=claim.coverage.relationship.value,
            payer_claim_number=claim.payer_claim_number,
            medical_record_number=self.medical_record_number,
            rendering=rendering,
            prior_payers=_complete_line_results(self.prior_payers, lines),
        )


@model
class InstitutionalClaim:
    """A SubmittedClaim plus the institutional (UB-04) data an 837I needs."""

    claim: SubmittedClaim
    billing: BillingProvider
    details: InstitutionalDetails
    revenue_codes: tuple[str, ...]  # SV201 for each claim line, in line order
    subscriber: Person | None = None
    claim_filing_indicator: str = "CI"
    prior_payers: tuple[PayerAdjudication, ...] = ()
    payer_address: PostalAddress | None = None
    medical_record_number: str | None = None

    def to_claim837(self) -> Claim837:
        """Return the wire view; raise UnencodableValue if the claim lacks what an 837I requires."""
        claim = self.claim
        _check_billing(claim, self.billing)
        _secondary_needs_prior(claim, self.prior_payers)
        if len(self.revenue_codes) != len(claim.lines):
            raise UnencodableValue(f"claim {claim.claim_id}: one revenue code per service line is required")
        subscriber, patient = _subscriber(claim, self.subscriber, self.claim_filing_indicator)
        visit = claim.visit
        details = self.details
        if details.attending is None:
            details = replace(details, attending=claim_provider(visit.rendering))
        lines = tuple(
            ServiceLine(
                line_number=line.line_number,
                charge=line.charge,
                units=Decimal(line.units),
                date_of_service=visit.date_of_service,
                procedure_code=line.procedure_code,
                modifiers=tuple(line.modifiers),
                revenue_code=revenue_code,
                line_item_control_number=line.line_item_control_number,
            )
            for line, revenue_code in zip(claim.lines, self.revenue_codes, strict=True)
        )
        return Claim837(
            claim_id=claim.claim_id,
            total_charge=claim.total_charge,
            frequency_code=claim.frequency_code.value,
            billing=self.billing,
            subscriber=subscriber,
            payer=ClaimPayer(claim.coverage.payer_id, claim.coverage.payer_name, self.payer_address),
            diagnoses=tuple(_diagnosis(code) for code in claim.diagnoses),
            lines=lines,
            patient=patient,
            patient_relationship=claim.coverage.relationship.value,
            payer_claim_number=claim.payer_claim_number,
            medical_record_number=self.medical_record_number,
            prior_payers=_complete_line_results(self.prior_payers, lines),
            institutional=details,
        )
