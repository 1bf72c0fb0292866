"""Synthetic X12 content for `rcm x12 generate`, tests and the benchmark.

Every person here is obviously fake (TESTPATIENT ALPHA ...), every NPI is made up (with a valid
check digit), and a seed makes each batch reproducible. Nothing here is meant for production data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from shared.codes.npi import npi_check_digit
from shared.events import (
    Address,
    ChargeLine,
    Coverage,
    CoverageOrder,
    FrequencyCode,
    Patient,
    Provider,
    Relationship,
    Sex,
    SubmittedClaim,
    Visit,
)
from shared.x12.models.claim import (
    BillingProvider,
    Claim837,
    InstitutionalClaim,
    InstitutionalDetails,
    LineAdjudication,
    OccurrenceCode,
    PayerAdjudication,
    Person,
    PostalAddress,
    ProfessionalClaim,
    Receiver,
    Submitter,
    ValueCode,
)
from shared.x12.models.common import CasAdjustment, Individual, Party
from shared.x12.models.eligibility import EligibilityInquiry
from shared.x12.models.remittance import (
    ClaimPayment,
    ProviderLevelAdjustment,
    Remittance,
    ServicePayment,
)
from shared.x12.writers.segments import TradingPartners

FIRST_NAMES = (
    "ALPHA",
    "BRAVO",
    "CHARLIE",
    "DELTA",
    "ECHO",
    "FOXTROT",
    "GOLF",
    "HOTEL",
    "INDIA",
    "JULIETT",
    "KILO",
    "LIMA",
    "MIKE",
    "NOVEMBER",
    "OSCAR",
    "PAPA",
    "QUEBEC",
    "ROMEO",
    "SIERRA",
    "TANGO",
)
DIAGNOSES = (
    "J449",
    "E119",
    "I10",
    "R0602",
    "M545",
    "Z0000",
    "K219",
    "E785",
    "F419",
    "J069",
    "N390",
    "R51",
    "M25561",
    "L03115",
)
PROCEDURES = ("99213", "99214", "85025", "80053", "93000", "71046", "36415", "97110", "G0439", "99203")
MODIFIERS = ("25", "59", "LT", "RT", "XS", "76", "GT", "95")
REVENUE_CODES = ("0450", "0300", "0320", "0250", "0636", "0730")
STATES = ("CA", "TX", "NY", "FL", "OH", "WA")
EPOCH = date(2024, 3, 1)
CREATED = datetime(2024, 3, 15, 9, 30)


def fake_npi(seed: int) -> str:
    body = f"1{seed % 100_000_000:08d}"
    return body + npi_check_digit(body)


def sample_partners(sender_id: str = "TESTCLINIC", receiver_id: str = "TESTCLEARING") -> TradingPartners:
    return TradingPartners(sender_id=sender_id, receiver_id=receiver_id, production=False)


def sample_submitter() -> Submitter:
    return Submitter(
        name="TEST BILLING SERVICE", identifier="TESTSUBMIT01", contact_name="TEST EDI DESK", phone="5555550100"
    )


def sample_receiver() -> Receiver:
    return Receiver(name="TEST CLEARINGHOUSE", identifier="TESTCLEARING")


def sample_billing(index: int = 0) -> BillingProvider:
    return BillingProvider(
        npi=fake_npi(424242 + index),
        name=f"TEST MEDICAL GROUP {index + 1}",
        tax_id=f"{990000000 + index:09d}",
        address=PostalAddress("100 TEST PLAZA", "TESTVILLE", "CA", "900010001"),
        taxonomy="207Q00000X",
    )


def _address(rng: random.Random) -> Address:
    return Address(
        line1=f"{rng.randint(1, 9999)} TEST STREET",
        city="TESTVILLE",
        state=rng.choice(STATES),
        postal_code=f"{rng.randint(10000, 99999)}",
    )


def _patient(rng: random.Random, index: int) -> Patient:
    return Patient(
        mrn=f"MRN{index:08d}",
        first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
        last_name="TESTPATIENT",
        birth_date=date(1940, 1, 1) + timedelta(days=rng.randint(0, 25000)),
        sex=rng.choice((Sex.FEMALE, Sex.MALE)),
        address=_address(rng),
    )


def sample_submitted_claim(
    index: int,
    rng: random.Random,
    billing: BillingProvider,
    *,
    diagnoses: int | None = None,
    lines: int | None = None,
    modifiers: int | None = None,
    relationship: Relationship = Relationship.SELF,
    order: CoverageOrder = CoverageOrder.PRIMARY,
    frequency: FrequencyCode = FrequencyCode.ORIGINAL,
) -> SubmittedClaim:
    """A synthetic professional claim; None picks a random count."""
    diagnosis_count = diagnoses if diagnoses is not None else rng.randint(1, 4)
    line_count = lines if lines is not None else rng.randint(1, 3)
    codes = tuple(DIAGNOSES[(index + offset) % len(DIAGNOSES)] for offset in range(diagnosis_count))
    if diagnosis_count > len(DIAGNOSES):
        codes = tuple(f"Z{offset:02d}{index % 10}" for offset in range(diagnosis_count))
    charge_lines = []
    for number in range(1, line_count + 1):
        units = rng.randint(1, 3)
        unit_price = Decimal(rng.randint(2500, 30000)) / 100
        modifier_count = modifiers if modifiers is not None else rng.choice((0, 0, 1, 2))
        charge_lines.append(
            ChargeLine(
                line_number=number,
                line_item_control_number=f"L{index:08d}N{number:02d}",
                procedure_code=PROCEDURES[(index + number) % len(PROCEDURES)],
                modifiers=tuple(MODIFIERS[(index + slot) % len(MODIFIERS)] for slot in range(modifier_count)),
                units=units,
                charge=unit_price * units,
                diagnosis_pointers=tuple(range(1, min(diagnosis_count, 4) + 1)),
            )
        )
    provider = Provider(npi=billing.npi, name=billing.name, taxonomy=billing.taxonomy, tax_id=billing.tax_id)
    rendering = Provider(npi=fake_npi(700000 + index % 50), name="TESTDOCTOR, KILO", taxonomy="207Q00000X")
    return SubmittedClaim(
        claim_id=f"clm_{index:024x}",
        encounter_id=f"enc_{index:032x}",
        frequency_code=frequency,
        payer_claim_number=f"PCN{index:010d}" if frequency is not FrequencyCode.ORIGINAL else None,
        patient=_patient(rng, index),
        coverage=Coverage(
            payer_id="TESTPAYER1" if order is CoverageOrder.PRIMARY else "TESTPAYER2",
            payer_name="TEST HEALTH PLAN" if order is CoverageOrder.PRIMARY else "TEST SECONDARY PLAN",
            member_id=f"MEM{index:09d}",
            group_number=f"GRP{index % 97:04d}",
            relationship=relationship,
            order=order,
        ),
        visit=Visit(
            visit_number=f"V{index:08d}",
            date_of_service=EPOCH + timedelta(days=index % 28),
            place_of_service="11",
            rendering=rendering,
            billing=provider,
        ),
        diagnoses=codes,
        lines=tuple(charge_lines),
        total_charge=sum((line.charge for line in charge_lines), Decimal("0.00")),
    )


def primary_adjudication(claim: SubmittedClaim, paid_share: Decimal = Decimal("0.80")) -> PayerAdjudication:
    """What a synthetic primary payer paid on `claim`: `paid_share` of each line, the rest as PR-2
    coinsurance, with line results (2430) that balance to the line charges."""
    results = []
    total_paid = Decimal("0.00")
    for line in claim.lines:
        paid = (line.charge * paid_share).quantize(Decimal("0.01"))
        total_paid += paid
        results.append(
            LineAdjudication(
                line_number=line.line_number,
                paid=paid,
                paid_units=Decimal(line.units),
                adjudication_date=claim.visit.date_of_service + timedelta(days=14),
                procedure_code=line.procedure_code,
                modifiers=tuple(line.modifiers),
                adjustments=(CasAdjustment("PR", "2", line.charge - paid),),
            )
        )
    patient = claim.patient
    return PayerAdjudication(
        payer_id="TESTPAYER1",
        payer_name="TEST HEALTH PLAN",
        member_id=f"PRI{claim.coverage.member_id}",
        subscriber=Person(patient.last_name, patient.first_name),
        paid=total_paid,
        remaining_patient_liability=claim.total_charge - total_paid,
        lines=tuple(results),
    )


def sample_professional_claims(
    count: int, seed: int = 7, *, billing: BillingProvider | None = None
) -> list[ProfessionalClaim]:
    """`count` professional claims with the awkward cases mixed in: twelve diagnoses, four modifiers,
    dependents, corrected and void claims, and secondary claims with the primary's adjudication."""
    rng = random.Random(seed)
    billing = billing or sample_billing()
    claims = []
    for index in range(count):
        kind = index % 10
        options: dict = {}
        if kind == 1:
            options = {"diagnoses": 12, "lines": 4}
        elif kind == 2:
            options = {"modifiers": 4}
        elif kind == 3:
            options = {"relationship": Relationship.CHILD}
        elif kind == 4:
            options = {"frequency": FrequencyCode.REPLACEMENT}
        elif kind == 5:
            options = {"order": CoverageOrder.SECONDARY}
        elif kind == 6:
            options = {"frequency": FrequencyCode.VOID}
        claim = sample_submitted_claim(index, rng, billing, **options)
        subscriber = None
        if claim.coverage.relationship is not Relationship.SELF:
            subscriber = Person(
                "TESTSUBSCRIBER",
                "OSCAR",
                date(1970, 5, 5),
                "M",
                PostalAddress("1 TEST ROAD", "TESTVILLE", "CA", "90001"),
            )
        prior = (primary_adjudication(claim),) if claim.coverage.order is CoverageOrder.SECONDARY else ()
        claims.append(ProfessionalClaim(claim=claim, billing=billing, subscriber=subscriber, prior_payers=prior))
    return claims


