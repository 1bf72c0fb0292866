"""Property-based tests: whatever we write reads back field for field, and no damage to a file
makes the codec raise anything but its own X12Error."""

from __future__ import annotations

import contextlib
import string
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.x12 import (
    COMPACT,
    DEFAULT,
    BillingProvider,
    CasAdjustment,
    Claim837,
    ClaimPayer,
    ClaimPayment,
    ClaimProvider,
    Individual,
    InMemoryControlNumbers,
    InstitutionalDetails,
    LineAdjudication,
    OccurrenceCode,
    Party,
    PayerAdjudication,
    Person,
    PostalAddress,
    ProviderLevelAdjustment,
    Remittance,
    Separators,
    ServiceLine,
    ServicePayment,
    Subscriber,
    ValueCode,
    X12Error,
    read,
    validate,
    write_835,
    write_837i,
    write_837p,
)
from shared.x12.samples import (
    CREATED,
    sample_acknowledgements,
    sample_partners,
    sample_professional_claims,
    sample_receiver,
    sample_remittance,
    sample_submitter,
)
from shared.x12.summary import summarize

PIPES = Separators("|", "{", ">", "!", "\r\n")
# database=None: no .hypothesis folder in the work tree
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

words = st.text(string.ascii_uppercase + string.digits + " -&.,'", min_size=1, max_size=25).map(str.strip).filter(bool)
identifiers = st.text(string.ascii_uppercase + string.digits, min_size=2, max_size=20)
codes = st.text(string.ascii_uppercase + string.digits, min_size=2, max_size=2)
amounts = st.integers(min_value=0, max_value=10**8).map(lambda cents: Decimal(cents).scaleb(-2))
signed_amounts = st.integers(min_value=-(10**7), max_value=10**7).map(lambda cents: Decimal(cents).scaleb(-2))
units = st.integers(min_value=1, max_value=999).map(Decimal)
dates = st.dates(min_value=datetime(1900, 1, 1).date(), max_value=datetime(2099, 12, 31).date())
npis = st.text(string.digits, min_size=10, max_size=10)
separators = st.sampled_from([DEFAULT, COMPACT, PIPES])

addresses = st.builds(
    PostalAddress,
    words,
    words,
    st.sampled_from(["CA", "TX", "NY"]),
    st.text(string.digits, min_size=5, max_size=9),
    st.none() | words,
)


@st.composite
def people(draw, *, demographics: bool = True) -> Person:
    born = draw(st.none() | dates) if demographics else None
    return Person(
        draw(words),
        draw(st.none() | words),
        born,
        draw(st.sampled_from(["F", "M", "U"])) if born else None,
        draw(st.none() | addresses) if demographics else None,
    )


adjustments = st.builds(
    CasAdjustment,
    st.sampled_from(["CO", "PR", "OA", "PI"]),
    st.text(string.digits, min_size=1, max_size=3),
    amounts,
    st.none() | units,
)


