"""An 835 remittance: one payment (BPR/TRN) and the claims and service lines it pays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from typing import TYPE_CHECKING
from shared.x12.errors import ContractMismatch
from shared.x12.models.base import model
from shared.x12.models.common import CasAdjustment, Individual, Party, PostalAddress

if TYPE_CHECKING:  # the contract (pydantic) is imported by to_event only: reading does not need it
    from pydantic import ValidationError

    from shared.events import Adjustment, RemittanceClaim, RemittanceReceived

REVERSAL = "22"


@model
class ServicePayment:
    """One SVC loop (2110): what was billed and paid for a service line."""

    procedure_qualifier: str  # SVC01-1: HC (HCPCS/CPT), NU (revenue code), ...
    procedure_code: str  # SVC01-2 as adjudicated
    billed: Decimal  # SVC02
    paid: Decimal  # SVC03
    modifiers: tuple[str, ...] = ()  # SVC01-3..6
    revenue_code: str | None = None  # SVC04
    units_paid: Decimal | None = None  # SVC05
    submitted_procedure_code: str | None = None  # SVC06-2, when the payer changed the code
    submitted_modifiers: tuple[str, ...] = ()
    units_billed: Decimal | None = None  # SVC07
    service_date: date | None = None  # DTM*472
    service_period_start: date | None = None  # DTM*150
    service_period_end: date | None = None  # DTM*151
    line_item_control_number: str | None = None  # REF*6R: the 837's line, for matching
    adjustments: tuple[CasAdjustment, ...] = ()
    allowed: Decimal | None = None  # AMT*B6
    remark_codes: tuple[str, ...] = ()  # LQ*HE (RARC)


@model
class InpatientAdjudication:
    """MIA. Amounts by their position in the segment; the remark codes separately."""

    covered_days: Decimal  # MIA01
    drg_amount: Decimal | None = None  # MIA04
    amounts: tuple[tuple[int, Decimal], ...] = ()  # (MIA position, amount) for every other amount sent
    remark_codes: tuple[str, ...] = ()  # MIA05, MIA20-23


@model
class OutpatientAdjudication:
    """MOA."""

    reimbursement_rate: Decimal | None = None  # MOA01
    hcpcs_payable: Decimal | None = None  # MOA02
    remark_codes: tuple[str, ...] = ()  # MOA03-07
    esrd_payment: Decimal | None = None  # MOA08
    non_payable_professional: Decimal | None = None  # MOA09


@model
class ClaimPayment:
    """One CLP loop (2100)."""

    patient_control_number: str  # CLP01: our claim id as we sent it in CLM01
    status_code: str  # CLP02: 1/2/3 processed as primary/secondary/tertiary, 4 denied, 22 reversal, ...
    billed: Decimal  # CLP03
    paid: Decimal  # CLP04
    claim_filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07
    patient_responsibility: Decimal | None = None  # CLP05
    facility_type_code: str | None = None  # CLP08 (place of service or type of bill digits)
    frequency_code: str | None = None  # CLP09
    drg_code: str | None = None  # CLP11
    drg_weight: Decimal | None = None  # CLP12
    adjustments: tuple[CasAdjustment, ...] = ()  # claim-level CAS
    patient: Individual | None = None  # NM1*QC (PHI)
    insured: Individual | None = None  # NM1*IL (PHI)
    rendering_provider: Party | None = None  # NM1*82
    inpatient: InpatientAdjudication | None = None
    outpatient: OutpatientAdjudication | None = None
    original_reference_number: str | None = None  # REF*F8
    references: tuple[tuple[str, str], ...] = ()  # other REF (qualifier, value); may hold PHI (EA, SY)
    statement_from: date | None = None  # DTM*232
    statement_to: date | None = None  # DTM*233
    received_date: date | None = None  # DTM*050
    coverage_expiration: date | None = None  # DTM*036
    supplemental_amounts: tuple[tuple[str, Decimal], ...] = ()  # AMT (qualifier, amount)
    lines: tuple[ServicePayment, ...] = ()

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL

    @property
    def reverses(self) -> str | None:
        """For a reversal (CLP02 22), the payer claim number of the payment it takes back.

        Payers repeat the original claim's CLP07 on the reversal; some also send it as REF*F8.
        """
        if not self.is_reversal:
            return None
        return self.original_reference_number or self.payer_claim_number


@model
class ProviderLevelAdjustment:
    """One PLB adjustment. A positive amount reduces the payment (e.g. WO recoupment); negative adds (L6 interest)."""

    provider_id: str  # PLB01
    fiscal_period_end: date  # PLB02
    reason: str  # PLB03-1 adjustment reason code, e.g. WO, L6, FB, 72
    amount: Decimal
    reference: str | None = None  # PLB03-2, e.g. the claim a recoupment belongs to


@model
class Remittance:
    control_number: str  # ST02
    handling_code: str  # BPR01: I remittance with payment, H notification only, ...
    payment_amount: Decimal  # BPR02 = sum of CLP04 - sum of PLB amounts
    credit_debit: str  # BPR03
    payment_method: str  # BPR04: ACH, CHK, NON, BOP, FWT
    payment_date: date  # BPR16
    trace_number: str  # TRN02: check or EFT trace number
    originator_id: str  # TRN03: '1' + payer TIN, or another payer id
    payer: Party  # 1000A N1*PR; identifier from REF*2U or N104 when sent
    payee: Party  # 1000B N1*PE; identifier is usually the NPI (qualifier XX)
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderLevelAdjustment, ...] = ()
    payment_format: str | None = None  # BPR05: CCP, CTX
    production_date: date | None = None  # DTM*405
    payer_address: PostalAddress | None = None
    payee_tax_id: str | None = None  # 1000B REF*TJ
    payer_contact: str | None = None  # 1000A PER*BL contact name

    @property
    def payer_id(self) -> str:
        return self.payer.identifier or self.originator_id

    def to_event(self) -> RemittanceReceived:
        """Return the platform's RemittanceReceived; raise ContractMismatch where the 835 carries
        something the contract cannot hold (e.g. a status code or trace number outside its patterns)."""
        from pydantic import ValidationError

        from shared.events import ProviderAdjustment, RemittanceReceived

        claims = []
        for index, claim in enumerate(self.claims):
            try:
                claims.append(_claim_event(claim))
            except ValidationError as refused:
                raise ContractMismatch(
                    f"remittance {self.control_number}: claims.{index} does not fit RemittanceClaim: {_fields(refused)}"
                ) from None
        try:
            return RemittanceReceived(
                remittance_id=self.trace_number,
                payer_id=self.payer_id,
                payment_amount=self.payment_amount,
                payment_method=self.payment_method,
                payment_date=self.payment_date,
                claims=tuple(claims),
                provider_adjustments=tuple(
                    ProviderAdjustment(
                        reason=adjustment.reason, reference=adjustment.reference, amount=adjustment.amount
                    )
                    for adjustment in self.provider_adjustments
                ),
            )
        except ValidationError as refused:
            raise ContractMismatch(
                f"remittance {self.control_number} does not fit RemittanceReceived: {_fields(refused)}"
            ) from None


def _fields(refused: ValidationError) -> str:
    """The fields pydantic refused, without their values (they may be PHI)."""
    return ", ".join(sorted({".".join(str(part) for part in error["loc"]) for error in refused.errors()}))


def _whole_units(units: Decimal | None) -> int:
    """SVC05 as the contract's whole units; absent means one. Fractional units do not fit."""
    if units is None:
        return 1
    if units != units.to_integral_value():
        raise ContractMismatch("a service line was paid for fractional units (SVC05); RemittanceLine.units is whole")
    return int(units)


