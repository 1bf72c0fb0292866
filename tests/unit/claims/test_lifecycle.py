"""Every legal and every illegal claim transition."""

from __future__ import annotations

import pytest

from services.claims.lifecycle import NEXT, TERMINAL, IllegalTransition, check_transition
from shared.events import ClaimStatus

ALL_PAIRS = [(a, b) for a in ClaimStatus for b in ClaimStatus]
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in NEXT[a]]
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in NEXT[a]]


@pytest.mark.parametrize(("current", "wanted"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_a_legal_transition_is_allowed(current, wanted) -> None:
    check_transition("clm_x", current, wanted)


@pytest.mark.parametrize(("current", "wanted"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_an_illegal_transition_is_an_error_not_a_silent_no_op(current, wanted) -> None:
    with pytest.raises(IllegalTransition) as refused:
        check_transition("clm_x", current, wanted)
    assert refused.value.code == "ILLEGAL_TRANSITION"
    assert (refused.value.current, refused.value.wanted) == (current, wanted)


def test_every_status_has_a_row_in_the_lifecycle() -> None:
    assert set(NEXT) == set(ClaimStatus)


def test_a_submitted_claim_cannot_be_scrubbed_again() -> None:
    with pytest.raises(IllegalTransition):
        check_transition("clm_x", ClaimStatus.SUBMITTED, ClaimStatus.SCRUBBED)


def test_every_status_can_reach_a_terminal_status() -> None:
    for start in ClaimStatus:
        seen, frontier = {start}, [start]
        while frontier:
            for following in NEXT[frontier.pop()]:
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        assert seen & TERMINAL, start