@st.composite
def claims(draw, *, institutional: bool) -> Claim837:
    diagnosis_count = draw(st.integers(1, 12))
    diagnoses = tuple(
        draw(
            st.lists(
                st.text(string.ascii_uppercase, min_size=1, max_size=1).flatmap(
                    lambda letter: st.text(string.digits, min_size=2, max_size=6).map(lambda rest: letter + rest)
                ),
                min_size=diagnosis_count,
                max_size=diagnosis_count,
            )
        )
    )
    line_count = draw(st.integers(1, 4))
    lines = tuple(
        ServiceLine(
            line_number=number,
            charge=draw(amounts),
            units=draw(units),
            date_of_service=draw(dates),
            procedure_code=draw(st.text(string.ascii_uppercase + string.digits, min_size=5, max_size=5)),
            modifiers=tuple(draw(st.lists(codes, max_size=4))),
            diagnosis_pointers=()
            if institutional
            else tuple(draw(st.lists(st.integers(1, diagnosis_count), min_size=1, max_size=4))),
            place_of_service=None if institutional else draw(st.none() | st.sampled_from(["11", "22"])),
            revenue_code=draw(st.text(string.digits, min_size=4, max_size=4)) if institutional else None,
            line_item_control_number=draw(st.none() | identifiers),
            unit_basis=draw(st.sampled_from(["UN", "DA"] if institutional else ["UN", "MJ"])),
        )
        for number in range(1, line_count + 1)
    )
    priors = []
    for _ in range(draw(st.integers(0, 2))):
        payer_id = draw(identifiers)
        results = tuple(
            LineAdjudication(
                line_number=line.line_number,
                paid=draw(amounts),
                paid_units=draw(units),
                adjudication_date=draw(dates),
                procedure_code=line.procedure_code,
                modifiers=tuple(draw(st.lists(codes, max_size=4))),
                revenue_code=line.revenue_code,
                adjustments=tuple(draw(st.lists(adjustments, max_size=4))),
                remaining_patient_liability=draw(st.none() | amounts),
            )
            for line in lines
            if draw(st.booleans())
        )
        priors.append(
            PayerAdjudication(
                payer_id=payer_id,
                payer_name=draw(words),
                member_id=draw(identifiers),
                subscriber=draw(people(demographics=False)),
                paid=draw(amounts),
                adjudication_date=draw(st.none() | dates),
                responsibility=draw(st.sampled_from(["P", "S"])),
                relationship=draw(st.sampled_from(["18", "01", "19"])),
                group_number=draw(st.none() | identifiers),
                claim_filing_indicator=draw(st.sampled_from(["CI", "MB", "MC"])),
                adjustments=tuple(draw(st.lists(adjustments, max_size=3))),
                remaining_patient_liability=draw(st.none() | amounts),
                payer_claim_number=draw(st.none() | identifiers),
                lines=results,
            )
        )
    details = None
    if institutional:
        start = draw(dates)
        details = InstitutionalDetails(
            facility_type=draw(st.sampled_from(["11", "13", "85"])),
            statement_from=start,
            statement_to=start,
            patient_status=draw(st.sampled_from(["01", "02", "30"])),
            admission_type=draw(st.none() | st.sampled_from(["1", "3"])),
            admission_source=draw(st.none() | st.sampled_from(["1", "7"])),
            admission_date=draw(st.none() | dates),
            admitting_diagnosis=draw(st.none() | st.just("R0602")),
            reason_for_visit=tuple(draw(st.lists(st.just("R51"), max_size=2))),
            occurrence_codes=tuple(draw(st.lists(st.builds(OccurrenceCode, codes, dates), max_size=3))),
            value_codes=tuple(draw(st.lists(st.builds(ValueCode, codes, amounts), max_size=3))),
            condition_codes=tuple(draw(st.lists(codes, max_size=3))),
            attending=draw(
                st.none()
                | st.builds(
                    ClaimProvider, npis, words, st.none() | words, st.none() | st.just("207Q00000X"), st.just(True)
                )
            ),
        )
    frequency = draw(st.sampled_from(["1", "7", "8"]))
    return Claim837(
        claim_id=draw(identifiers),
        total_charge=sum((line.charge for line in lines), Decimal("0")),
        frequency_code=frequency,
        billing=BillingProvider(
            draw(npis),
            draw(words),
            draw(st.text(string.digits, min_size=9, max_size=9)),
            draw(addresses),
            draw(st.none() | st.just("207Q00000X")),
            draw(st.none() | addresses),
        ),
        subscriber=Subscriber(
            draw(identifiers),
            draw(people()),
            draw(st.sampled_from(["P", "S", "T"])),
            draw(st.none() | identifiers),
            draw(st.sampled_from(["CI", "MB", "BL"])),
        ),
        payer=ClaimPayer(draw(identifiers), draw(words), draw(st.none() | addresses)),
        diagnoses=diagnoses,
        lines=lines,
        place_of_service=None if institutional else draw(st.sampled_from(["11", "21", "02"])),
        patient=draw(st.none() | people()),
        patient_relationship=draw(st.sampled_from(["01", "19", "G8"])),
        payer_claim_number=draw(identifiers) if frequency != "1" else None,
        medical_record_number=draw(st.none() | identifiers),
        rendering=draw(
            st.none()
            | st.builds(ClaimProvider, npis, words, st.none() | words, st.none() | st.just("207Q00000X"), st.just(True))
        ),
        prior_payers=tuple(priors),
        institutional=details,
        provider_signature="Y" if institutional else draw(st.sampled_from(["Y", "N"])),
        assignment=draw(st.sampled_from(["A", "B", "C"])),
        benefits_assigned=draw(st.sampled_from(["Y", "N", "W"])),
        release_of_information=draw(st.sampled_from(["Y", "I"])),
    )