def sample_institutional_claims(
    count: int, seed: int = 11, *, billing: BillingProvider | None = None
) -> list[InstitutionalClaim]:
    rng = random.Random(seed)
    billing = billing or sample_billing()
    claims = []
    for index in range(count):
        kind = index % 5
        claim = sample_submitted_claim(
            index,
            rng,
            billing,
            diagnoses=12 if kind == 1 else None,
            order=CoverageOrder.SECONDARY if kind == 2 else CoverageOrder.PRIMARY,
            frequency=FrequencyCode.REPLACEMENT if kind == 3 else FrequencyCode.ORIGINAL,
        )
        day = claim.visit.date_of_service
        inpatient = kind == 4
        details = InstitutionalDetails(
            facility_type="11" if inpatient else "13",
            statement_from=day,
            statement_to=day + timedelta(days=3) if inpatient else day,
            patient_status="01",
            admission_type="1" if inpatient else None,
            admission_source="7" if inpatient else None,
            admission_date=day if inpatient else None,
            admitting_diagnosis=claim.diagnoses[0] if inpatient else None,
            occurrence_codes=(OccurrenceCode("11", day - timedelta(days=1)),) if kind in (0, 4) else (),
            value_codes=(ValueCode("80", Decimal("3")),) if inpatient else (),
            condition_codes=("39",) if kind == 0 else (),
        )
        revenue_codes = tuple(REVENUE_CODES[(index + line.line_number) % len(REVENUE_CODES)] for line in claim.lines)
        prior = (primary_adjudication(claim),) if claim.coverage.order is CoverageOrder.SECONDARY else ()
        claims.append(
            InstitutionalClaim(
                claim=claim, billing=billing, details=details, revenue_codes=revenue_codes, prior_payers=prior
            )
        )
    return claims


