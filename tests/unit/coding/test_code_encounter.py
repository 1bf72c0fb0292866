import re
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.coding.chargemaster import MAX_UNIT_PRICE
from services.coding.domain import Coded, Held, code_encounter
from shared.events import EncounterCoded, EncounterHeldForCoding, Finding
from tests.unit.coding.builders import (
    DATE_OF_SERVICE,
    ENCOUNTER_ID,
    a_chargemaster,
    a_registered_encounter,
    a_service,
    an_entry,
    an_unchecked_service,
)

# Thirteen billable FY2026 codes, for the claim-size limit.
BILLABLE = ("E11.9", "I10", "E78.5", "J06.9", "R05.9", "K21.9", "N39.0", "M54.50", "F41.1", "H52.4",
            "L30.9", "B34.9", "D64.9")


def coded(outcome: Coded | Held) -> EncounterCoded:
    assert isinstance(outcome, Coded), outcome
    return outcome.payload


def finding_codes(outcome: Coded | Held) -> list[str]:
    return [finding.code for finding in outcome.findings] if isinstance(outcome, Held) else []


# --- a clean encounter --------------------------------------------------------------------------


def test_a_clean_encounter_is_coded() -> None:
    assert isinstance(code_encounter(a_registered_encounter(), a_chargemaster()), Coded)


def test_diagnoses_are_coded_without_the_dot_in_the_order_sent() -> None:
    encounter = a_registered_encounter(diagnoses=("i10", "E11.9", "S52.521A"))

    assert coded(code_encounter(encounter, a_chargemaster())).diagnoses == ("I10", "E119", "S52521A")


def test_each_service_becomes_a_numbered_line_in_the_order_documented() -> None:
    encounter = a_registered_encounter(services=(a_service("99213"), a_service("36415"), a_service("J1885")))

    lines = coded(code_encounter(encounter, a_chargemaster())).lines

    assert [(line.line_number, line.procedure_code) for line in lines] == [
        (1, "99213"), (2, "36415"), (3, "J1885")]


def test_line_item_control_numbers_are_unique_well_formed_and_stable() -> None:
    encounter = a_registered_encounter(services=[a_service("36415")] * 12)

    first = [line.line_item_control_number for line in coded(code_encounter(encounter, a_chargemaster())).lines]
    again = [line.line_item_control_number for line in coded(code_encounter(encounter, a_chargemaster())).lines]

    assert len(set(first)) == 12
    assert all(re.fullmatch(r"[A-Za-z0-9]{1,30}", number) for number in first)
    assert first == again


def test_a_line_charge_is_the_unit_price_times_units() -> None:
    encounter = a_registered_encounter(services=(a_service("J1885", units=3),))

    [line] = coded(code_encounter(encounter, a_chargemaster(an_entry("J1885", "8.25")))).lines

    assert line.charge == Decimal("24.75")
    assert line.units == 3


def test_the_total_charge_is_exact_to_the_cent() -> None:
    # 0.10 x 3 + 0.20 is 0.30000000000000004 + 0.2 in floats; in Decimal it is 0.50.
    encounter = a_registered_encounter(services=(a_service("A4550", units=3), a_service("A4649")))
    chargemaster = a_chargemaster(an_entry("A4550", "0.10"), an_entry("A4649", "0.20"))

    assert str(coded(code_encounter(encounter, chargemaster)).total_charge) == "0.50"


def test_modifiers_units_and_pointers_travel_with_the_line() -> None:
    encounter = a_registered_encounter(
        diagnoses=("E11.9", "I10"),
        services=(a_service("71046", modifiers=("26", "59"), units=2, diagnosis_pointers=(2, 1)),))

    [line] = coded(code_encounter(encounter, a_chargemaster())).lines

    assert (line.modifiers, line.units, line.diagnosis_pointers, line.charge) == (
        ("26", "59"), 2, (2, 1), Decimal("60.00"))


def test_the_patient_coverages_and_visit_are_copied_to_the_coded_encounter() -> None:
    encounter = a_registered_encounter()

    result = coded(code_encounter(encounter, a_chargemaster()))

    assert (result.encounter_id, result.patient_id, result.registered_at) == (
        encounter.encounter_id, encounter.patient_id, encounter.registered_at)
    assert (result.patient, result.coverages, result.visit) == (encounter.patient, encounter.coverages, encounter.visit)


def test_a_category_ii_tracking_code_priced_at_zero_is_coded() -> None:
    encounter = a_registered_encounter(services=(a_service("99213"), a_service("3074F")))

    result = coded(code_encounter(encounter, a_chargemaster()))

    assert [line.charge for line in result.lines] == [Decimal("125.00"), Decimal("0.00")]