def _normalized(claim: Claim837) -> Claim837:
    """What the 837 can carry: the patient relationship only when there is a patient loop, each
    prior payer's line results in line order, and (837I) no taxonomy for the rendering provider."""
    priors = tuple(
        replace(prior, lines=tuple(sorted(prior.lines, key=lambda result: result.line_number)))
        for prior in claim.prior_payers
    )
    rendering = claim.rendering
    if claim.institutional is not None and rendering is not None:
        rendering = replace(rendering, taxonomy=None)
    return replace(
        claim,
        patient_relationship=claim.patient_relationship if claim.patient else "18",
        prior_payers=priors,
        rendering=rendering,
    )


def _assert_same_claims(read_back: tuple[Claim837, ...], written: list[Claim837]) -> None:
    """The same claims, field for field (the writer groups claims by billing provider, so the
    order may differ when billing providers alternate)."""
    remaining = list(read_back)
    for claim in written:
        remaining.remove(_normalized(claim))  # ValueError: no claim read back equals this one
    assert remaining == []


def _envelope() -> dict:
    return {
        "partners": sample_partners(),
        "submitter": sample_submitter(),
        "receiver": sample_receiver(),
        "control_numbers": InMemoryControlNumbers(),
        "created": CREATED,
    }


@SETTINGS
@given(st.lists(claims(institutional=False), min_size=1, max_size=3), separators)
def test_a_written_837p_reads_back_field_for_field(written, chosen) -> None:
    (batch,) = read(write_837p(written, separators=chosen, **_envelope())).claim_batches()
    _assert_same_claims(batch.claims, written)


@SETTINGS
@given(st.lists(claims(institutional=True), min_size=1, max_size=3), separators)
def test_a_written_837i_reads_back_field_for_field(written, chosen) -> None:
    (batch,) = read(write_837i(written, separators=chosen, **_envelope())).claim_batches()
    _assert_same_claims(batch.claims, written)


