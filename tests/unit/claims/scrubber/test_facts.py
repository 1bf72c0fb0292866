"""ClaimFacts, what the rules ask about a claim, worked out once per claim; and the engine's use of
`needs` to leave out rules that cannot find anything on a claim."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.claims.scrubber import InMemoryHistory, Rule, Scrubber
from services.claims.scrubber.context import DEFAULT_PAYER_RULES, FY2026, IcdVersion, IcdVersions
from services.claims.scrubber.facts import NEEDS, ClaimFacts
from services.claims.scrubber.rules import RULES
from services.claims.scrubber.rules.duplicate import billed_services
from shared.x12.models.claim import ClaimPayer

from tests.unit.claims.scrubber.builders import (
    DOS,
    TODAY,
    a_claim,
    a_context,
    a_person,
    a_secondary_claim,
    an_institutional_claim,
    with_line,
    with_lines,
)
from tests.unit.claims.scrubber.test_rules import CASES


def test_each_line_comes_with_its_date_and_place_of_service() -> None:
    claim = with_line(with_line(a_claim(), 0, place_of_service="02"), 1, date_of_service=DOS - timedelta(days=3))
    facts = ClaimFacts(claim, a_context())
    assert [(line.line_number, day, place) for line, day, place in facts.lines] == [
        (1, DOS, "02"), (2, DOS - timedelta(days=3), "11")]  # the claim's place where the line has none
    assert facts.first_date_of_service == DOS - timedelta(days=3)
    assert facts.days_since_service == (TODAY - DOS).days + 3


def test_an_institutional_line_without_a_date_takes_the_statement_start() -> None:
    claim = with_line(an_institutional_claim(), 1, date_of_service=None)
    claim = replace(claim, institutional=replace(claim.institutional, statement_from=DOS - timedelta(days=1)))
    facts = ClaimFacts(claim, a_context())
    assert [day for _, day, _ in facts.lines] == [DOS, DOS - timedelta(days=1)]
    assert facts.first_date_of_service == DOS - timedelta(days=1)


def test_a_claim_without_any_date_has_no_first_date_nor_icd_version() -> None:
    undated = with_lines(a_claim(), *(replace(line, date_of_service=None) for line in a_claim().lines))
    facts = ClaimFacts(undated, a_context())
    assert facts.first_date_of_service is None and facts.days_since_service is None and facts.icd is None


def test_the_icd_version_is_the_one_in_force_on_the_first_date_of_service() -> None:
    fy2027 = IcdVersion("FY2027", date(2026, 10, 1), FY2026.is_valid, FY2026.is_billable)
    context = a_context(icd=IcdVersions((FY2026, fy2027)))
    october = with_lines(a_claim(), *(replace(line, date_of_service=date(2026, 10, 2)) for line in a_claim().lines))
    assert ClaimFacts(a_claim(), context).icd is FY2026
    assert ClaimFacts(october, context).icd is fy2027


def test_a_payer_without_a_rules_file_is_judged_by_the_defaults() -> None:
    facts = ClaimFacts(a_claim(payer=ClaimPayer("UNKNOWN99", "Unknown Plan")), a_context())
    assert facts.payer_rules is None and facts.payer is DEFAULT_PAYER_RULES
    known = ClaimFacts(a_claim(), a_context())
    assert known.payer_rules is not None and known.payer is known.payer_rules


def test_the_patient_is_the_dependent_when_one_is_sent() -> None:
    child = a_person(first_name="JUNIOR", birth_date=date(2015, 1, 1))
    assert ClaimFacts(a_claim(patient=child, patient_relationship="19"), a_context()).patient is child
    claim = a_claim()
    assert ClaimFacts(claim, a_context()).patient is claim.subscriber.person


def test_the_attending_rendered_the_care_on_an_institutional_claim() -> None:
    institutional = an_institutional_claim()
    assert ClaimFacts(institutional, a_context()).rendering is institutional.institutional.attending
    professional = a_claim()
    assert ClaimFacts(professional, a_context()).rendering is professional.rendering
    assert ClaimFacts(a_claim(rendering=None), a_context()).rendering is None


@pytest.mark.parametrize(("claim", "history", "expected"), [
    (a_claim(), None, {"female_patient", "several_lines", "several_diagnoses"}),
    (a_secondary_claim(subscriber=replace(a_secondary_claim().subscriber, person=a_person(sex="M"))),
     InMemoryHistory(), {"prior_payers", "secondary", "history", "male_patient", "several_lines", "several_diagnoses"}),
    (with_line(an_institutional_claim(diagnoses=("I10",), frequency_code="7", payer_claim_number="PCN1"), 0,
               modifiers=("95",), place_of_service="10"), None,
     {"institutional", "replacement", "payer_claim_number", "female_patient", "several_lines", "modifiers",
      "telehealth"}),
])
def test_what_a_claim_has_is_what_the_rules_may_need(claim, history, expected) -> None:
    facts = ClaimFacts(claim, a_context(), history)
    assert {need for need in NEEDS if facts.have(need)} == expected


def test_a_shared_answer_is_worked_out_once_per_claim() -> None:
    calls = []

    def pairs(claim, facts):
        calls.append(claim.claim_id)
        return ("answer",)

    claim = a_claim()
    facts = ClaimFacts(claim, a_context())
    assert facts.shared(pairs, claim) == facts.shared(pairs, claim) == ("answer",)
    ClaimFacts(claim, a_context()).shared(pairs, claim)
    assert calls == [claim.claim_id, claim.claim_id]  # once for each claim's facts


def test_a_rule_is_not_called_for_a_claim_without_what_it_needs() -> None:
    seen = []

    def check(claim, facts):
        seen.append(claim.claim_id)
        return ("prior payer looked at",)

    cob = Rule("COB-999", "cob", "PRIOR_PAYER_LOOKED_AT", "warning", "test rule", check, needs="prior_payers")
    scrubber = Scrubber(a_context(), [cob])
    assert scrubber.scrub(a_claim()).findings == () and cob.run(a_claim(), a_context(), None) == []
    secondary = a_secondary_claim(claim_id="clm_" + "c" * 24)
    assert [f.rule for f in scrubber.scrub(secondary).findings] == ["COB-999"]
    assert [f.rule for f in cob.run(secondary, a_context(), None)] == ["COB-999"]
    assert seen == [secondary.claim_id, secondary.claim_id]


def _corpus():
    """Every clean and broken claim of the rule cases."""
    for clean, broken in CASES.values():
        yield clean()
        yield broken(clean())


def test_the_scrub_reports_what_each_rule_reports_in_rule_order() -> None:
    scrubber = Scrubber(a_context())
    history = InMemoryHistory()
    history.record("clm_" + "b" * 24, billed_services(a_claim()))  # so that DUP-002 fires too
    for claim in _corpus():
        expected = [finding for each in RULES for finding in each.run(claim, a_context(), history)]
        assert list(scrubber.scrub(claim, history=history).findings) == expected