def _payment_for(claim: Claim837, rng: random.Random, index: int) -> list[ClaimPayment]:
    """One or two CLP loops paying `claim` (a reversal followed by its correction every 12th claim)."""
    denied = index % 9 == 4
    lines = []
    claim_paid = Decimal("0.00")
    for line in claim.lines:
        if denied:
            adjustments = (CasAdjustment("CO", "197", line.charge),)
            paid = Decimal("0.00")
        else:
            allowed = (line.charge * Decimal("0.75")).quantize(Decimal("0.01"))
            coinsurance = (allowed * Decimal("0.20")).quantize(Decimal("0.01"))
            paid = allowed - coinsurance
            adjustments = (
                CasAdjustment("CO", "45", line.charge - allowed, None),
                CasAdjustment("PR", "2", coinsurance, None),
            )
            if index % 7 == 3:  # three triplets in one CAS: deductible taken out of coinsurance
                deductible = min(coinsurance, Decimal("5.00"))
                adjustments = (
                    CasAdjustment("CO", "45", line.charge - allowed),
                    CasAdjustment("PR", "1", deductible, Decimal("1")),
                    CasAdjustment("PR", "2", coinsurance - deductible),
                )
        claim_paid += paid
        lines.append(
            ServicePayment(
                procedure_qualifier="HC",
                procedure_code=line.procedure_code or "99213",
                modifiers=line.modifiers,
                billed=line.charge,
                paid=paid,
                units_paid=line.units,
                service_date=line.date_of_service,
                line_item_control_number=line.line_item_control_number,
                adjustments=adjustments,
                allowed=None if denied else line.charge - adjustments[0].amount,
                remark_codes=("N130",) if denied else (),
            )
        )
    patient = claim.patient or claim.subscriber.person
    responsibility = sum(
        (item.amount for line in lines for item in line.adjustments if item.group == "PR"), Decimal("0.00")
    )
    payment = ClaimPayment(
        patient_control_number=claim.claim_id,
        status_code="4" if denied else "1",
        billed=claim.total_charge,
        paid=claim_paid,
        patient_responsibility=responsibility,
        claim_filing_indicator="12",
        payer_claim_number=f"PAYERCLM{index:010d}",
        facility_type_code=claim.place_of_service
        or (claim.institutional.facility_type if claim.institutional else None),
        frequency_code=claim.frequency_code,
        patient=Individual(patient.last_name, patient.first_name, claim.subscriber.member_id, "MI"),
        received_date=claim.lines[0].date_of_service + timedelta(days=3),
        outpatient=None,
        lines=tuple(lines),
    )
    if index % 12 != 11:
        return [payment]
    # a reversal of an earlier payment of this claim, then the corrected payment
    reversal = ClaimPayment(
        patient_control_number=claim.claim_id,
        status_code="22",
        billed=-claim.total_charge,
        paid=-claim_paid,
        patient_responsibility=-responsibility if responsibility else None,
        claim_filing_indicator="12",
        payer_claim_number=payment.payer_claim_number,
        frequency_code=claim.frequency_code,
        patient=payment.patient,
        original_reference_number=payment.payer_claim_number,
        adjustments=tuple(
            CasAdjustment(item.group, item.reason, -item.amount, item.quantity)
            for line in lines
            for item in line.adjustments
        ),
    )
    return [reversal, payment]


