"""The scrub context: ICD-10-CM versions by date of service and payer rules as data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.claims.scrubber import Scrubber
from shared.x12.models.claim import ClaimPayer
from services.claims.scrubber.context import (
    FY2026,
    IcdVersion,
    IcdVersions,
    ScrubberError,
    load_payer_rules,
    parse_payer_rules,
)
from simulator.population import PAYERS

from tests.unit.claims.scrubber.builders import a_claim, a_context, with_lines


def test_a_newer_icd_year_loads_beside_the_current_one_and_applies_from_its_date() -> None:
    fy2027 = IcdVersion("FY2027", date(2026, 10, 1), lambda code: code == "X0001" or FY2026.is_valid(code),
                        lambda code: code == "X0001" or FY2026.is_billable(code))
    versions = IcdVersions()
    versions.add(fy2027)
    assert versions.on(date(2026, 9, 30)).name == "FY2026"
    assert versions.on(date(2026, 10, 1)).name == "FY2027"
    assert versions.on(date(2020, 1, 1)).name == "FY2026"  # before the oldest: the oldest judges
    scrubber = Scrubber(a_context(icd=versions, today=date(2026, 10, 20)))
    medicare = ClaimPayer("SIMMCR04", "Simulated Medicare Part B")  # 365 days to file
    september = a_claim(diagnoses=("I10", "X0001"), payer=medicare)
    assert [f.rule for f in scrubber.scrub(september).findings] == ["COD-001"]
    october = with_lines(september, *(replace(line, date_of_service=date(2026, 10, 5)) for line in september.lines))
    assert scrubber.scrub(october).findings == ()


def test_every_simulated_payer_has_a_rules_file() -> None:
    rules = load_payer_rules()
    assert {payer.payer_id for payer in PAYERS} <= set(rules)
    assert rules["SIMMCR04"].timely_filing_days == 365 and "95" in rules["SIMMCR04"].telehealth_modifiers


def test_a_malformed_payer_rules_file_is_refused_with_its_name() -> None:
    with pytest.raises(ScrubberError, match="BAD.json"):
        parse_payer_rules('{"payer_id": "BAD"}', name="BAD.json")