def _adjustments(adjustments: tuple[CasAdjustment, ...]) -> tuple[Adjustment, ...]:
    from shared.events import Adjustment

    return tuple(Adjustment(group=item.group, carc=item.reason, amount=item.amount) for item in adjustments)


def _claim_event(claim: ClaimPayment) -> RemittanceClaim:
    from shared.events import RemittanceClaim, RemittanceLine

    patient_responsibility = claim.patient_responsibility
    if patient_responsibility is None:
        patient_responsibility = Decimal("0.00")
    return RemittanceClaim(
        claim_id=claim.patient_control_number,
        status_code=claim.status_code,
        billed=claim.billed,
        paid=claim.paid,
        patient_responsibility=patient_responsibility,
        payer_claim_number=claim.payer_claim_number,
        frequency_code=claim.frequency_code or "1",
        adjustments=_adjustments(claim.adjustments),
        lines=tuple(
            RemittanceLine(
                line_item_control_number=line.line_item_control_number,
                procedure_code=line.procedure_code,
                modifiers=line.modifiers,
                units=_whole_units(line.units_paid),
                billed=line.billed,
                paid=line.paid,
                adjustments=_adjustments(line.adjustments),
                rarcs=line.remark_codes,
                service_date=line.service_date or line.service_period_start,
            )
            for line in claim.lines
        ),
        rarcs=claim.outpatient.remark_codes if claim.outpatient else (),
    )