service_payments = st.builds(
    ServicePayment,
    procedure_qualifier=st.sampled_from(["HC", "NU"]),
    procedure_code=st.text(string.ascii_uppercase + string.digits, min_size=4, max_size=5),
    billed=signed_amounts,
    paid=signed_amounts,
    modifiers=st.lists(codes, max_size=4).map(tuple),
    revenue_code=st.none() | st.text(string.digits, min_size=4, max_size=4),
    units_paid=st.none() | units,
    submitted_procedure_code=st.none(),
    submitted_modifiers=st.just(()),
    units_billed=st.none() | units,
    service_date=st.none() | dates,
    service_period_start=st.none() | dates,
    service_period_end=st.none() | dates,
    line_item_control_number=st.none() | identifiers,
    adjustments=st.lists(adjustments, max_size=6).map(tuple),
    allowed=st.none() | amounts,
    remark_codes=st.lists(identifiers, max_size=2).map(tuple),
)
claim_payments = st.builds(
    ClaimPayment,
    patient_control_number=identifiers,
    status_code=st.sampled_from(["1", "2", "3", "4", "19", "22"]),
    billed=signed_amounts,
    paid=signed_amounts,
    claim_filing_indicator=st.sampled_from(["12", "MB", "MC"]),
    payer_claim_number=identifiers,
    patient_responsibility=st.none() | signed_amounts,
    facility_type_code=st.none() | st.sampled_from(["11", "13"]),
    frequency_code=st.none() | st.sampled_from(["1", "7"]),
    drg_code=st.none() | st.just("470"),
    drg_weight=st.none() | st.just(Decimal("1.25")),
    adjustments=st.lists(adjustments, max_size=4).map(tuple),
    patient=st.none()
    | st.builds(Individual, words, st.none() | words, st.none() | identifiers, st.none() | st.just("MI")),
    insured=st.none()
    | st.builds(Individual, words, st.none() | words, st.none() | identifiers, st.none() | st.just("MI")),
    rendering_provider=st.none() | st.builds(Party, words, st.none() | npis, st.just("XX")),
    inpatient=st.none(),
    outpatient=st.none(),
    original_reference_number=st.none() | identifiers,
    references=st.lists(st.tuples(st.sampled_from(["EA", "1L"]), identifiers), max_size=2).map(tuple),
    statement_from=st.none() | dates,
    statement_to=st.none() | dates,
    received_date=st.none() | dates,
    coverage_expiration=st.none() | dates,
    supplemental_amounts=st.lists(st.tuples(st.sampled_from(["AU", "F5"]), amounts), max_size=2).map(tuple),
    lines=st.lists(service_payments, max_size=3).map(tuple),
)
remittances = st.builds(
    Remittance,
    control_number=st.just("0001"),
    handling_code=st.sampled_from(["I", "H"]),
    payment_amount=signed_amounts,
    credit_debit=st.sampled_from(["C", "D"]),
    payment_method=st.sampled_from(["ACH", "CHK", "NON"]),
    payment_date=dates,
    trace_number=identifiers,
    originator_id=st.text(string.digits, min_size=10, max_size=10),
    payer=st.builds(Party, words, st.none() | identifiers, st.just("2U")).map(
        lambda party: party if party.identifier else replace(party, qualifier=None)
    ),
    payee=st.builds(Party, words, npis, st.just("XX")),
    claims=st.lists(claim_payments, max_size=4).map(tuple),
    provider_adjustments=st.lists(
        st.builds(
            ProviderLevelAdjustment,
            npis,
            dates,
            st.sampled_from(["L6", "WO", "FB"]),
            signed_amounts,
            st.none() | identifiers,
        ),
        max_size=7,
    ).map(tuple),
    payment_format=st.none() | st.just("CCP"),
    production_date=st.none() | dates,
    payer_address=st.none() | addresses,
    payee_tax_id=st.none() | st.text(string.digits, min_size=9, max_size=9),
    payer_contact=st.none() | words,
)


@SETTINGS
@given(remittances, separators)
def test_a_written_835_reads_back_field_for_field(remittance, chosen) -> None:
    text = write_835(
        [remittance],
        partners=sample_partners(),
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
        separators=chosen,
    )
    (read_back,) = read(text).remittances()
    assert read_back == replace(remittance, control_number=read_back.control_number)


def _sample_files() -> list[bytes]:
    professional = sample_professional_claims(6)
    envelope = _envelope()
    claim_file = write_837p(professional, **envelope)
    payment_file = write_835(
        [sample_remittance([claim.to_claim837() for claim in professional])],
        partners=sample_partners(),
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
        separators=COMPACT,
    )
    return [claim_file.encode(), payment_file.encode(), *(text.encode() for text in sample_acknowledgements())]


SAMPLES = _sample_files()


def _exercise(data: bytes) -> None:
    """Everything `rcm x12 inspect` does with a file."""
    try:
        document = read(data)
        validate(document)
        summarize(document)
        for remittance in document.remittances():
            with contextlib.suppress(X12Error):
                remittance.to_event()
        for report in document.claim_status_reports():
            with contextlib.suppress(X12Error):
                report.to_events()
        for acknowledgement in document.acknowledgements():
            _ = [transaction.accepted for transaction in acknowledgement.transactions]
    except X12Error:
        pass


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_random_byte_damage_raises_nothing_but_x12_errors(original, damage) -> None:
    data = bytearray(original)
    for where, byte in damage:
        data[int(where * len(data))] = byte
    _exercise(bytes(data))


@settings(max_examples=60, deadline=None, database=None)
@given(st.sampled_from(SAMPLES), st.floats(0, 1), st.floats(0, 1))
def test_cutting_or_splicing_a_file_raises_nothing_but_x12_errors(original, start, end) -> None:
    low, high = sorted((int(start * len(original)), int(end * len(original))))
    _exercise(original[:low] + original[high:])
    _exercise(original[:high])


@settings(max_examples=60, deadline=None, database=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_nothing_but_x12_errors(data) -> None:
    _exercise(data)
    _exercise(SAMPLES[0][:106] + data)
