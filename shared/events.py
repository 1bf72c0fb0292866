"""Typed payloads of every event in the revenue cycle.

One name and one shape per fact, so a producer and its consumers cannot disagree. Payloads are
frozen models that refuse unknown fields; a breaking change is a new topic version (`.v2`).

PHI travels only inside payloads (Patient, Coverage.member_id, note): never in keys, ids, reasons,
logs or metric labels. Ids are opaque (see shared/ids.py); codes (ICD-10-CM, CPT/HCPCS, CARC) and
amounts are not PHI on their own.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.money import Money

TenantId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]
EncounterId = Annotated[str, StringConstraints(pattern=r"^enc_[0-9a-f]{32}$")]
PatientId = Annotated[str, StringConstraints(pattern=r"^pat_[0-9a-f]{32}$")]
ClaimId = Annotated[str, StringConstraints(pattern=r"^clm_[0-9a-f]{24}$")]
Npi = Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
ProcedureCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{5}$")]
Modifier = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")]
PlaceOfService = Annotated[str, StringConstraints(pattern=r"^\d{2}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]{2,40}$")]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- who and what: the pieces of an encounter -------------------------------------------------


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class Address(Model):
    line1: ShortText
    city: ShortText
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}(\d{4})?$")]


class Patient(Model):
    """PHI. Encrypted at rest by every service that stores it; never logged."""

    mrn: ShortText
    first_name: ShortText
    last_name: ShortText
    birth_date: date
    sex: Sex
    address: Address


class Relationship(StrEnum):
    """Patient's relationship to the subscriber, as X12 individual relationship codes."""

    SELF = "18"
    SPOUSE = "01"
    CHILD = "19"
    OTHER = "G8"


class CoverageOrder(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"


class Subscriber(Model):
    """PHI. The person who holds the coverage, when that is not the patient (a spouse or parent)."""

    first_name: ShortText
    last_name: ShortText
    birth_date: date | None = None
    sex: Sex = Sex.UNKNOWN


class Coverage(Model):
    payer_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,15}$")]
    payer_name: ShortText
    member_id: ShortText  # PHI
    group_number: ShortText | None = None
    relationship: Relationship = Relationship.SELF
    order: CoverageOrder = CoverageOrder.PRIMARY
    subscriber: Subscriber | None = None  # required by an 837 when relationship is not SELF
    # 837 SBR09: CI commercial, MB Medicare Part B, MC Medicaid, BL Blue Cross, HM HMO, ...
    claim_filing_indicator: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{2}$")] = "CI"


class Provider(Model):
    npi: Npi
    name: ShortText
    taxonomy: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{9}X$")] | None = None
    tax_id: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = None
    address: Address | None = None  # the billing provider's street address (837 loop 2010AA)


class Visit(Model):
    visit_number: ShortText
    date_of_service: date
    place_of_service: PlaceOfService
    rendering: Provider
    billing: Provider


class DocumentedService(Model):
    """A service as the EHR documented it: a code, modifiers, units and which diagnoses support it."""

    procedure_code: ProcedureCode
    modifiers: tuple[Modifier, ...] = Field(default=(), max_length=4)
    units: Annotated[int, Field(ge=1, le=999)] = 1
    diagnosis_pointers: tuple[Annotated[int, Field(ge=1, le=12)], ...] = Field(default=(1,), min_length=1, max_length=4)


