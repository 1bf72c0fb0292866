from datetime import date

import pytest

from services.denials.domain import (
    CARC_RULES,
    POLICIES,
    CarcRule,
    DenialCategory,
    NoDenialAdjustments,
    categorize,
    rule_for,
)
from shared.events import DenialAction
from tests.unit.denials.builders import an_adjustment

TODAY = date(2025, 4, 1)

RESUBMIT, APPEAL, WRITE_OFF = DenialAction.RESUBMIT, DenialAction.APPEAL, DenialAction.WRITE_OFF
LISTED = [
    *(("MISSING_INFORMATION", carc, RESUBMIT) for carc in ("16", "252", "226", "146")),
    *(("AUTHORIZATION", carc, RESUBMIT) for carc in ("197", "15", "198")),
    *(("ELIGIBILITY", carc, WRITE_OFF) for carc in ("27", "31", "26", "200")),
    *(("MEDICAL_NECESSITY", carc, APPEAL) for carc in ("50", "55", "56", "150")),
    ("TIMELY_FILING", "29", WRITE_OFF),
    ("DUPLICATE", "18", WRITE_OFF),
    *(("NON_COVERED", carc, WRITE_OFF) for carc in ("96", "204", "49")),
    *(("BUNDLING", carc, APPEAL) for carc in ("97", "234", "236")),
    *(("COORDINATION_OF_BENEFITS", carc, RESUBMIT) for carc in ("22", "23", "109")),
]
RETIRED = [
    ("MISSING_INFORMATION", "125", RESUBMIT, date(2013, 10, 31)),
    ("AUTHORIZATION", "62", RESUBMIT, date(2007, 3, 31)),
]


@pytest.mark.parametrize(("category", "carc", "action"), LISTED)
def test_every_listed_carc_falls_in_its_category_with_its_action(
    category: str, carc: str, action: DenialAction
) -> None:
    rule = categorize([an_adjustment(carc)], TODAY)

    assert (rule.carc, rule.category, rule.action) == (carc, category, action)


@pytest.mark.parametrize(("category", "carc", "action", "last_day"), RETIRED)
def test_a_retired_carc_keeps_its_category_up_to_its_last_day(
    category: str, carc: str, action: DenialAction, last_day: date
) -> None:
    rule = categorize([an_adjustment(carc)], last_day)

    assert (rule.category, rule.action) == (category, action)


@pytest.mark.parametrize(("carc", "stop"), [("125", date(2013, 11, 1)), ("62", date(2007, 4, 1))])
def test_a_retired_carc_used_from_its_stop_date_on_is_other(carc: str, stop: date) -> None:
    rule = categorize([an_adjustment(carc)], stop)

    assert (rule.category, rule.action) == (DenialCategory.OTHER, DenialAction.APPEAL)


def test_a_carc_used_before_it_was_published_is_other() -> None:
    assert categorize([an_adjustment("252")], date(2012, 9, 29)).category == DenialCategory.OTHER
    assert categorize([an_adjustment("252")], date(2012, 9, 30)).category == DenialCategory.MISSING_INFORMATION


def test_an_unknown_carc_is_other_and_appealed_and_flagged_as_unknown() -> None:
    rule = categorize([an_adjustment("B7")], TODAY)

    assert rule == CarcRule("B7", DenialCategory.OTHER, DenialAction.APPEAL, date.min, known=False)


@pytest.mark.parametrize(("carc", "category"), [
    ("4", "MISSING_INFORMATION"), ("11", "MISSING_INFORMATION"), ("181", "MISSING_INFORMATION"),
    ("182", "MISSING_INFORMATION"), ("151", "MEDICAL_NECESSITY"), ("167", "MEDICAL_NECESSITY"),
    ("119", "NON_COVERED"),
])
def test_the_codes_added_to_the_mapping_file_fall_in_their_category(carc: str, category: str) -> None:
    rule = rule_for(carc, TODAY)

    assert (rule.category.value, rule.known) == (category, True)


@pytest.mark.parametrize(("carc", "action"), [("16", RESUBMIT), ("197", RESUBMIT), ("50", APPEAL), ("29", WRITE_OFF),
                                              ("18", WRITE_OFF), ("97", APPEAL)])
def test_every_carc_the_simulated_payers_send_as_a_denial_is_mapped(carc: str, action: DenialAction) -> None:
    assert (rule_for(carc, TODAY).known, rule_for(carc, TODAY).action) == (True, action)


def test_a_tenants_own_rules_replace_the_defaults() -> None:
    tenant_rules = (CarcRule("B7", DenialCategory.MISSING_INFORMATION, DenialAction.RESUBMIT, date(2020, 1, 1)),)

    assert categorize([an_adjustment("B7")], TODAY, tenant_rules).category == DenialCategory.MISSING_INFORMATION
    assert categorize([an_adjustment("16")], TODAY, tenant_rules).category == DenialCategory.OTHER


def test_a_rule_in_force_until_a_date_stops_applying_on_that_date() -> None:
    rules = (
        CarcRule("B7", DenialCategory.AUTHORIZATION, DenialAction.RESUBMIT, date(2020, 1, 1), date(2025, 1, 1)),
        CarcRule("B7", DenialCategory.MEDICAL_NECESSITY, DenialAction.APPEAL, date(2025, 1, 1)),
    )

    assert rule_for("B7", date(2024, 12, 31), rules).category == DenialCategory.AUTHORIZATION
    assert rule_for("B7", date(2025, 1, 1), rules).category == DenialCategory.MEDICAL_NECESSITY


def test_the_largest_adjustment_decides_the_category() -> None:
    adjustments = [an_adjustment("16", "20.00"), an_adjustment("50", "80.00"), an_adjustment("97", "79.99")]

    assert categorize(adjustments, TODAY).category == DenialCategory.MEDICAL_NECESSITY


def test_on_a_tie_the_first_listed_adjustment_decides() -> None:
    adjustments = [an_adjustment("29", "50.00"), an_adjustment("197", "50.00")]

    assert categorize(adjustments, TODAY).category == DenialCategory.TIMELY_FILING


def test_a_denial_without_adjustments_cannot_be_categorized() -> None:
    with pytest.raises(NoDenialAdjustments) as refused:
        categorize([], TODAY)

    assert refused.value.code == "NO_DENIAL_ADJUSTMENTS"


def test_no_carc_has_two_rules_in_force_on_the_same_day() -> None:
    by_carc: dict[str, list[CarcRule]] = {}
    for rule in CARC_RULES:
        by_carc.setdefault(rule.carc, []).append(rule)

    for carc, rules in by_carc.items():
        periods = sorted((r.effective_from, r.effective_to or date.max) for r in rules)
        assert all(end <= start for (_, end), (start, _) in zip(periods, periods[1:])), carc


def test_every_rule_takes_its_categorys_action_and_every_category_is_described() -> None:
    assert set(POLICIES) == set(DenialCategory)
    assert all(len(policy.description) > 40 for policy in POLICIES.values())
    assert all(rule.action == POLICIES[rule.category].action for rule in CARC_RULES)