# --- findings, each with a failing and a passing case ------------------------------------------


def test_an_unknown_diagnosis_is_held_as_icd10_invalid() -> None:
    outcome = code_encounter(a_registered_encounter(diagnoses=("E11.9", "E11.99")), a_chargemaster())

    assert finding_codes(outcome) == ["ICD10_INVALID"]
    assert "diagnosis 2" in outcome.findings[0].message


def test_a_known_diagnosis_is_not_icd10_invalid() -> None:
    assert "ICD10_INVALID" not in finding_codes(code_encounter(a_registered_encounter(diagnoses=("E11.9",)),
                                                               a_chargemaster()))


def test_a_header_diagnosis_is_held_as_not_billable() -> None:
    outcome = code_encounter(a_registered_encounter(diagnoses=("E11",)), a_chargemaster())

    assert finding_codes(outcome) == ["ICD10_NOT_BILLABLE"]


def test_a_fully_specified_diagnosis_is_billable() -> None:
    outcome = code_encounter(a_registered_encounter(diagnoses=("S52.521A",)), a_chargemaster())

    assert "ICD10_NOT_BILLABLE" not in finding_codes(outcome)


def test_a_procedure_code_of_no_known_shape_is_held() -> None:
    encounter = a_registered_encounter(services=(a_service("99213"), a_service("D0120")))

    outcome = code_encounter(encounter, a_chargemaster())

    assert finding_codes(outcome) == ["PROCEDURE_CODE_INVALID"]
    assert outcome.findings[0].message.startswith("line 2 procedure code D0120")


def test_cpt_category_iii_and_hcpcs_codes_are_valid_procedure_codes() -> None:
    encounter = a_registered_encounter(services=(a_service("0042T"), a_service("J1885")))

    assert "PROCEDURE_CODE_INVALID" not in finding_codes(code_encounter(encounter, a_chargemaster()))


def test_a_malformed_modifier_is_held() -> None:
    # The event contract refuses such a modifier; this guards a producer that bypassed it.
    encounter = a_registered_encounter(services=(an_unchecked_service("99213", modifiers=("25", "5")),))

    outcome = code_encounter(encounter, a_chargemaster())

    assert finding_codes(outcome) == ["MODIFIER_INVALID"]


def test_well_formed_modifiers_are_valid() -> None:
    encounter = a_registered_encounter(services=(a_service("99213", modifiers=("25", "XU")),))

    assert "MODIFIER_INVALID" not in finding_codes(code_encounter(encounter, a_chargemaster()))


def test_a_service_the_chargemaster_does_not_price_is_held() -> None:
    encounter = a_registered_encounter(services=(a_service("99213"), a_service("99214")))

    outcome = code_encounter(encounter, a_chargemaster())

    assert finding_codes(outcome) == ["CHARGEMASTER_MISSING"]
    assert outcome.findings[0].message.startswith("line 2 99214")


def test_a_service_before_its_price_took_effect_is_held() -> None:
    encounter = a_registered_encounter(date_of_service=date(2025, 12, 31))
    chargemaster = a_chargemaster(an_entry("99213", "125.00", effective_from=date(2026, 1, 1)))

    assert finding_codes(code_encounter(encounter, chargemaster)) == ["CHARGEMASTER_MISSING"]


def test_a_service_priced_on_its_date_of_service_is_not_missing_a_price() -> None:
    chargemaster = a_chargemaster(an_entry("99213", "125.00", effective_from=DATE_OF_SERVICE))

    assert "CHARGEMASTER_MISSING" not in finding_codes(code_encounter(a_registered_encounter(), chargemaster))


def test_a_malformed_procedure_code_is_not_also_reported_as_unpriced() -> None:
    encounter = a_registered_encounter(services=(a_service("ABCDE"),))

    assert finding_codes(code_encounter(encounter, a_chargemaster())) == ["PROCEDURE_CODE_INVALID"]


def test_a_pointer_past_the_last_diagnosis_is_held() -> None:
    encounter = a_registered_encounter(diagnoses=("E11.9",), services=(a_service(diagnosis_pointers=(1, 2)),))

    outcome = code_encounter(encounter, a_chargemaster())

    assert finding_codes(outcome) == ["DIAGNOSIS_POINTER_INVALID"]
    assert outcome.findings[0].message == "line 1 points at diagnosis 2; the encounter has 1"


def test_a_pointer_to_an_existing_diagnosis_is_valid() -> None:
    encounter = a_registered_encounter(diagnoses=("E11.9", "I10"), services=(a_service(diagnosis_pointers=(2,)),))

    assert "DIAGNOSIS_POINTER_INVALID" not in finding_codes(code_encounter(encounter, a_chargemaster()))