class Diagnosis(Model):
    """A diagnosis as sent by the EHR: an ICD-10-CM code, dotted or not."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.]{3,8}$")]


class Finding(Model):
    """Why something was stopped: a short code and a message that names codes and ids, never PHI."""

    code: Code
    message: ShortText
    severity: Annotated[str, StringConstraints(pattern=r"^(error|warning)$")] = "error"
    # Set by the claims scrubber: the rule that fired ("PRV-001") and its category ("provider").
    rule: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}-\d{3}$")] | None = None
    category: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{2,40}$")] | None = None


# --- registration ------------------------------------------------------------------------------


class RegistrationRequested(Model):
    """A visit arriving from an EHR feed (HL7 v2 ADT/DFT, FHIR, or the simulator)."""

    source: Annotated[str, StringConstraints(pattern=r"^(hl7v2|fhir|simulator)$")]
    source_message_id: ShortText
    registered_at: AwareDatetime
    patient: Patient
    coverages: tuple[Coverage, ...] = Field(min_length=1, max_length=3)
    visit: Visit
    services: tuple[DocumentedService, ...] = Field(min_length=1, max_length=50)
    diagnoses: tuple[Diagnosis, ...] = Field(min_length=1, max_length=12)
    note: str | None = None  # PHI: free text


class EncounterRegistered(Model):
    encounter_id: EncounterId
    patient_id: PatientId
    registered_at: AwareDatetime
    patient: Patient
    coverages: tuple[Coverage, ...]
    visit: Visit
    services: tuple[DocumentedService, ...]
    diagnoses: tuple[Diagnosis, ...]
    note: str | None = None


# --- coding --------------------------------------------------------------------------------------


class ChargeLine(Model):
    line_number: Annotated[int, Field(ge=1, le=50)]
    line_item_control_number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,30}$")]
    procedure_code: ProcedureCode
    modifiers: tuple[Modifier, ...] = Field(default=(), max_length=4)
    units: Annotated[int, Field(ge=1, le=999)]
    charge: Money  # the line's total charge (unit price x units)
    diagnosis_pointers: tuple[Annotated[int, Field(ge=1, le=12)], ...] = Field(min_length=1, max_length=4)


class EncounterCoded(Model):
    encounter_id: EncounterId
    patient_id: PatientId
    registered_at: AwareDatetime
    patient: Patient
    coverages: tuple[Coverage, ...]
    visit: Visit
    diagnoses: tuple[Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9A-Z]{2,6}$")], ...] = Field(
        min_length=1, max_length=12
    )  # ICD-10-CM without the dot, in claim order
    lines: tuple[ChargeLine, ...] = Field(min_length=1, max_length=50)
    total_charge: Money


class EncounterHeldForCoding(Model):
    encounter_id: EncounterId
    findings: tuple[Finding, ...] = Field(min_length=1)


# --- claims ----------------------------------------------------------------------------------


class ClaimStatus(StrEnum):
    CREATED = "created"
    SCRUBBED = "scrubbed"
    SCRUB_FAILED = "scrub_failed"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    CORRECTED = "corrected"
    APPEALED = "appealed"
    WRITTEN_OFF = "written_off"
    CLOSED = "closed"


class FrequencyCode(StrEnum):
    """CLM05-3 claim frequency: original, replacement (corrected) or void."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


class ClaimStatusChanged(Model):
    """Every transition of a claim, with a per-claim version so projections keep the newest."""

    claim_id: ClaimId
    encounter_id: EncounterId
    version: Annotated[int, Field(ge=1)]
    status: ClaimStatus
    previous_status: ClaimStatus | None
    payer_id: str
    billed: Money
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL
    findings: tuple[Finding, ...] = ()
    coverage_order: CoverageOrder = CoverageOrder.PRIMARY  # secondary: a COB claim for the same encounter


class SubmittedClaim(Model):
    claim_id: ClaimId
    encounter_id: EncounterId
    frequency_code: FrequencyCode
    payer_claim_number: ShortText | None = None  # REF*F8, required for frequency 7 and 8
    patient: Patient
    coverage: Coverage
    visit: Visit
    diagnoses: tuple[str, ...]
    lines: tuple[ChargeLine, ...]
    total_charge: Money
    # The patient's other coverages (secondary, tertiary) when `coverage` is the primary: payments
    # asks for a COB claim when the primary leaves a balance, and claims builds it from these.
    other_coverages: tuple[Coverage, ...] = Field(default=(), max_length=2)


class ClaimScrubFailed(Model):
    """A claim the scrubber stopped before submission; it waits in the claims work queue.
    Findings carry rule ids, categories, codes and line numbers only, never patient data."""

    claim_id: ClaimId
    encounter_id: EncounterId
    payer_id: str
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL
    findings: tuple[Finding, ...] = Field(min_length=1)


class FiledClaim(Model):
    """One claim of a filed 837, as the submitter's own record of the file: ids and amounts only."""

    claim_id: ClaimId  # CLM01
    encounter_id: EncounterId
    payer_id: str
    frequency_code: FrequencyCode
    total_charge: Money
    patient_id: PatientId | None = None  # opaque: the key of the patient's balance
    has_secondary: bool = False  # another coverage follows this claim's payer (COB)


