"""Coding suggestions: BM25 over the ICD-10-CM code set ranks codes for synthetic note text.

The real index (every billable code) is built once for the module (a few seconds)."""

from __future__ import annotations

import pytest

from services.coding import suggestions
from services.coding.suggestions import SuggestionIndex, confidence_of, icd10cm_index, segments, tokens
from simulator.feed import DIAGNOSIS_PHRASES

OPENING = "Synthetic note, simulated visit. Seen for ongoing conditions and new concerns."
PLAN = "Plan: Medications reviewed, follow up in three months."


def a_note(*phrases: str) -> str:
    return f"{OPENING} Assessment: {'; '.join(phrases)}. {PLAN}"


@pytest.fixture(scope="module")
def index() -> SuggestionIndex:
    return icd10cm_index()


def test_tokens_are_lowercase_without_stopwords_punctuation_or_plurals_and_abbreviations_spelled_out() -> None:
    assert tokens("COPD, with Migraines; the GERD") == [
        "chronic", "obstructive", "pulmonary", "disease", "migraine", "gastro", "esophageal", "reflux", "disease"]


def test_a_note_is_cut_at_sentences_and_list_items_but_not_inside_a_number() -> None:
    assert segments("Assessment: BMI 40 to 44.9; asthma. Plan: rest") == [
        "Assessment", "BMI 40 to 44.9", "asthma", "Plan", "rest"]


def test_the_index_holds_every_billable_code_and_no_header(index) -> None:
    ranked = dict(index.rank("type 2 diabetes mellitus without complications", limit=50))
    assert len(index) > 70_000
    assert "E119" in ranked and "E11" not in ranked


@pytest.mark.parametrize(("phrase", "code"), [
    ("essential hypertension", "I10"),
    ("type 2 diabetes without complications", "E119"),
    ("seasonal allergic rhinitis", "J302"),
    ("right knee pain", "M25561"),
    ("left shoulder osteoarthritis", "M19012"),
    ("history of nicotine dependence", "Z87891"),
    ("BMI 40 to 44.9", "Z6841"),
    ("ADHD, inattentive type", "F900"),
    ("nausea", "R110"),
])
def test_the_top_suggestion_of_a_synthetic_note_is_the_documented_code(index, phrase, code) -> None:
    reading = index.read(a_note(phrase))
    assert reading.best is not None
    assert reading.best.code == code


def test_every_diagnosis_the_simulator_documents_is_supported_by_its_note_but_few_others_are(index) -> None:
    supported = [code for code, phrase in DIAGNOSIS_PHRASES.items() if index.supports(index.read(a_note(phrase)), code)]
    # A note about hypertension does not support every other code the simulator sends.
    crossed = [code for code in DIAGNOSIS_PHRASES if code[:3] != "I10"
               and index.supports(index.read(a_note("essential hypertension")), code)]
    assert len(supported) >= 0.95 * len(DIAGNOSIS_PHRASES)
    assert crossed == []


def test_a_matching_sentence_is_more_confident_than_a_noise_sentence(index) -> None:
    reading = index.read(a_note("seasonal allergic rhinitis"))
    by_code = {s.code: s.confidence for s in reading.suggestions}
    assert reading.suggestions[0].code == "J302"
    assert all(by_code["J302"] > confidence for code, confidence in by_code.items() if code != "J302")


def test_confidence_grows_with_coverage_margin_and_matched_terms() -> None:
    assert confidence_of(1.0, 20.0, 0.0, 1) == pytest.approx(0.6)  # one word is weak evidence
    assert confidence_of(1.0, 20.0, 0.0, 3) > confidence_of(1.0, 20.0, 0.0, 2) > confidence_of(1.0, 20.0, 0.0, 1)
    assert confidence_of(1.0, 20.0, 10.0, 2) > confidence_of(1.0, 20.0, 18.0, 2)
    assert confidence_of(1.0, 20.0, 10.0, 2) > confidence_of(0.5, 20.0, 10.0, 2)
    assert confidence_of(0.0, 20.0, 10.0, 2) == 0.0 and confidence_of(1.0, 0.0, 0.0, 0) == 0.0
    assert 0.0 <= confidence_of(1.0, 50.0, 0.0, 12) <= 1.0


def test_ranking_is_bm25_with_shorter_documents_preferred_on_equal_terms() -> None:
    small = SuggestionIndex.from_documents([
        ("A001", "Cholera due to Vibrio cholerae", []),
        ("A011", "Paratyphoid fever A", []),
        ("R509", "Fever, unspecified", ["Fever NOS", "Hyperpyrexia NOS"]),
        ("R502", "Drug induced fever of some long described kind", []),
    ])
    assert [code for code, _ in small.rank("fever")][:2] == ["R509", "A011"]
    assert small.rank("hyperpyrexia")[0][0] == "R509"  # inclusion terms are indexed
    assert small.rank("nothing indexed here") == []


def test_a_note_of_noise_only_has_no_confident_suggestion(index) -> None:
    reading = index.read("Synthetic note, simulated visit. Plan: return if worse.")
    assert all(s.confidence < 0.6 for s in reading.suggestions)


def test_reading_a_note_is_fast_enough_for_the_pipeline(index) -> None:
    import time

    note = a_note("essential hypertension", "type 2 diabetes without complications", "right knee pain")
    started = time.perf_counter()
    for _ in range(50):
        index.read(note)
    assert (time.perf_counter() - started) / 50 < 0.05  # generous: a few ms on one core
    assert suggestions.SUGGESTIONS_KEPT >= 3