def sample_remittance(
    claims: Sequence[Claim837], seed: int = 5, *, with_provider_adjustments: bool = True
) -> Remittance:
    """An 835 paying `claims`, balanced: BPR02 = sum of CLP04 - sum of PLB amounts."""
    rng = random.Random(seed)
    payments: list[ClaimPayment] = []
    for index, claim in enumerate(claims):
        payments.extend(_payment_for(claim, rng, index))
    billing = claims[0].billing if claims else sample_billing()
    adjustments: tuple[ProviderLevelAdjustment, ...] = ()
    if with_provider_adjustments:
        adjustments = (
            ProviderLevelAdjustment(billing.npi, date(2024, 12, 31), "L6", Decimal("-1.25")),
            ProviderLevelAdjustment(billing.npi, date(2024, 12, 31), "WO", Decimal("10.00"), "PAYERCLM0000000001"),
        )
    total_paid = sum((payment.paid for payment in payments), Decimal("0.00"))
    return Remittance(
        control_number="0001",
        handling_code="I",
        payment_amount=total_paid - sum((item.amount for item in adjustments), Decimal("0.00")),
        credit_debit="C",
        payment_method="CHK",
        payment_date=date(2024, 4, 1),
        trace_number=f"CHK{seed:08d}",
        originator_id="1999999999",
        payer=Party("TEST HEALTH PLAN", "TESTPAYER1", "2U"),
        payee=Party(billing.name, billing.npi, "XX"),
        claims=tuple(payments),
        provider_adjustments=adjustments,
        production_date=date(2024, 3, 30),
        payer_address=PostalAddress("1 PAYER PLAZA", "TESTCITY", "TX", "75001"),
        payee_tax_id=billing.tax_id,
        payer_contact="TEST EDI SUPPORT",
    )


def sample_inquiries(count: int, seed: int = 3) -> list[EligibilityInquiry]:
    rng = random.Random(seed)
    billing = sample_billing()
    return [
        EligibilityInquiry(
            trace_number=f"TRACE{index:08d}",
            payer=Party("TEST HEALTH PLAN", "TESTPAYER1", "PI"),
            provider=Party(billing.name, billing.npi, "XX"),
            member_id=f"MEM{index:09d}",
            last_name="TESTPATIENT",
            first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
            birth_date=date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000)),
            sex=rng.choice(("F", "M")),
            service_types=("30",) if index % 2 == 0 else ("30", "98"),
            date_of_service=EPOCH,
        )
        for index in range(count)
    ]


def sample_acknowledgements(claim_count: int = 4) -> tuple[str, str]:
    """A 999 with errors (one service line's code qualifier damaged, so it carries IK3/IK4/CTX
    loops) and a 277CA rejecting one claim, both answering a sample 837P."""
    from shared.x12.control_numbers import InMemoryControlNumbers
    from shared.x12.document import read
    from shared.x12.writers.acknowledgement import rejected, write_277ca, write_999
    from shared.x12.writers.professional import write_837p

    claims = sample_professional_claims(claim_count)
    text = write_837p(claims, partners=sample_partners(), submitter=sample_submitter(), receiver=sample_receiver(),
                      control_numbers=InMemoryControlNumbers(), created=CREATED, claims_per_set=2)
    back = sample_partners("TESTCLEARING", "TESTCLINIC")
    damaged = text.replace("SV1*HC:", "SV1*HX:", 1)
    acknowledgement = write_999(read(damaged), partners=back, control_numbers=InMemoryControlNumbers(), created=CREATED)
    status = write_277ca(
        read(text), source=Party("TEST HEALTH PLAN", "TESTPAYER1", "PI"),
        verdicts={claims[1].claim.claim_id: rejected("A7", "562", "85", clearinghouse_trace="CH1")},
        partners=back, control_numbers=InMemoryControlNumbers(), created=CREATED)
    return acknowledgement, status