BatchId = Annotated[str, StringConstraints(pattern=r"^bat_[0-9a-f]{24}$")]
X12Text = Annotated[str, StringConstraints(min_length=1, max_length=50_000_000)]


class ClaimBatchFiled(Model):
    """An 837 interchange sent to the clearinghouse: the X12 text itself (PHI inside) and the
    submitter's record of which claim of which encounter it carries. BHT03 is the batch id."""

    batch_id: BatchId
    transaction: Annotated[str, StringConstraints(pattern=r"^837[PI]$")]
    interchange_control_number: Annotated[str, StringConstraints(pattern=r"^\d{9}$")]
    group_control_number: Annotated[str, StringConstraints(pattern=r"^\d{1,9}$")]
    claims: tuple[FiledClaim, ...] = Field(min_length=1)
    claim_count: int
    total_charge: Money
    x12: X12Text


class X12FileReceived(Model):
    """An X12 file from a trading partner, as received: 999 and 277CA from the clearinghouse,
    835 from a payer. The file id is the receiver's handle for it (no PHI)."""

    file_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    sender_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 ]{1,15}$")]
    x12: X12Text


class ClaimAcknowledgement(Model):
    claim_id: ClaimId
    accepted: bool
    status_codes: tuple[Code, ...] = ()  # 277CA category/status, e.g. "A7_562"
    payer_claim_number: ShortText | None = None


class ClearinghouseAcknowledged(Model):
    """999/277CA outcome for one submitted batch."""

    batch_id: Annotated[str, StringConstraints(pattern=r"^bat_[0-9a-f]{24}$")]
    acknowledgements: tuple[ClaimAcknowledgement, ...] = Field(min_length=1)


# --- remittance and payments ----------------------------------------------------------------------


class AdjustmentGroup(StrEnum):
    CONTRACTUAL = "CO"
    PATIENT_RESPONSIBILITY = "PR"
    OTHER = "OA"
    PAYER_INITIATED = "PI"
    CORRECTION_REVERSAL = "CR"


class Adjustment(Model):
    group: AdjustmentGroup
    carc: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,5}$")]
    amount: Money


class RemittanceLine(Model):
    line_item_control_number: str | None = None  # REF*6R
    procedure_code: ProcedureCode
    modifiers: tuple[Modifier, ...] = ()
    units: int = 1
    billed: Money
    paid: Money
    adjustments: tuple[Adjustment, ...] = ()
    rarcs: tuple[str, ...] = ()
    service_date: date | None = None  # DTM*472; matching falls back to it when REF*6R is missing


class ClaimPaymentStatus(StrEnum):
    """CLP02 claim status codes."""

    PROCESSED_AS_PRIMARY = "1"
    PROCESSED_AS_SECONDARY = "2"
    PROCESSED_AS_TERTIARY = "3"
    DENIED = "4"
    PRIMARY_FORWARDED = "19"  # processed as primary, forwarded to the additional payer(s)
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    NOT_OUR_CLAIM_FORWARDED = "23"
    PREDETERMINATION = "25"  # pricing only, no payment


class RemittanceClaim(Model):
    claim_id: str  # CLP01 as the payer sent it; matched by payments, may match nothing
    status_code: ClaimPaymentStatus
    billed: Money
    paid: Money
    patient_responsibility: Money
    payer_claim_number: ShortText
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    lines: tuple[RemittanceLine, ...] = ()
    rarcs: tuple[str, ...] = ()


class ProviderAdjustment(Model):
    """PLB: provider-level adjustment (interest, recoupment, forward balance)."""

    reason: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")]
    reference: str | None = None
    amount: Money


