from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.x12 import EligibilityResponse, read


@pytest.fixture
def responses(fixture) -> list[EligibilityResponse]:
    return read(fixture("271_eligibility.x12")).eligibility_responses()


def test_active_coverage_with_plan_dates(responses) -> None:
    (subscriber,) = responses[0].results
    assert subscriber.active is True
    assert (subscriber.plan_begin, subscriber.plan_end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert subscriber.member_id == "MEM000000001"
    assert subscriber.trace_numbers == ("TRACE00000001", "PAYERTRACE01")
    assert subscriber.group_number == "GRP0001"


def test_copay_coinsurance_and_deductible_are_found(responses) -> None:
    (subscriber,) = responses[0].results
    assert subscriber.copay() == Decimal("25")
    assert subscriber.copay(in_network=False) == Decimal("50")
    assert subscriber.coinsurance() == Decimal(".2")
    assert subscriber.deductible() == Decimal("1500")


def test_repeating_service_types_and_benefit_periods_are_kept(responses) -> None:
    (subscriber,) = responses[0].results
    active, *_, remaining = subscriber.benefits
    assert active.service_types == ("30", "1", "33")
    assert active.plan_description == "TEST GOLD PLAN"
    assert (remaining.time_period, remaining.amount) == ("29", Decimal("750"))
    assert (remaining.period_start, remaining.period_end) == (date(2024, 1, 1), date(2024, 12, 31))


def test_a_benefit_related_entity_does_not_replace_the_subscriber(responses) -> None:
    (subscriber,) = responses[0].results
    assert subscriber.last_name == "TESTPATIENT"


def test_inactive_coverage_and_a_rejected_request(responses) -> None:
    inactive, not_found = responses[1].results
    assert inactive.active is False
    assert inactive.plan_end == date(2023, 12, 31)
    assert not_found.active is None
    assert [(rejection.reason, rejection.follow_up) for rejection in not_found.rejections] == [("75", "C")]


def test_the_response_names_payer_and_provider(responses) -> None:
    assert responses[0].payer.identifier == "TESTPAYER1"
    assert responses[0].provider.identifier == "1004242420"
