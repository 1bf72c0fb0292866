"""Builders of synthetic events for tests. Every patient is obviously fake."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from shared import topics
from shared.envelope import Envelope, new_event
from shared.events import (
    Address, Coverage, CoverageOrder, Diagnosis, DocumentedService, Patient, Provider, RegistrationRequested, Sex, Visit,
)
from shared.ids import encounter_id_for

TENANT = "test-clinic"
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc)
RENDERING = Provider(npi="1234567893", name="TESTDOC ALPHA", taxonomy="207Q00000X")  # a valid check digit
BILLING = Provider(npi="1245319599", name="TEST CLINIC GROUP", tax_id="123456789", taxonomy="193400000X",
                   address=Address(line1="100 Synthetic Plaza", city="Testville", state="OH", postal_code="000011234"))


def a_patient(mrn: str = "MRN-TEST-1", last_name: str = "Testpatient") -> Patient:
    return Patient(mrn=mrn, first_name="Zzalpha", last_name=last_name, birth_date=date(1970, 1, 1),
                   sex=Sex.FEMALE, address=Address(line1="1 Synthetic Way", city="Testville", state="OH",
                                                   postal_code="00000"))


def a_registration_request(visit_number: str | None = None, *, last_name: str = "Testpatient",
                           diagnoses: tuple[str, ...] = ("I10",), services: tuple[DocumentedService, ...] | None = None,
                           date_of_service: date = date(2026, 11, 1), rendering: Provider = RENDERING,
                           member_id: str | None = None) -> RegistrationRequested:
    visit_number = visit_number or "V" + uuid.uuid4().hex[:12]
    # One member per visit unless told otherwise: the same member, provider, day and code twice is
    # a duplicate the scrubber stops.
    member_id = member_id or "SIMM" + visit_number[-12:].upper()
    return RegistrationRequested(
        source="simulator",
        source_message_id="MSG-" + visit_number,
        registered_at=NOW,
        patient=a_patient(mrn="MRN-" + visit_number, last_name=last_name),
        coverages=(Coverage(payer_id="SIMBLUE01", payer_name="Synthetic Blue Plan", member_id=member_id,
                            group_number="GRP00001"),),
        visit=Visit(visit_number=visit_number, date_of_service=date_of_service, place_of_service="11",
                    rendering=rendering, billing=BILLING),
        services=services or (DocumentedService(procedure_code="99213", diagnosis_pointers=(1,)),),
        diagnoses=tuple(Diagnosis(code=c) for c in diagnoses),
        note="Synthetic note for a test visit.",
    )


def a_registration_event(request: RegistrationRequested | None = None, tenant_id: str = TENANT) -> Envelope:
    request = request or a_registration_request()
    return new_event(topics.REGISTRATION_REQUESTED, request, producer="tests", now=NOW, tenant_id=tenant_id,
                     correlation_id=encounter_id_for(tenant_id, request.visit.visit_number))


def a_coded_encounter(request: RegistrationRequested | None = None, *, tenant_id: str = TENANT,
                      unit_price: str = "100.00"):
    """The EncounterCoded payload coding would produce for `request`, priced at `unit_price` a unit."""
    from decimal import Decimal

    from shared.events import ChargeLine, EncounterCoded
    from shared.ids import patient_id_for

    request = request or a_registration_request()
    lines = tuple(
        ChargeLine(line_number=n, line_item_control_number=f"L{n}", procedure_code=s.procedure_code,
                   modifiers=s.modifiers, units=s.units, charge=Decimal(unit_price) * s.units,
                   diagnosis_pointers=s.diagnosis_pointers)
        for n, s in enumerate(request.services, start=1))
    return EncounterCoded(
        encounter_id=encounter_id_for(tenant_id, request.visit.visit_number),
        patient_id=patient_id_for(tenant_id, request.patient.mrn), registered_at=request.registered_at,
        patient=request.patient, coverages=request.coverages, visit=request.visit,
        diagnoses=tuple(d.code.replace(".", "").upper() for d in request.diagnoses), lines=lines,
        total_charge=sum((line.charge for line in lines), Decimal("0.00")))


def a_coded_event(coded=None, tenant_id: str = TENANT) -> Envelope:
    coded = coded or a_coded_encounter(tenant_id=tenant_id)
    return new_event(topics.ENCOUNTER_CODED, coded, producer="tests", now=NOW, tenant_id=tenant_id,
                     correlation_id=coded.encounter_id)


# --- coding, claims, payments and denials ---------------------------------------------------------


def an_event(topic, payload, *, correlation_id: str, tenant_id: str = TENANT) -> Envelope:
    """`payload` in a fresh envelope on `topic`, as an upstream service would have emitted it."""
    return new_event(topic, payload, producer="tests", now=NOW, tenant_id=tenant_id, correlation_id=correlation_id)


def a_registered_encounter(request: RegistrationRequested | None = None, *, tenant_id: str = TENANT):
    """The EncounterRegistered payload registration would produce for `request`."""
    from shared.events import EncounterRegistered
    from shared.ids import patient_id_for

    request = request or a_registration_request()
    return EncounterRegistered(
        encounter_id=encounter_id_for(tenant_id, request.visit.visit_number),
        patient_id=patient_id_for(tenant_id, request.patient.mrn), registered_at=request.registered_at,
        patient=request.patient, coverages=request.coverages, visit=request.visit, services=request.services,
        diagnoses=request.diagnoses, note=request.note)


def a_registered_event(registered=None, tenant_id: str = TENANT) -> Envelope:
    registered = registered or a_registered_encounter(tenant_id=tenant_id)
    return an_event(topics.ENCOUNTER_REGISTERED, registered, correlation_id=registered.encounter_id,
                    tenant_id=tenant_id)


def a_chargemaster_entry(procedure_code: str = "99213", unit_price: str = "100.00", *, modifier: str | None = None):
    from decimal import Decimal

    from services.coding.chargemaster import ChargemasterEntry

    return ChargemasterEntry(procedure_code=procedure_code, modifier=modifier, unit_price=Decimal(unit_price),
                             effective_from=date(2026, 1, 1), effective_to=None, description="Synthetic test price")


def a_submitted_claim(coded=None, *, tenant_id: str = TENANT):
    """The SubmittedClaim claims would send for `coded` (a fresh claim id, frequency 1)."""
    from services.claims.domain import open_claim
    from shared.ids import new_id

    coded = coded or a_coded_encounter(tenant_id=tenant_id)
    return open_claim(coded, claim_id=new_id("clm"), tenant_id=tenant_id, today=NOW.date()).claim.content


def a_submitter():
    from services.claims.edi import Submitter837

    return Submitter837(sender_id="RCMTEST", receiver_id="SIMCLEARING", submitter_name="RCM TEST BILLING",
                        contact_name="EDI DESK", contact_phone="8005550100", receiver_name="TEST CLEARINGHOUSE")


def a_batch_filed(*claims, batch_id: str | None = None, tenant_id: str = TENANT):
    """The ClaimBatchFiled claims would send for `claims` (SubmittedClaim): the 837P and its record."""
    from services.claims.edi import file_batch
    from shared.events import ClaimBatchFiled, FiledClaim
    from shared.ids import patient_id_for
    from shared.ids import new_id
    from shared.money import total
    from shared.x12 import InMemoryControlNumbers

    batch_id = batch_id or new_id("bat")
    filing = file_batch(claims, batch_id=batch_id, submitter=a_submitter(), control_numbers=InMemoryControlNumbers(),
                        created=NOW)
    assert not filing.held, filing.held
    return ClaimBatchFiled(
        batch_id=batch_id, transaction="837P", interchange_control_number=filing.batch.interchange_control_number,
        group_control_number=filing.batch.group_control_number,
        claims=tuple(FiledClaim(claim_id=c.claim_id, encounter_id=c.encounter_id, payer_id=c.coverage.payer_id,
                                frequency_code=c.frequency_code, total_charge=c.total_charge,
                                patient_id=patient_id_for(tenant_id, c.patient.mrn),
                                has_secondary=any(o.order.value != "primary" for o in c.other_coverages)
                                and c.coverage.order.value == "primary")
                     for c in claims),
        claim_count=len(claims), total_charge=total(c.total_charge for c in claims), x12=filing.batch.x12)


def a_batch_submitted_event(*claims, tenant_id: str = TENANT) -> Envelope:
    """A ClaimBatchFiled (837P) carrying `claims` (one fresh submitted claim when none are given)."""
    claims = claims or (a_submitted_claim(tenant_id=tenant_id),)
    batch = a_batch_filed(*claims, tenant_id=tenant_id)
    return an_event(topics.CLAIM_BATCH_SUBMITTED, batch, correlation_id=batch.batch_id, tenant_id=tenant_id)


def a_remittance(*claims, denied_carc: str | None = None, remittance_id: str | None = None, seed: int = 1):
    """The simulated payer's 835 for `claims` (all SIMBLUE01): every claim paid, or every claim denied
    whole with CO-`denied_carc` when it is given. The deductible never applies, so a paid claim pays
    money (a deductible draw would make some paid claims pay 0.00 at random)."""
    from dataclasses import replace

    from simulator.payer import DENIAL_CODES, PayerBehaviour, adjudicate
    from simulator.population import PAYERS

    if denied_carc is None:
        behaviour = PayerBehaviour(deny_rate=0.0, partial_rate=0.0)
    else:
        reason = next(r for r, (carc, _) in DENIAL_CODES.items() if carc == denied_carc)
        behaviour = PayerBehaviour(deny_rate=1.0, partial_rate=0.0, denial_mix=((reason, 1),))
    payer = next(p for p in PAYERS if p.payer_id == "SIMBLUE01")
    payer = replace(payer, patient_share=replace(payer.patient_share, deductible_rate=0.0))
    return adjudicate(claims, payer=payer, seed=seed, behaviour=behaviour, payment_date=date(2026, 11, 20),
                      remittance_id=remittance_id or "TRN" + uuid.uuid4().hex[:16].upper())


def an_835(remittance, claims) -> str:
    """`remittance` (RemittanceReceived) written as the 835 file a payer sends; `claims` are the
    SubmittedClaims it pays (the payer echoes their patient and member id)."""
    from shared.x12 import InMemoryControlNumbers, TradingPartners, write_835
    from simulator.claim_view import SimClaim
    from simulator.remittance_file import remittance_835

    views = {claim.claim_id: SimClaim.of(claim) for claim in claims}
    for paid in remittance.claims:  # a claim the test did not pass: a synthetic patient stands in
        views.setdefault(paid.claim_id, SimClaim(
            claim_id=paid.claim_id, payer_id=remittance.payer_id, order=CoverageOrder.PRIMARY,
            frequency_code=paid.frequency_code, payer_claim_number=None, rendering_npi=RENDERING.npi,
            billing_npi=BILLING.npi, lines=(), date_of_service=date(2026, 11, 1), billing_name=BILLING.name,
            billing_tax_id=BILLING.tax_id, patient_last_name="TESTPATIENT", patient_first_name="ZZALPHA",
            member_id="SIMMEMBER0001"))
    return write_835([remittance_835(remittance, payer_name="SYNTHETIC BLUE PLAN", claims=views)],
                     partners=TradingPartners(sender_id=remittance.payer_id, receiver_id="RCMTEST"),
                     control_numbers=InMemoryControlNumbers(), created=NOW)


def a_remittance_file(remittance, claims, *, x12: str | None = None):
    from shared.events import X12FileReceived

    return X12FileReceived(file_id=remittance.remittance_id, sender_id=remittance.payer_id,
                           x12=x12 if x12 is not None else an_835(remittance, claims))


def a_remittance_event(remittance, claims=(), tenant_id: str = TENANT, *, x12: str | None = None) -> Envelope:
    """The 835 file of `remittance` as payments receives it."""
    return an_event(topics.REMITTANCE_RECEIVED, a_remittance_file(remittance, claims, x12=x12),
                    correlation_id=remittance.remittance_id, tenant_id=tenant_id)


def a_payment_posted(claim_id: str, encounter_id: str, *, outcome: str = "denied", billed: str = "100.00"):
    """A PaymentPosted for a claim: denied whole (CO) unless told otherwise; amounts balance."""
    from decimal import Decimal

    from shared.events import PaymentOutcome, PaymentPosted
    from shared.ids import stable_id

    billed_amount, zero = Decimal(billed), Decimal("0.00")
    denied = outcome == "denied"
    return PaymentPosted(
        posting_id=stable_id("pst", "test", claim_id, outcome), claim_id=claim_id, encounter_id=encounter_id,
        remittance_id="TRNTEST" + uuid.uuid4().hex[:8].upper(), payer_id="SIMBLUE01", payment_date=date(2026, 11, 20),
        outcome=PaymentOutcome(outcome), billed=billed_amount, paid=zero if denied else billed_amount,
        contractual_adjustment=zero, patient_responsibility=zero, other_adjustment=zero,
        denied_amount=billed_amount if denied else zero)


def a_claim_denied(carc: str = "16", *, claim_id: str | None = None, encounter_id: str | None = None,
                   amount: str = "100.00", whole_claim: bool = True, payer_claim_number: str = "PCNTEST0001",
                   denial_id: str | None = None):
    """A ClaimDenied as payments would emit it, for CO-`carc` of `amount`."""
    from decimal import Decimal

    from shared.events import Adjustment, AdjustmentGroup, ClaimDenied
    from shared.ids import new_id

    return ClaimDenied(
        denial_id=denial_id or new_id("den"), claim_id=claim_id or new_id("clm"),
        encounter_id=encounter_id or encounter_id_for(TENANT, "V" + uuid.uuid4().hex[:12]),
        payer_id="SIMBLUE01", payer_claim_number=payer_claim_number,
        remittance_id="TRNTEST" + uuid.uuid4().hex[:8].upper(), whole_claim=whole_claim,
        denied_amount=Decimal(amount), adjustments=(Adjustment(group=AdjustmentGroup.CONTRACTUAL, carc=carc,
                                                               amount=Decimal(amount)),),
        date_of_service=date(2026, 11, 1), payment_date=date(2026, 11, 20))
