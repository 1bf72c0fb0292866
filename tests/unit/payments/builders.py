"""Builders of synthetic remittances and submitted claims for the payments domain tests.

Amounts are given as strings ("100.00") and become Decimal; a claim's billed, paid and patient
responsibility are derived from its lines so that a test only states what it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from services.payments.domain import ExpectedClaim, ExpectedLine
from shared.events import (
    Adjustment,
    AdjustmentGroup,
    ChargeLine,
    ClaimPaymentStatus,
    Coverage,
    FrequencyCode,
    Patient,
    PaymentPosted,
    Provider,
    ProviderAdjustment,
    RemittanceClaim,
    RemittanceLine,
    RemittanceReceived,
    SubmittedClaim,
    Visit,
)
from shared.ids import encounter_id_for, patient_id_for, stable_id
from shared.money import total

TENANT = "clinic-north"
PAYER = "ACMEHEALTH"
DATE_OF_SERVICE = date(2025, 3, 3)
PAYMENT_DATE = date(2025, 4, 1)


def money(amount: str | Decimal) -> Decimal:
    return Decimal(amount)


def a_claim_id(name: str = "1") -> str:
    return stable_id("clm", "unit-test", name)


def an_encounter_id(name: str = "1") -> str:
    return encounter_id_for(TENANT, f"visit-{name}")


def adjustment(group: str, carc: str, amount: str | Decimal) -> Adjustment:
    return Adjustment(group=AdjustmentGroup(group), carc=carc, amount=money(amount))


def co(carc: str, amount: str | Decimal) -> Adjustment:
    return adjustment("CO", carc, amount)


def pr(carc: str, amount: str | Decimal) -> Adjustment:
    return adjustment("PR", carc, amount)


def oa(carc: str, amount: str | Decimal) -> Adjustment:
    return adjustment("OA", carc, amount)


def pi(carc: str, amount: str | Decimal) -> Adjustment:
    return adjustment("PI", carc, amount)


def a_line(
    billed: str | Decimal = "100.00",
    paid: str | Decimal | None = None,
    *adjustments: Adjustment,
    control: str | None = "L1",
    procedure_code: str = "99213",
    modifiers: Sequence[str] = (),
    units: int = 1,
    rarcs: Sequence[str] = (),
) -> RemittanceLine:
    """An SVC line; `paid` defaults to whatever the adjustments leave of `billed`."""
    billed_amount = money(billed)
    paid_amount = billed_amount - total(a.amount for a in adjustments) if paid is None else money(paid)
    return RemittanceLine(
        line_item_control_number=control,
        procedure_code=procedure_code,
        modifiers=tuple(modifiers),
        units=units,
        billed=billed_amount,
        paid=paid_amount,
        adjustments=adjustments,
        rarcs=tuple(rarcs),
    )


def a_claim(
    *lines: RemittanceLine,
    status: str = "1",
    adjustments: Sequence[Adjustment] = (),
    claim_id: str | None = None,
    billed: str | Decimal | None = None,
    paid: str | Decimal | None = None,
    patient_responsibility: str | Decimal | None = None,
    payer_claim_number: str = "PCN-0001",
    rarcs: Sequence[str] = (),
) -> RemittanceClaim:
    """A CLP that balances unless told otherwise: billed is the lines' total, paid is what the lines
    paid less the claim-level adjustments, and CLP05 is the sum of every PR adjustment."""
    claim_adjustments = tuple(adjustments)
    every_adjustment = (*claim_adjustments, *(a for line in lines for a in line.adjustments))
    billed_amount = total(line.billed for line in lines) if billed is None else money(billed)
    paid_amount = (
        total(line.paid for line in lines) - total(a.amount for a in claim_adjustments)
        if paid is None
        else money(paid)
    )
    patient_share = (
        total(a.amount for a in every_adjustment if a.group == AdjustmentGroup.PATIENT_RESPONSIBILITY)
        if patient_responsibility is None
        else money(patient_responsibility)
    )
    return RemittanceClaim(
        claim_id=claim_id or a_claim_id(),
        status_code=ClaimPaymentStatus(status),
        billed=billed_amount,
        paid=paid_amount,
        patient_responsibility=patient_share,
        payer_claim_number=payer_claim_number,
        adjustments=claim_adjustments,
        lines=lines,
        rarcs=tuple(rarcs),
    )


def reversal_of(claim: RemittanceClaim) -> RemittanceClaim:
    """The payer's CLP02 22 for `claim`: the same adjudication with every amount negated."""

    def negated(adjustments: Sequence[Adjustment]) -> tuple[Adjustment, ...]:
        return tuple(Adjustment(group=a.group, carc=a.carc, amount=-a.amount) for a in adjustments)

    return claim.model_copy(
        update={
            "status_code": ClaimPaymentStatus.REVERSAL,
            "billed": -claim.billed,
            "paid": -claim.paid,
            "patient_responsibility": -claim.patient_responsibility,
            "adjustments": negated(claim.adjustments),
            "lines": tuple(
                line.model_copy(
                    update={"billed": -line.billed, "paid": -line.paid, "adjustments": negated(line.adjustments)}
                )
                for line in claim.lines
            ),
        }
    )


