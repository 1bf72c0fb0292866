"""Note checks against the sent diagnoses, coders' decisions and per-coder QA figures."""

from __future__ import annotations

import pytest

from services.coding import domain
from services.coding.handlers import _read_notes
from services.coding.review import InvalidDecision, apply_decision, coder_qa, documentation_findings
from services.coding.suggestions import icd10cm_index
from shared.events import CodingDecision, Diagnosis
from tests.support.builders import a_registered_event
from tests.unit.coding.builders import a_chargemaster, a_registered_encounter, a_service

HYPERTENSION_NOTE = "Synthetic note. Assessment: essential hypertension. Plan: recheck."


@pytest.fixture(scope="module")
def index():
    return icd10cm_index()


def _reading(index, note: str = HYPERTENSION_NOTE):
    return index.read(note)


def test_a_principal_diagnosis_the_note_supports_has_no_finding(index) -> None:
    assert documentation_findings(_reading(index), (Diagnosis(code="I10"),), index, "error") == ()


def test_a_principal_diagnosis_the_note_contradicts_is_a_disagreement_naming_the_suggestion(index) -> None:
    (finding,) = documentation_findings(_reading(index), (Diagnosis(code="J45909"),), index, "error")
    assert finding.code == "NOTE_DISAGREES_WITH_DIAGNOSIS"
    assert "J45909" in finding.message and "I10" in finding.message
    assert "hypertension" not in finding.message  # codes only, never note text
    assert finding.severity == "error"


def test_a_note_that_suggests_nothing_confidently_is_a_low_confidence_finding(index) -> None:
    reading = _reading(index, "Synthetic note, simulated visit. Plan: return if worse.")
    (finding,) = documentation_findings(reading, (Diagnosis(code="J45909"),), index, "warning")
    assert finding.code == "NOTE_SUPPORT_LOW_CONFIDENCE"
    assert finding.severity == "warning"


def test_a_header_principal_diagnosis_is_left_to_the_code_edits(index) -> None:
    assert documentation_findings(_reading(index), (Diagnosis(code="E11"),), index, "error") == ()


def test_a_disagreement_set_to_hold_holds_the_encounter_and_set_to_warn_codes_it_with_the_warning(index) -> None:
    encounter = a_registered_encounter(diagnoses=("J45.909",))
    reading = _reading(index)
    held = domain.code_encounter(encounter, a_chargemaster(),
                                 documentation_findings(reading, encounter.diagnoses, index, "error"))
    coded = domain.code_encounter(encounter, a_chargemaster(),
                                  documentation_findings(reading, encounter.diagnoses, index, "warning"))
    assert isinstance(held, domain.Held) and [f.code for f in held.findings] == ["NOTE_DISAGREES_WITH_DIAGNOSIS"]
    assert isinstance(coded, domain.Coded) and [f.code for f in coded.warnings] == ["NOTE_DISAGREES_WITH_DIAGNOSIS"]


def test_a_warning_rides_along_with_an_encounter_held_for_another_reason_but_not_in_its_event(index) -> None:
    encounter = a_registered_encounter(diagnoses=("J45.909",), services=(a_service("99499"),))
    warnings = documentation_findings(_reading(index), encounter.diagnoses, index, "warning")
    held = domain.code_encounter(encounter, a_chargemaster(), warnings)
    assert isinstance(held, domain.Held)
    assert [f.code for f in held.payload.findings] == ["CHARGEMASTER_MISSING"]
    assert [f.code for f in held.warnings] == ["NOTE_DISAGREES_WITH_DIAGNOSIS"]


def test_an_encounter_without_a_note_skips_the_suggestion_checks(index) -> None:
    with_note = a_registered_event()
    without = a_registered_event(with_note.payload.model_copy(update={"note": None, "encounter_id": "enc_" + "1" * 32}))
    readings = _read_notes(index, [with_note, without])
    assert set(readings) == {with_note.payload.encounter_id}
    assert _read_notes(None, [with_note]) == {}


SENT = (Diagnosis(code="J45.909"), Diagnosis(code="I10"), Diagnosis(code="E78.5"))


def test_keeping_the_provider_codes_bills_them_unchanged() -> None:
    assert apply_decision(SENT, CodingDecision.KEPT_PROVIDER_CODES, top_suggestion="I10") == SENT


def test_accepting_the_suggestion_makes_it_principal_without_listing_it_twice() -> None:
    billed = apply_decision(SENT, CodingDecision.ACCEPTED_SUGGESTION, top_suggestion="I10")
    assert [d.code for d in billed] == ["I10", "E78.5"]


def test_accepting_without_a_suggestion_is_refused() -> None:
    with pytest.raises(InvalidDecision, match="no suggestion"):
        apply_decision(SENT, CodingDecision.ACCEPTED_SUGGESTION, top_suggestion=None)


def test_a_correction_bills_the_coders_codes_in_order_and_refuses_bad_ones() -> None:
    billed = apply_decision(SENT, CodingDecision.CORRECTED, top_suggestion="I10", codes=["e11.9", " I10"])
    assert [d.code for d in billed] == ["E119", "I10"]
    with pytest.raises(InvalidDecision, match="E11"):
        apply_decision(SENT, CodingDecision.CORRECTED, top_suggestion=None, codes=["E11"])
    with pytest.raises(InvalidDecision, match="twice"):
        apply_decision(SENT, CodingDecision.CORRECTED, top_suggestion=None, codes=["I10", "I10"])
    with pytest.raises(InvalidDecision, match="at least one"):
        apply_decision(SENT, CodingDecision.CORRECTED, top_suggestion=None, codes=[""])


def _decision(coder: str, agreed: bool, corrected: bool, suggestion: str | None = "I10") -> dict:
    return {"coder": coder, "agreed_with_suggestion": agreed, "corrected": corrected, "top_suggestion": suggestion}


def test_coder_qa_counts_agreement_with_the_suggestion_and_corrections_per_coder() -> None:
    figures = {f.coder: f for f in coder_qa([
        _decision("cdr.ann", True, True), _decision("cdr.ann", True, False), _decision("cdr.ann", False, False),
        _decision("cdr.ann", False, False, suggestion=None),
        _decision("cdr.bo", False, True),
    ])}
    ann, bo = figures["cdr.ann"], figures["cdr.bo"]
    assert (ann.decisions, ann.agreed, ann.corrections, ann.agreement_rate) == (4, 2, 1, round(2 / 3, 4))
    assert (bo.decisions, bo.agreed, bo.corrections, bo.agreement_rate) == (1, 0, 1, 0.0)
    assert ann.as_json()["agreement_rate"] == 0.6667


def test_a_coder_with_no_suggested_encounters_has_no_agreement_rate() -> None:
    (figure,) = coder_qa([_decision("cdr.cy", False, True, suggestion=None)])
    assert figure.agreement_rate is None and figure.corrections == 1
