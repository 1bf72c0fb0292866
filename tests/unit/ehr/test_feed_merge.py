"""How a visit is put together from several feed messages (pure rules)."""

from __future__ import annotations

import pytest

from services.registration.feed import CancelTooLate, Outcome, VisitDraft, VisitStatus, apply
from services.registration.hl7.mapping import map_message
from tests.unit.ehr.samples import FACILITIES, a03, a04, a08, a11, dft


def fold(*texts: str) -> tuple[VisitDraft, list[Outcome]]:
    draft, outcomes = VisitDraft(visit_number="V1"), []
    for text in texts:
        draft, outcome = apply(draft, map_message(text, FACILITIES).message)
        outcomes.append(outcome)
    return draft, outcomes


def test_an_a04_with_charges_is_complete_at_once() -> None:
    draft, outcomes = fold(a04())
    assert outcomes == [Outcome.REQUESTED] and draft.status is VisitStatus.REQUESTED and draft.missing == ()


def test_an_a04_without_charges_waits_for_its_dft() -> None:
    draft, outcomes = fold(a04(charges=False), dft())
    assert outcomes == [Outcome.APPLIED, Outcome.REQUESTED]
    assert [s.procedure_code for s in draft.services] == ["20610"]
    assert draft.patient.last_name == "Zztest&Fake" and draft.coverages[0].payer_id == "SIMBLUE01"


def test_a_dft_before_its_a04_waits_for_the_visit_and_coverage() -> None:
    draft, outcomes = fold(dft(), a04(charges=False))
    assert outcomes == [Outcome.APPLIED, Outcome.REQUESTED]


def test_an_a08_sent_before_the_a04_keeps_the_newer_demographics() -> None:
    draft, outcomes = fold(a08(sent="20261101120000"), a04(charges=False, sent="20261101100000"), dft())
    assert outcomes[-1] is Outcome.REQUESTED
    assert draft.patient.last_name == "Zzupdated"  # the A08 is newer by MSH-7
    assert draft.coverages[0].payer_id == "SIMRED03"
    assert draft.visit.visit_number == "V1"  # the A04 still supplied the visit


def test_an_a08_after_the_a04_updates_patient_and_coverage() -> None:
    draft, _ = fold(a04(charges=False), a08())
    assert draft.patient.last_name == "Zzupdated" and draft.coverages[0].payer_id == "SIMRED03"


def test_dft_diagnoses_follow_those_known_and_pointers_are_renumbered() -> None:
    draft, _ = fold(a04(charges=False).replace("EVN", "DG1|1||I10^x^I10\rEVN"), dft())
    assert [d.code for d in draft.diagnoses] == ["I10", "M25.561"]
    assert draft.services[0].diagnosis_pointers == (2,)


def test_a_cancelled_visit_is_never_completed() -> None:
    draft, outcomes = fold(a04(charges=False), a11(), dft())
    assert draft.status is VisitStatus.CANCELLED and outcomes[-1] is Outcome.IGNORED_CANCELLED


def test_a_cancel_after_the_visit_was_handed_on_is_refused() -> None:
    draft, _ = fold(a04())
    with pytest.raises(CancelTooLate):
        apply(draft, map_message(a11(), FACILITIES).message)


def test_a_discharge_is_recorded_and_a_late_message_changes_nothing() -> None:
    draft, outcomes = fold(a04(), a03(), dft())
    assert draft.discharged and outcomes[1:] == [Outcome.IGNORED_AFTER_REQUEST, Outcome.IGNORED_AFTER_REQUEST]
    assert len(draft.services) == 2
