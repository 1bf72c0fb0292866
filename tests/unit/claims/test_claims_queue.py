"""The claims work queue's decisions: take, correct, scrub, submit, close, release."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from services.claims import domain, queue
from services.claims.corrections import ClaimEdits, CloseReason, InvalidCorrection, LineEdit, apply_edits
from shared.events import ClaimStatus as S, DocumentedService, FrequencyCode
from tests.support.builders import a_coded_encounter, a_registration_request

TODAY = date(2026, 11, 20)


def a_failed_claim() -> domain.Claim:
    """A claim whose only line points to a second diagnosis the claim does not have (DXP-003)."""
    request = a_registration_request(services=(DocumentedService(procedure_code="99213", units=1,
                                                                 diagnosis_pointers=(2,)),))
    claim = domain.open_claim(a_coded_encounter(request), claim_id="clm_" + "c" * 24, tenant_id="test-clinic",
                              today=TODAY).claim
    assert claim.status is S.SCRUB_FAILED
    return claim


def test_a_scrub_failure_names_its_rule_on_the_claim() -> None:
    assert "DXP-003" in {finding.rule for finding in a_failed_claim().findings}


def test_taking_a_claim_assigns_it_and_moves_its_revision() -> None:
    claim = a_failed_claim()
    taken = queue.take(claim, "biller-a").claim
    assert (taken.assignee, taken.revision) == ("biller-a", claim.revision + 1)


def test_a_claim_taken_by_one_biller_cannot_be_taken_by_another() -> None:
    taken = queue.take(a_failed_claim(), "biller-a").claim
    with pytest.raises(queue.TakenBySomeoneElse):
        queue.take(taken, "biller-b")


def test_an_action_on_an_older_revision_is_refused() -> None:
    claim = a_failed_claim()
    with pytest.raises(queue.StaleRevision):
        queue.check_revision(claim, claim.revision - 1)


def test_a_claim_must_be_taken_before_it_is_corrected() -> None:
    with pytest.raises(queue.NotTaken):
        queue.edit(a_failed_claim(), "biller-a", ClaimEdits(diagnoses=("I10", "E119")))


def test_a_correction_adding_the_missing_diagnosis_lets_the_claim_pass_the_scrub() -> None:
    claim = queue.take(a_failed_claim(), "biller-a").claim
    edited = queue.edit(claim, "biller-a", ClaimEdits(diagnoses=("I10", "E119")))
    assert edited.changed == ("diagnoses",)
    assert edited.claim.status is S.SCRUB_FAILED  # not scrubbed until asked
    submitted = queue.submit(edited.claim, "biller-a", TODAY)
    assert [change.status for change in submitted.outcome.changes] == [S.CORRECTED, S.SCRUBBED]
    assert (submitted.claim.status, submitted.claim.assignee) == (S.SCRUBBED, None)  # goes out in the next batch
    assert submitted.claim.content.frequency_code is FrequencyCode.ORIGINAL


def test_a_wrong_correction_leaves_the_claim_failing_with_the_person() -> None:
    claim = queue.take(a_failed_claim(), "biller-a").claim
    edited = queue.edit(claim, "biller-a", ClaimEdits(place_of_service="22")).claim
    scrubbed = queue.submit(edited, "biller-a", TODAY).claim
    assert (scrubbed.status, scrubbed.assignee) == (S.SCRUB_FAILED, "biller-a")
    assert "DXP-003" in {finding.rule for finding in scrubbed.findings}


def test_units_change_the_line_charge_at_its_unit_price_and_the_claim_total() -> None:
    content = a_failed_claim().content
    edited, changed = apply_edits(content, ClaimEdits(lines=(LineEdit(line_number=1, units=3),)))
    assert (edited.lines[0].units, edited.lines[0].charge, edited.total_charge) == (3, Decimal("300.00"),
                                                                                     Decimal("300.00"))
    assert changed == ("line_1_units",)


def test_an_edit_that_changes_nothing_is_refused() -> None:
    content = a_failed_claim().content
    with pytest.raises(InvalidCorrection):
        apply_edits(content, ClaimEdits(place_of_service=content.visit.place_of_service))


def test_an_edit_of_a_line_the_claim_does_not_have_is_refused() -> None:
    with pytest.raises(InvalidCorrection):
        apply_edits(a_failed_claim().content, ClaimEdits(lines=(LineEdit(line_number=9, units=1),)))


def test_a_denied_claim_scrubbed_by_a_person_becomes_the_replacement_with_the_payer_claim_number() -> None:
    claim = a_failed_claim()
    content = claim.content.model_copy(update={"payer_claim_number": "PCN000000000042",
                                               "diagnoses": ("I10", "E119")})
    denied = replace(claim, status=S.DENIED, content=content, findings=())
    taken = queue.take(denied, "biller-a").claim
    edited = queue.edit(taken, "biller-a", ClaimEdits(lines=(LineEdit(line_number=1, modifiers=("25",)),))).claim
    scrubbed = queue.submit(edited, "biller-a", TODAY).claim
    assert scrubbed.status is S.SCRUBBED
    assert (scrubbed.content.frequency_code, scrubbed.content.payer_claim_number) == (
        FrequencyCode.REPLACEMENT, "PCN000000000042")
    assert scrubbed.content.lines[0].modifiers == ("25",)


def test_closing_records_the_reason_and_ends_the_claim() -> None:
    claim = queue.take(a_failed_claim(), "biller-a").claim
    closed = queue.close(claim, "biller-a", CloseReason.SELF_PAY)
    assert closed.claim.status is S.CLOSED
    assert [finding.code for finding in closed.outcome.changes[0].findings] == ["SELF_PAY"]


def test_a_supervisor_may_release_someone_elses_claim_and_a_biller_may_not() -> None:
    taken = queue.take(a_failed_claim(), "biller-a").claim
    with pytest.raises(queue.TakenBySomeoneElse):
        queue.release(taken, "biller-b")
    assert queue.release(taken, "lead-1", may_release_others=True).claim.assignee is None


def test_a_paid_claim_is_not_in_the_queue() -> None:
    with pytest.raises(queue.NotWorkable):
        queue.take(replace(a_failed_claim(), status=S.PAID), "biller-a")