class RemittanceReceived(Model):
    """An 835: one payment (BPR) with the claims it pays (CLP)."""

    remittance_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,50}$")]  # TRN02
    payer_id: str
    payment_amount: Money
    payment_method: Annotated[str, StringConstraints(pattern=r"^(ACH|CHK|NON|BOP|FWT)$")]
    payment_date: date
    claims: tuple[RemittanceClaim, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()


class PaymentOutcome(StrEnum):
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REVERSED = "reversed"


class LinePosted(Model):
    """One SVC line posted to the submitted line it answers (None when it matched none)."""

    line_item_control_number: str | None
    procedure_code: ProcedureCode
    units: int
    billed: Money
    paid: Money
    contractual_adjustment: Money
    deductible: Money
    coinsurance: Money
    copay: Money
    other_patient_responsibility: Money
    other_adjustment: Money
    adjustments: tuple[Adjustment, ...] = ()


class PaymentPosted(Model):
    posting_id: str
    claim_id: ClaimId
    encounter_id: EncounterId
    remittance_id: str
    payer_id: str
    payment_date: date
    outcome: PaymentOutcome
    billed: Money
    paid: Money
    contractual_adjustment: Money
    patient_responsibility: Money
    other_adjustment: Money
    denied_amount: Money
    # Patient responsibility by kind (CARC 1, 2, 3); the rest of it is other PR (e.g. PR-96).
    deductible: Money = Decimal("0.00")
    coinsurance: Money = Decimal("0.00")
    copay: Money = Decimal("0.00")
    lines: tuple[LinePosted, ...] = ()
    reverses: str | None = None  # the posting_id a reversal (CLP02 22) takes back


class ProviderAdjustmentPosted(Model):
    """A PLB amount posted to the provider's account with the payer. Positive: the payer withheld
    it (recoupment, forward balance); negative: the payer added it (interest)."""

    entry_id: str
    remittance_id: str
    payer_id: str
    kind: Annotated[str, StringConstraints(pattern=r"^(interest|recoupment|forward_balance|other)$")]
    reason: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")]
    reference: str | None = None
    amount: Money
    account_balance: Money  # what the payer owes (+) or is owed (-) after this entry
    payment_date: date


class RemittanceHeld(Model):
    """An 835 that does not balance to the cent, held for review with the difference."""

    remittance_id: str
    payer_id: str
    payment_amount: Money
    claims_less_plb: Money
    difference: Money


class UnderpaymentOpened(Model):
    """A line paid less than the payer's contract allows, opened for follow-up."""

    underpayment_id: str
    claim_id: ClaimId
    encounter_id: EncounterId
    payer_id: str
    remittance_id: str
    line_item_control_number: str | None
    procedure_code: ProcedureCode
    expected: Money  # contract allowed amount x units
    received: Money  # paid + patient responsibility
    shortfall: Money


class SecondaryLineResult(Model):
    """The primary's result for one line (2430): which line, what it paid and why not the rest."""

    line_item_control_number: str
    paid: Money
    paid_units: Annotated[int, Field(ge=0, le=999)]
    adjustments: tuple[Adjustment, ...] = ()


class ClaimSecondaryRequested(Model):
    """Payments asks claims for a COB claim to the secondary payer, with the primary's adjudication."""

    claim_id: ClaimId  # the primary claim
    encounter_id: EncounterId
    payer_id: str  # the primary payer
    payer_claim_number: ShortText
    paid: Money
    adjudication_date: date
    remaining_patient_liability: Money
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    lines: tuple[SecondaryLineResult, ...] = ()


class PatientBalanceChanged(Model):
    """A patient's balance moved: insurance left something to the patient (or a reversal took it
    back), or the patient paid. Ids and amounts only."""

    entry_id: str
    patient_id: PatientId
    kind: Annotated[str, StringConstraints(pattern=r"^(charge|payment|adjustment)$")]
    claim_id: ClaimId | None = None
    amount: Money  # + the patient owes more, - less
    balance: Money  # after this entry
    at: date


class PatientStatementIssued(Model):
    statement_id: str
    patient_id: PatientId
    statement_date: date
    balance: Money
    due_date: date


class ClaimDenied(Model):
    denial_id: str
    claim_id: ClaimId
    encounter_id: EncounterId
    payer_id: str
    payer_claim_number: str
    remittance_id: str
    whole_claim: bool
    denied_amount: Money
    adjustments: tuple[Adjustment, ...] = Field(min_length=1)
    rarcs: tuple[str, ...] = ()
    date_of_service: date
    payment_date: date
    # Optional, appended: the claim facts an appeal letter and the root-cause trends use. Older
    # producers leave them out; the letter and trends then say "not on record" instead of guessing.
    billed: Money | None = None
    procedure_codes: tuple[ProcedureCode, ...] = ()
    rendering_npi: Npi | None = None
    # Appended: the denied claim's frequency. A denial of a replacement (7) means a correction was
    # already tried; the rules then leave the next step to a person.
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL


# --- denials -------------------------------------------------------------------------------------


class DenialAction(StrEnum):
    RESUBMIT = "resubmit"
    APPEAL = "appeal"
    WRITE_OFF = "write_off"


class DenialWorked(Model):
    denial_id: str
    claim_id: ClaimId
    encounter_id: EncounterId
    category: Code
    action: DenialAction
    amount: Money
    appeal_deadline: date | None = None
    # Optional, appended: set when a person resolved the work item (the rules' own decision leaves
    # them out). `reason` is a code (WriteOffReason for write-offs), never free text.
    reason: Code | None = None
    by_person: bool = False


class ClaimResubmitRequested(Model):
    denial_id: str
    claim_id: ClaimId
    encounter_id: EncounterId
    category: Code
    payer_claim_number: ShortText
    corrections: tuple[Code, ...] = ()


# --- cross-cutting ---------------------------------------------------------------------------------


class AuditRecorded(Model):
    """Who (the token's subject) did or read what, in which tenant, when, and from where. Ids and
    codes only: no PHI."""

    actor: ShortText
    action: Code
    subject_type: Code
    subject_id: ShortText
    at: datetime
    tenant_id: str | None = None
    service: str | None = None  # the service whose API was called
    source: str | None = None  # the client's address (first X-Forwarded-For hop, else the peer)
    request_id: str | None = None  # the client's Idempotency-Key / X-Request-Id
    read: bool = False  # a read of PHI, not a change


class DeadLetter(Model):
    """A message a service could not use, parked with the reason. The reason never holds PHI. The
    original bytes are kept only encrypted with the PHI key (`original_sealed`: base64 of a sealed
    value, see shared/phi.py and shared/dead_letters.py) and only up to a bound, so a letter stays
    far below the broker's message size; `original_complete` says whether the copy is whole (only
    a whole copy can be replayed). `original_value_b64` (the raw bytes) is no longer written: it
    is read only from letters parked before copies were sealed."""

    service: ShortText
    original_topic: str
    partition: int
    offset: int
    original_key: str | None
    reason_code: Code
    reason: Annotated[str, StringConstraints(max_length=500)]
    original_value_b64: str | None = None
    original_sealed: str | None = None
    original_size: int = Field(default=0, ge=0)
    original_complete: bool = True
    dead_lettered_at: AwareDatetime




# --- coding review ---------------------------------------------------------------------------------


class CodingDecision(StrEnum):
    ACCEPTED_SUGGESTION = "accepted_suggestion"  # the principal diagnosis became the top suggestion
    KEPT_PROVIDER_CODES = "kept_provider_codes"
    CORRECTED = "corrected"  # the coder entered other codes


class CodingReviewDecided(Model):
    """A coder released an encounter from the coding review queue. No PHI: codes, a user id, a
    confidence. `agreed_with_suggestion`: the billed principal diagnosis is the top suggestion."""

    encounter_id: EncounterId
    coder: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@-]{1,64}$")]  # a user id
    decision: CodingDecision
    diagnoses: tuple[Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9A-Z]{2,6}$")], ...] = Field(
        min_length=1, max_length=12)
    top_suggestion: Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9A-Z]{2,6}$")] | None = None
    suggestion_confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    agreed_with_suggestion: bool
    corrected: bool  # the billed diagnoses differ from the provider's
    finding_codes: tuple[Code, ...] = ()
    decided_at: AwareDatetime
# --- eligibility (270/271) ---------------------------------------------------------------------------

InquiryId = Annotated[str, StringConstraints(pattern=r"^elg_[0-9a-f]{24}$")]


class EligibilityRequested(Model):
    """A 270 asking a payer whether the patient's coverage is active on the date of service."""

    inquiry_id: InquiryId  # also the 270's TRN02 trace number, echoed in the 271
    encounter_id: EncounterId
    payer_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,15}$")]
    attempt: Annotated[int, Field(ge=1)] = 1
    x12: str  # the 270 interchange (PHI inside: member id, name)


class EligibilityResponded(Model):
    """The payer's 271 for one inquiry."""

    inquiry_id: InquiryId
    encounter_id: EncounterId
    x12: str  # the 271 interchange (PHI inside)


class EncounterHeldForEligibility(Model):
    """An encounter parked in registration's work queue: coverage inactive, unknown or unverified."""

    encounter_id: EncounterId
    findings: tuple[Finding, ...] = Field(min_length=1)