def test_thirteen_diagnoses_are_held_for_a_coder_to_choose_twelve() -> None:
    outcome = code_encounter(a_registered_encounter(diagnoses=BILLABLE), a_chargemaster())

    assert finding_codes(outcome) == ["TOO_MANY_DIAGNOSES"]


def test_twelve_diagnoses_fit_on_a_claim() -> None:
    result = coded(code_encounter(a_registered_encounter(diagnoses=BILLABLE[:12]), a_chargemaster()))

    assert len(result.diagnoses) == 12


def test_an_encounter_without_diagnoses_is_held() -> None:
    outcome = code_encounter(a_registered_encounter(diagnoses=()), a_chargemaster())

    assert finding_codes(outcome)[0] == "DIAGNOSIS_MISSING"


def test_an_encounter_without_services_is_held() -> None:
    outcome = code_encounter(a_registered_encounter(services=()), a_chargemaster())

    assert finding_codes(outcome) == ["SERVICE_MISSING"]


def test_fifty_one_services_are_held_and_fifty_are_coded() -> None:
    fifty_one = code_encounter(a_registered_encounter(services=[a_service("36415")] * 51), a_chargemaster())
    fifty = code_encounter(a_registered_encounter(services=[a_service("36415")] * 50), a_chargemaster())

    assert finding_codes(fifty_one) == ["TOO_MANY_SERVICE_LINES"]
    assert len(coded(fifty).lines) == 50


def test_every_finding_is_reported_at_once() -> None:
    encounter = a_registered_encounter(
        diagnoses=("E11", "E11.99"),
        services=(
            a_service("D0120"),
            an_unchecked_service("99213", modifiers=("x",)),
            a_service("99215", diagnosis_pointers=(3,)),
        ),
    )

    outcome = code_encounter(encounter, a_chargemaster())

    assert finding_codes(outcome) == [
        "ICD10_NOT_BILLABLE", "ICD10_INVALID", "PROCEDURE_CODE_INVALID", "MODIFIER_INVALID",
        "DIAGNOSIS_POINTER_INVALID", "CHARGEMASTER_MISSING"]


def test_a_held_encounter_becomes_a_held_for_coding_event() -> None:
    outcome = code_encounter(a_registered_encounter(diagnoses=("E11",)), a_chargemaster())

    assert isinstance(outcome, Held)
    assert outcome.payload == EncounterHeldForCoding(encounter_id=ENCOUNTER_ID, findings=outcome.findings)


def test_findings_name_codes_and_never_patient_details() -> None:
    encounter = a_registered_encounter(
        diagnoses=("E11", "E11.99"), services=(a_service("D0120"), a_service("99215", diagnosis_pointers=(3,))))
    patient = encounter.patient
    private = [patient.first_name, patient.last_name, patient.mrn, patient.birth_date.isoformat(),
               patient.address.line1, encounter.coverages[0].member_id, encounter.note,
               encounter.visit.date_of_service.isoformat(), encounter.visit.visit_number]

    outcome = code_encounter(encounter, a_chargemaster())

    assert isinstance(outcome, Held)
    for finding in outcome.findings:
        assert isinstance(finding, Finding) and finding.severity == "error"
        assert not any(detail in finding.message for detail in private), finding.message


# --- property: the total is the sum of the lines -------------------------------------------------

unit_prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("9999999.99"), places=2,
                          allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(unit_prices, st.integers(min_value=1, max_value=999)), min_size=1, max_size=50))
def test_the_total_charge_is_the_sum_of_line_charges_and_each_is_price_times_units(
        priced_units: list[tuple[Decimal, int]]) -> None:
    codes = [f"A{n:04d}" for n in range(len(priced_units))]
    chargemaster = a_chargemaster(*(an_entry(code, str(price)) for code, (price, _) in zip(codes, priced_units)))
    encounter = a_registered_encounter(services=[a_service(code, units=units)
                                                 for code, (_, units) in zip(codes, priced_units)])

    result = coded(code_encounter(encounter, chargemaster))

    assert [line.charge for line in result.lines] == [price * units for price, units in priced_units]
    assert result.total_charge == sum((line.charge for line in result.lines), Decimal("0.00"))
    assert all(line.charge.as_tuple().exponent == -2 for line in result.lines)


def test_the_largest_possible_claim_still_fits_the_money_type() -> None:
    encounter = a_registered_encounter(services=[a_service("A0001", units=999)] * 50)
    chargemaster = a_chargemaster(an_entry("A0001", str(MAX_UNIT_PRICE)))

    result = coded(code_encounter(encounter, chargemaster))

    assert result.total_charge == Decimal("499499999500.50")
    assert EncounterCoded.model_validate_json(result.model_dump_json()) == result
