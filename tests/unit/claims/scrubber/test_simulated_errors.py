"""End to end in process: simulated visits with every injected error class go through
registration, coding and the scrubber. Each injected claim is stopped with its category; no clean
claim is flagged."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from services.claims.scrubber import InMemoryHistory, ScrubContext, Scrubber
from services.claims.scrubber.rules.duplicate import billed_services
from simulator.claim_errors import SCRUB_CATEGORY as CLAIM_STAGE_CATEGORY
from simulator.claim_errors import ClaimError, ClaimErrorRates, draw_claim_error, inject_claim_error
from simulator.feed import SCRUB_CATEGORY, SCRUB_ERRORS, ErrorRates, InjectedError, registrations
from simulator.population import build_world

from tests.support.simulated_claims import simulated_claims

START = date(2026, 11, 20)
VISITS = 3_000
RATE = 0.01  # each class, so every class shows up about 30 times


@pytest.fixture(scope="module")
def scrubbed():
    world = build_world(2026, patients_per_practice=200)
    rates = ErrorRates(0.0, RATE, 0.0, tuple((error, RATE) for error in SCRUB_ERRORS))
    visits = registrations(world, VISITS, start=START, error_rates=rates, seed=41)
    scrubber = Scrubber(ScrubContext(today=START))
    history = InMemoryHistory()
    results = []
    for simulated in simulated_claims(world, visits):
        assert simulated.claim is not None, f"coding held {simulated.visit.injected}"
        result = scrubber.scrub(simulated.claim, history=history)
        history.record(simulated.claim.claim_id, billed_services(simulated.claim))
        results.append((simulated.visit.injected, simulated.claim, result))
    return results


def test_every_injected_class_shows_up(scrubbed) -> None:
    counts = Counter(injected for injected, _, _ in scrubbed)
    missing = [error for error, category in SCRUB_CATEGORY.items() if category and counts[error] == 0]
    assert missing == []


def test_each_injected_claim_is_stopped_with_its_category(scrubbed) -> None:
    wrong = []
    for injected, claim, result in scrubbed:
        if injected is None:
            continue
        categories = {finding.category for finding in result.errors}
        if result.passed or SCRUB_CATEGORY[injected] not in categories:
            wrong.append((injected.value, claim.claim_id, sorted(categories)))
    assert wrong == []


def test_an_injected_claim_is_stopped_only_for_what_was_injected(scrubbed) -> None:
    others = Counter()
    for injected, _, result in scrubbed:
        if injected is not None:
            others.update(f.category for f in result.errors if f.category != SCRUB_CATEGORY[injected])
    assert others == Counter()


def test_no_clean_claim_is_flagged(scrubbed) -> None:
    flagged = [(claim.claim_id, [(f.rule, f.message) for f in result.findings])
               for injected, claim, result in scrubbed if injected is None and result.findings]
    assert flagged == []


def test_claim_stage_errors_are_stopped_with_their_category(scrubbed) -> None:
    scrubber = Scrubber(ScrubContext(today=START))
    rates = ClaimErrorRates(tuple((error, 0.05) for error in ClaimError))
    seen = Counter()
    for injected, claim, _ in scrubbed:
        error = draw_claim_error(claim.claim_id, rates, seed=41)
        if injected is not None or error is None:
            continue
        result = scrubber.scrub(inject_claim_error(claim, error))
        assert {f.category for f in result.errors} == {CLAIM_STAGE_CATEGORY[error]}, error
        seen[error] += 1
    assert set(seen) == set(ClaimError)


def test_default_rates_keep_the_demo_clean_claim_rate_above_ninety_percent() -> None:
    rates = ErrorRates()
    stopped_by_scrub = rates.invalid_rendering_npi + sum(rate for _, rate in rates.scrub_errors)
    held_by_coding = rates.invalid_diagnosis + rates.unpriced_procedure
    assert stopped_by_scrub / (1 - held_by_coding) < 0.10
