from datetime import date

from services.denials.letters import appeal_letter, as_html
from tests.unit.denials.builders import a_work_item

WRITTEN = date(2025, 5, 2)


def test_the_letter_states_the_claims_facts_and_the_denial_codes_with_our_descriptions() -> None:
    item = a_work_item(amount="180.00", billed="250.00", carcs=("CO-50",), rarcs=("N115",), procedure_codes=("99214", "93000"))

    letter = appeal_letter(item, WRITTEN)

    for fact in (item.claim_id, "PCN-0001", "2025-03-03", "99214, 93000", "$250.00", "$180.00", "1234567893",
                 "CO-50: Not deemed a medical necessity by the payer",
                 "N115: Decision based on a local coverage determination", "ends on 2025-06-30", "Date: 2025-05-02"):
        assert fact in letter, fact


def test_facts_we_do_not_have_are_printed_as_not_on_record_never_guessed() -> None:
    letter = appeal_letter(a_work_item(billed=None, procedure_codes=(), rendering_npi=None), WRITTEN)

    assert "Billed:                  not on record" in letter
    assert "Procedure codes:         not on record" in letter
    assert "Rendering provider NPI:  not on record" in letter


def test_an_unknown_code_is_named_as_unrecognised_in_the_letter() -> None:
    letter = appeal_letter(a_work_item(category="OTHER", carcs=("CO-B7",), rarcs=("ZZ1",)), WRITTEN)

    assert "CO-B7: unrecognised CARC code" in letter and "ZZ1: unrecognised RARC code" in letter


def test_the_letter_has_no_remark_section_without_remark_codes() -> None:
    assert "Remark codes" not in appeal_letter(a_work_item(rarcs=()), WRITTEN)


def test_the_letter_makes_no_clinical_statement_and_names_no_patient() -> None:
    letter = appeal_letter(a_work_item(), WRITTEN).lower()

    for word in ("patient", "diagnos", "medically necessary because", "symptom"):
        assert word not in letter


def test_the_same_item_and_day_give_the_same_letter() -> None:
    assert appeal_letter(a_work_item(), WRITTEN) == appeal_letter(a_work_item(), WRITTEN)


def test_the_html_letter_escapes_the_text() -> None:
    page = as_html("Re: <claim> & co\n")

    assert "<pre>Re: &lt;claim&gt; &amp; co\n</pre>" in page
