"""Every scrub rule has a failing case (it fires, with its own id, category and severity) and a
passing case (a clean claim of the same kind raises nothing from it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.x12.models.claim import ClaimProvider, LineAdjudication, Subscriber
from shared.x12.models.common import CasAdjustment, PostalAddress
from services.claims.scrubber import InMemoryHistory, Scrubber
from services.claims.scrubber.rules import BY_ID
from services.claims.scrubber.rules.duplicate import billed_services, patient_key

from tests.unit.claims.scrubber.builders import (
    DOS,
    TODAY,
    a_claim,
    a_context,
    a_line,
    a_person,
    a_secondary_claim,
    an_institutional_claim,
    with_line,
    with_lines,
)


def _subscriber(claim, **changes):
    return replace(claim, subscriber=replace(claim.subscriber, **changes))


def _person(claim, **changes):
    return _subscriber(claim, person=replace(claim.subscriber.person, **changes))


def _prior(claim, **changes):
    return replace(claim, prior_payers=(replace(claim.prior_payers[0], **changes),))


def _prior_line(claim, **changes):
    prior = claim.prior_payers[0]
    return _prior(claim, lines=(replace(prior.lines[0], **changes), *prior.lines[1:]))


def _billing(claim, **changes):
    return replace(claim, billing=replace(claim.billing, **changes))


def _male(claim):
    return _person(claim, sex="M")


def _born(claim, born):
    return _person(claim, birth_date=born)


# rule id -> (clean claim builder, how to break it)
CASES = {
    "DEM-001": (a_claim, lambda c: _subscriber(c, member_id="")),
    "DEM-002": (a_claim, lambda c: _person(c, last_name=" ")),
    "DEM-003": (a_claim, lambda c: _born(c, None)),
    "DEM-004": (a_claim, lambda c: _person(c, sex=None)),
    "DEM-005": (a_claim, lambda c: _born(c, DOS + timedelta(days=1))),
    "DEM-006": (a_claim, lambda c: replace(c, payer=replace(c.payer, payer_id=""))),
    "DEM-007": (a_claim, lambda c: replace(c, payer=replace(c.payer, name=""))),
    "DEM-008": (a_claim, lambda c: replace(c, patient_relationship="19")),
    "DEM-009": (a_claim, lambda c: _person(c, address=None)),
    "PRV-001": (a_claim, lambda c: _billing(c, npi=c.billing.npi[:-1] + str((int(c.billing.npi[-1]) + 1) % 10))),
    "PRV-002": (a_claim, lambda c: replace(c, rendering=replace(c.rendering, npi="1234567890"))),
    "PRV-003": (a_claim, lambda c: _billing(c, tax_id="12-345")),
    "PRV-004": (a_claim, lambda c: _billing(c, taxonomy=None)),
    "PRV-005": (a_claim, lambda c: replace(c, rendering=replace(c.rendering, npi=c.billing.npi))),
    "PRV-006": (a_claim, lambda c: replace(c, rendering=ClaimProvider(c.rendering.npi, "CLINIC", None, None, False))),
    "PRV-007": (a_claim, lambda c: _billing(c, taxonomy="207Q0000")),
    "PRV-008": (a_claim, lambda c: replace(c, rendering=replace(c.rendering, taxonomy=None))),
    "PRV-009": (a_claim, lambda c: _billing(c, address=PostalAddress("PO BOX 12", "TESTVILLE", "OH", "00002"))),
    "COD-001": (a_claim, lambda c: replace(c, diagnoses=("I10", "Q99999"))),
    "COD-002": (a_claim, lambda c: replace(c, diagnoses=("I10", "E11"))),
    "COD-003": (a_claim, lambda c: with_line(c, 1, procedure_code="3641")),
    "COD-004": (a_claim, lambda c: with_line(c, 1, procedure_code="J9999")),
    "COD-005": (a_claim, lambda c: replace(c, place_of_service="30")),
    "COD-006": (a_claim, lambda c: with_line(c, 0, modifiers=("Q9",))),
    "COD-007": (a_claim, lambda c: with_line(c, 0, modifiers=("25", "RT", "XS", "59", "76"))),
    "COD-008": (a_claim, lambda c: with_line(c, 0, modifiers=("25", "25"))),
    "COD-009": (a_claim, lambda c: with_line(c, 1, date_of_service=None)),
    "COD-010": (an_institutional_claim, lambda c: with_line(c, 0, revenue_code="51")),
    "COD-011": (a_claim, lambda c: with_line(c, 1, units=Decimal("0"))),
    "DXP-001": (a_claim, lambda c: replace(c, diagnoses=("I10", "E119", "E785", "K219", "F419", "J302", "E039",
                                                         "G4733", "J449", "I2510", "E559", "D649", "G43909"))),
    "DXP-002": (a_claim, lambda c: replace(with_line(c, 0, diagnosis_pointers=(1, 2, 3, 4, 5)),
                                           diagnoses=("I10", "E119", "E785", "K219", "F419"))),
    "DXP-003": (a_claim, lambda c: with_line(c, 1, diagnosis_pointers=(3,))),
    "DXP-004": (a_claim, lambda c: with_line(c, 1, diagnosis_pointers=())),
    "DXP-005": (an_institutional_claim, lambda c: replace(c, diagnoses=())),
    "DXP-006": (a_claim, lambda c: replace(c, diagnoses=("I10", "E119", "I10"))),
    "DXP-007": (a_claim, lambda c: with_line(c, 0, diagnosis_pointers=(1, 1))),
    "PTP-001": (a_claim, lambda c: with_lines(c, a_line(1, "90460", "35.00"), a_line(2, "90471", "28.00"))),
    "PTP-002": (a_claim, lambda c: with_lines(c, a_line(1, "99213", "140.00"), a_line(2, "20610", "210.00"))),
    "MUE-001": (a_claim, lambda c: with_lines(c, a_line(1, "J3301", "54.00", units="9"))),
    "MUE-002": (a_claim, lambda c: with_lines(c, a_line(1, "36415", "18.00"),
                                              a_line(2, "36415", "36.00", units="2", modifiers=("59",)))),
    "AGE-001": (a_claim, lambda c: _male(replace(c, diagnoses=("Z3400", "E119")))),
    "AGE-002": (a_claim, lambda c: replace(c, diagnoses=("Z00110", "E119"))),
    "AGE-003": (a_claim, lambda c: replace(c, diagnoses=("N401", "E119"))),
    "AGE-004": (a_claim, lambda c: _male(replace(c, diagnoses=("N952", "E119")))),
    "AGE-005": (a_claim, lambda c: with_line(c, 0, procedure_code="99397")),
    "EXC-001": (a_claim, lambda c: replace(c, diagnoses=("E109", "E119"))),
    "TEL-001": (a_claim, lambda c: replace(c, place_of_service="10")),
    "TEL-002": (a_claim, lambda c: with_line(c, 0, modifiers=("95",))),
    "TFL-001": (a_claim, lambda c: with_lines(c, *(replace(line, date_of_service=date(2025, 9, 1)) for line in c.lines))),
    "TFL-002": (a_claim, lambda c: with_line(c, 1, date_of_service=TODAY + timedelta(days=1))),
    "TFL-003": (a_claim, lambda c: with_lines(c, *(replace(line, date_of_service=TODAY - timedelta(days=175))
                                                   for line in c.lines))),
    "DUP-001": (a_claim, lambda c: with_lines(c, *c.lines, replace(c.lines[1], line_number=3))),
    "FRQ-001": (a_claim, lambda c: replace(c, frequency_code="7")),
    "FRQ-002": (a_claim, lambda c: replace(c, frequency_code="2")),
    "FRQ-003": (a_claim, lambda c: replace(c, payer_claim_number="PCN0001")),
    "COB-001": (a_claim, lambda c: _subscriber(c, payer_responsibility="S")),
    "COB-002": (a_secondary_claim, lambda c: _prior(c, lines=(), adjustments=(
        CasAdjustment("PR", "2", c.total_charge - c.prior_payers[0].paid),))),
    "COB-003": (a_secondary_claim, lambda c: _prior(c, paid=c.total_charge + 1)),
    "COB-004": (a_secondary_claim, lambda c: _prior_line(c, line_number=9)),
    "COB-005": (a_secondary_claim, lambda c: _prior(c, payer_id="SIMBLUE01")),
    "PAY-001": (a_claim, lambda c: replace(c, payer=replace(c.payer, payer_id="UNKNOWN99"))),
    "PAY-002": (a_claim, lambda c: with_line(c, 0, procedure_code="G0439")),
    "PAY-003": (a_claim, lambda c: _subscriber(c, group_number=None)),
    "PAY-004": (lambda: a_claim(payer=a_claim().payer.__class__("SIMMCR04", "Simulated Medicare Part B"),
                                subscriber=Subscriber("SIM000000001", a_person(), "P", None, "MB")),
                lambda c: with_lines(c, a_line(1, "73562", "120.00"))),
    "BAL-001": (a_claim, lambda c: replace(c, total_charge=c.total_charge + Decimal("0.01"))),
    "BAL-002": (a_claim, lambda c: with_line(c, 1, charge=Decimal("-1.00"))),
    "BAL-003": (a_secondary_claim, lambda c: _prior_line(c, paid=c.prior_payers[0].lines[0].paid - 1)),
    "BAL-004": (a_secondary_claim, lambda c: _prior(c, adjustments=(CasAdjustment("CO", "45", Decimal("5.00")),))),
    "BAL-005": (a_secondary_claim, lambda c: _prior(c, paid=c.prior_payers[0].paid - 1,
                                                    adjustments=(CasAdjustment("OA", "23", Decimal("1.00")),))),
}


def _history_with_other_claim(claim):
    history = InMemoryHistory()
    history.record("clm_" + "b" * 24, billed_services(claim))
    return history


def test_every_rule_has_a_case() -> None:
    assert set(CASES) | {"DUP-002"} == set(BY_ID)


def test_there_are_at_least_thirty_rules_in_every_named_category() -> None:
    from services.claims.scrubber import CATEGORIES

    assert len(BY_ID) >= 30
    assert {rule.category for rule in BY_ID.values()} == set(CATEGORIES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_rule_flags_its_broken_claim(rule_id: str) -> None:
    clean, broken = CASES[rule_id]
    rule = BY_ID[rule_id]
    findings = rule.run(broken(clean()), a_context(), None)
    assert findings, f"{rule_id} did not fire"
    assert {(f.rule, f.category, f.severity, f.code) for f in findings} == {
        (rule.id, rule.category, rule.severity, rule.code)}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_rule_passes_a_clean_claim(rule_id: str) -> None:
    clean, _ = CASES[rule_id]
    assert BY_ID[rule_id].run(clean(), a_context(), _history_with_other_claim(a_claim(claim_id="clm_" + "d" * 24,
                                                                                        lines=())) ) == []


def test_a_service_another_claim_already_billed_is_a_duplicate() -> None:
    claim = a_claim()
    findings = BY_ID["DUP-002"].run(claim, a_context(), _history_with_other_claim(claim))
    assert [f.rule for f in findings] == ["DUP-002", "DUP-002"]


def test_a_claim_is_not_a_duplicate_of_itself_or_of_a_different_day() -> None:
    claim = a_claim()
    history = InMemoryHistory()
    history.record(claim.claim_id, billed_services(claim))
    history.record("clm_" + "b" * 24, billed_services(with_lines(claim, *(replace(line, date_of_service=DOS - timedelta(days=1)) for line in claim.lines))))
    assert BY_ID["DUP-002"].run(claim, a_context(), history) == []


def test_the_patient_key_stays_the_digest_stored_with_billed_services() -> None:
    # The claims service keeps this digest in Mongo (billed_services): it must not change.
    assert patient_key(a_claim()) == "a0f65e57604751caad976ba96deb49b4"
    unnamed = a_claim(patient=a_person(first_name=None, birth_date=None), patient_relationship="19")
    assert patient_key(unnamed) == "13191527434a840a287f62a9c5d40c13"


def test_the_services_billed_are_those_of_the_claim_asked_about() -> None:
    first, second = a_claim(), with_line(a_claim(claim_id="clm_" + "e" * 24), 0, modifiers=("59",))
    institutional = an_institutional_claim()
    undated = replace(with_line(institutional, 1, date_of_service=None),
                      institutional=replace(institutional.institutional, statement_from=DOS - timedelta(days=1)))
    assert [s.procedure_code for s in billed_services(first)] == ["99213", "36415"]
    assert [s.procedure_code for s in billed_services(second)] == ["36415"]  # 59: a repeat on purpose
    assert [s.date_of_service for s in billed_services(undated)] == [DOS, DOS - timedelta(days=1)]
    assert billed_services(first) == billed_services(a_claim())


def test_a_replacement_is_not_a_duplicate_of_its_original() -> None:
    claim = a_claim(frequency_code="7", payer_claim_number="PCN1")
    assert BY_ID["DUP-002"].run(claim, a_context(), _history_with_other_claim(claim)) == []


def test_clean_claims_of_every_kind_pass_the_whole_scrub() -> None:
    scrubber = Scrubber(a_context())
    for claim in (a_claim(), a_secondary_claim(), an_institutional_claim()):
        result = scrubber.scrub(claim, history=InMemoryHistory())
        assert result.findings == () and result.passed


def test_a_warning_does_not_block_submission_but_an_error_does() -> None:
    scrubber = Scrubber(a_context())
    warned = scrubber.scrub(_billing(a_claim(), taxonomy=None))
    assert [f.rule for f in warned.findings] == ["PRV-004"] and warned.passed
    failed = scrubber.scrub(replace(a_claim(), total_charge=Decimal("1.00")))
    assert not failed.passed and [f.rule for f in failed.errors] == ["BAL-001"]


def test_a_pair_allowed_with_a_modifier_passes_when_the_modifier_is_there() -> None:
    claim = with_lines(a_claim(), a_line(1, "99213", "140.00", modifiers=("25",)),
                       a_line(2, "20610", "210.00", modifiers=("RT",)))
    assert BY_ID["PTP-002"].run(claim, a_context(), None) == []


def test_telehealth_with_the_payer_modifier_passes() -> None:
    claim = with_line(replace(a_claim(), place_of_service="02"), 0, modifiers=("95",))
    claim = with_line(claim, 1, modifiers=("95",))
    assert BY_ID["TEL-001"].run(claim, a_context(), None) == []
    assert BY_ID["TEL-002"].run(claim, a_context(), None) == []


def test_messages_name_no_patient_data() -> None:
    scrubber = Scrubber(a_context())
    person = a_person()
    phi = {person.last_name, person.first_name, person.birth_date.isoformat(), "SIM000000001", "SYNTHETIC WAY"}
    for rule_id, (clean, broken) in CASES.items():
        for finding in scrubber.scrub(broken(clean()), history=_history_with_other_claim(clean())).findings:
            assert not any(value in finding.message for value in phi), (rule_id, finding.message)


def test_a_very_long_code_read_from_a_file_gives_a_shortened_message_not_an_error() -> None:
    claim = with_line(a_claim(), 1, procedure_code="X" * 300)
    (finding,) = [f for f in Scrubber(a_context()).scrub(claim).findings if f.rule == "COD-003"]
    assert len(finding.message) == 200