def a_remittance(
    *claims: RemittanceClaim,
    payment_amount: str | Decimal | None = None,
    provider_adjustments: Sequence[ProviderAdjustment] = (),
    remittance_id: str = "TRN-20250401-1",
    payment_date: date = PAYMENT_DATE,
) -> RemittanceReceived:
    """An 835 whose BPR02 balances (Σ CLP04 − Σ PLB) unless `payment_amount` says otherwise."""
    amount = (
        total(c.paid for c in claims) - total(p.amount for p in provider_adjustments)
        if payment_amount is None
        else money(payment_amount)
    )
    return RemittanceReceived(
        remittance_id=remittance_id,
        payer_id=PAYER,
        payment_amount=amount,
        payment_method="ACH",
        payment_date=payment_date,
        claims=claims,
        provider_adjustments=tuple(provider_adjustments),
    )


def a_plb(reason: str, amount: str) -> ProviderAdjustment:
    return ProviderAdjustment(reason=reason, reference="REF-1", amount=money(amount))


def an_expected_line(
    control: str = "L1",
    procedure_code: str = "99213",
    modifiers: Sequence[str] = (),
    units: int = 1,
    charge: str = "100.00",
) -> ExpectedLine:
    return ExpectedLine(control, procedure_code, tuple(modifiers), units, money(charge))


PATIENT_ID = patient_id_for(TENANT, "MRN-TEST-1")


def an_expected_claim(
    *lines: ExpectedLine, claim_id: str | None = None, date_of_service: date = DATE_OF_SERVICE,
    patient_id: str | None = PATIENT_ID, has_secondary: bool = False, rendering_npi: str | None = None,
) -> ExpectedClaim:
    expected_lines = lines or (an_expected_line(),)
    return ExpectedClaim(
        claim_id=claim_id or a_claim_id(),
        encounter_id=an_encounter_id(),
        tenant_id=TENANT,
        payer_id=PAYER,
        billed=total(line.charge for line in expected_lines),
        date_of_service=date_of_service,
        lines=expected_lines,
        patient_id=patient_id,
        has_secondary=has_secondary,
        rendering_npi=rendering_npi,
    )


