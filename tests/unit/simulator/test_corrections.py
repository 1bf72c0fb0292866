"""The partners judge a claim that comes back by what they refused it for: the payer pays a
corrected claim only when the correction changed the data it denied for, and the clearinghouse
accepts a rejected claim sent again only when the rejected data changed."""

from __future__ import annotations

from datetime import date

import pytest

from shared.events import ClaimPaymentStatus, FrequencyCode, SubmittedClaim
from simulator.clearinghouse import acknowledge_remembering, payer_claim_number_for
from simulator.payer import DenialReason, PayerBehaviour, adjudicate_remembering
from simulator.population import World

PAYMENT_DATE = date(2025, 7, 15)


def _deny_for(reason: DenialReason) -> PayerBehaviour:
    return PayerBehaviour(deny_rate=1.0, partial_rate=0, denial_mix=((reason, 1),))


def _adjudicate(world: World, claim: SubmittedClaim, behaviour: PayerBehaviour, remembered=None):
    remittance, memory = adjudicate_remembering([claim], payer=world.payer(claim.coverage.payer_id), seed=1,
                                                behaviour=behaviour, payment_date=PAYMENT_DATE, remittance_id="TRN-1",
                                                remembered=remembered)
    return remittance.claims[0], memory


def _replacement(claim: SubmittedClaim, **changes) -> SubmittedClaim:
    return claim.model_copy(update={"frequency_code": FrequencyCode.REPLACEMENT,
                                    "payer_claim_number": payer_claim_number_for(claim.claim_id, "1"), **changes})


def _with_first_line(claim: SubmittedClaim, **changes) -> SubmittedClaim:
    first = claim.lines[0].model_copy(update=changes)
    return claim.model_copy(update={"lines": (first, *claim.lines[1:])})


@pytest.fixture
def claim(submitted_claims: list[SubmittedClaim]) -> SubmittedClaim:
    """A claim with two diagnoses and no modifier on its first line."""
    return next(c for c in submitted_claims if len(c.diagnoses) >= 2 and not c.lines[0].modifiers)


def test_a_missing_modifier_denial_is_paid_once_the_line_carries_a_modifier(world, claim) -> None:
    denied, memory = _adjudicate(world, claim, _deny_for(DenialReason.MISSING_MODIFIER))
    assert denied.status_code is ClaimPaymentStatus.DENIED and denied.lines[0].adjustments[0].carc == "4"
    fixed, _ = _adjudicate(world, _replacement(_with_first_line(claim, modifiers=("25",))), PayerBehaviour(), memory)
    assert fixed.status_code is ClaimPaymentStatus.PROCESSED_AS_PRIMARY and fixed.paid > 0


def test_a_missing_modifier_denial_corrected_elsewhere_is_denied_again_for_the_same_reason(world, claim) -> None:
    _, memory = _adjudicate(world, claim, _deny_for(DenialReason.MISSING_MODIFIER))
    visit = claim.visit.model_copy(update={"place_of_service": "22"})
    again, memory_after = _adjudicate(world, _replacement(claim, visit=visit), PayerBehaviour(), memory)
    assert again.status_code is ClaimPaymentStatus.DENIED and again.paid == 0
    assert {a.carc for line in again.lines for a in line.adjustments} == {"4"}
    assert memory_after == memory


def test_a_diagnosis_denial_is_paid_once_the_line_points_to_another_diagnosis(world, claim) -> None:
    _, memory = _adjudicate(world, claim, _deny_for(DenialReason.DIAGNOSIS_INCONSISTENT))
    other = 2 if claim.lines[0].diagnosis_pointers[0] == 1 else 1
    fixed, _ = _adjudicate(world, _replacement(_with_first_line(claim, diagnosis_pointers=(other,))),
                           PayerBehaviour(), memory)
    unchanged, _ = _adjudicate(world, _replacement(claim), PayerBehaviour(), memory)
    assert fixed.status_code is ClaimPaymentStatus.PROCESSED_AS_PRIMARY
    assert unchanged.status_code is ClaimPaymentStatus.DENIED


def test_a_place_of_service_denial_is_paid_once_the_place_changed(world, claim) -> None:
    _, memory = _adjudicate(world, claim, _deny_for(DenialReason.INVALID_PLACE_OF_SERVICE))
    moved = claim.visit.model_copy(update={"place_of_service": "22" if claim.visit.place_of_service != "22" else "11"})
    fixed, _ = _adjudicate(world, _replacement(claim, visit=moved), PayerBehaviour(), memory)
    assert fixed.status_code is ClaimPaymentStatus.PROCESSED_AS_PRIMARY


def test_a_replacement_after_a_denial_not_about_the_data_is_paid(world, claim) -> None:
    _, memory = _adjudicate(world, claim, _deny_for(DenialReason.MISSING_INFORMATION))
    assert memory == {}
    paid, _ = _adjudicate(world, _replacement(claim), PayerBehaviour(), memory)
    assert paid.status_code is ClaimPaymentStatus.PROCESSED_AS_PRIMARY


def test_a_claim_rejected_for_its_principal_diagnosis_is_accepted_once_that_diagnosis_changed(claim) -> None:
    only_principal = ((("A7_254",), 1),)
    (rejected,), memory = acknowledge_remembering([claim], seed=1, reject_rate=1.0, rejections=only_principal)
    assert (rejected.accepted, rejected.status_codes) == (False, ("A7_254",))
    (again,), _ = acknowledge_remembering([claim], seed=1, reject_rate=1.0, rejections=only_principal,
                                          remembered=memory)
    swapped = claim.model_copy(update={"diagnoses": (claim.diagnoses[1], claim.diagnoses[0], *claim.diagnoses[2:])})
    (accepted,), _ = acknowledge_remembering([swapped], seed=1, reject_rate=1.0, rejections=only_principal,
                                             remembered=memory)
    assert (again.accepted, again.status_codes) == (False, ("A7_254",))
    assert accepted.accepted and accepted.payer_claim_number