def a_submitted_claim(*lines: ChargeLine) -> SubmittedClaim:
    """A claim as claims submitted it, with a synthetic patient."""
    charge_lines = lines or (
        ChargeLine(
            line_number=1,
            line_item_control_number="L1",
            procedure_code="99213",
            units=1,
            charge=money("100.00"),
            diagnosis_pointers=(1,),
        ),
    )
    provider = Provider(npi="1234567893", name="Synthetic Clinic")
    return SubmittedClaim(
        claim_id=a_claim_id(),
        encounter_id=an_encounter_id(),
        frequency_code=FrequencyCode.ORIGINAL,
        patient=Patient(
            mrn="MRN-TEST-1",
            first_name="Testy",
            last_name="Example",
            birth_date=date(1980, 1, 1),
            sex="U",
            address={"line1": "1 Test Way", "city": "Testville", "state": "ZZ", "postal_code": "00000"},
        ),
        coverage=Coverage(payer_id=PAYER, payer_name="Acme Health", member_id="MEMBER-TEST-1"),
        visit=Visit(
            visit_number="visit-1",
            date_of_service=DATE_OF_SERVICE,
            place_of_service="11",
            rendering=provider,
            billing=provider,
        ),
        diagnoses=("Z0000",),
        lines=charge_lines,
        total_charge=total(line.charge for line in charge_lines),
    )


def unaccounted(payment: PaymentPosted) -> Decimal:
    """What the posting leaves unexplained of the billed amount; 0.00 when it balances."""
    return payment.billed - (
        payment.paid
        + payment.contractual_adjustment
        + payment.patient_responsibility
        + payment.other_adjustment
        + payment.denied_amount
    )


def as_sent(claim):
    """The claim (a SubmittedClaim, or a ProfessionalClaim with its 837 details) as payments reads
    it back from the 837P claims sent (Claim837)."""
    from shared.x12 import BillingProvider, Person, PostalAddress, ProfessionalClaim

    if isinstance(claim, ProfessionalClaim):
        return _written(claim)
    billing = BillingProvider(npi=claim.visit.billing.npi, name="SYNTHETIC CLINIC", tax_id="123456789",
                              address=PostalAddress("1 TEST PLAZA", "TESTVILLE", "OH", "430011234"))
    holder = claim.coverage.subscriber
    subscriber = None
    if claim.coverage.relationship.value != "18":  # a dependent: the 837 names the subscriber too
        subscriber = (Person(holder.last_name, holder.first_name, holder.birth_date, holder.sex.value) if holder
                      else Person("TESTSUBSCRIBER", "ZZPARENT"))
    return _written(ProfessionalClaim(claim, billing=billing, subscriber=subscriber))


def _written(claim):
    from datetime import datetime, timezone

    from shared.x12 import InMemoryControlNumbers, read, write_837p
    from shared.x12.samples import sample_partners, sample_receiver, sample_submitter

    text = write_837p([claim], partners=sample_partners(), submitter=sample_submitter(), receiver=sample_receiver(),
                      control_numbers=InMemoryControlNumbers(), created=datetime(2026, 11, 2, tzinfo=timezone.utc),
                      reference="bat_" + "c" * 24)
    return read(text).claim_batches()[0].claims[0]


_ORDER = ("primary", "secondary", "tertiary")


def filed(claim: SubmittedClaim, tenant_id: str = TENANT):
    """The claims service's record of `claim` in the batch it filed (FiledClaim)."""
    from shared.events import FiledClaim
    from shared.ids import patient_id_for

    return FiledClaim(claim_id=claim.claim_id, encounter_id=claim.encounter_id, payer_id=claim.coverage.payer_id,
                      frequency_code=claim.frequency_code, total_charge=claim.total_charge,
                      patient_id=patient_id_for(tenant_id, claim.patient.mrn),
                      has_secondary=any(_ORDER.index(o.order.value) > _ORDER.index(claim.coverage.order.value)
                                        for o in claim.other_coverages))


def expected_from(tenant_id: str, claim):
    """What payments remembers of `claim` (SubmittedClaim or ProfessionalClaim) once it has read
    the 837P it went out in."""
    from services.payments.domain import expected_claim

    submitted = getattr(claim, "claim", claim)
    return expected_claim(tenant_id, as_sent(claim), filed(submitted, tenant_id))
