"""Each scrub edit has a failing and a passing case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.claims import scrub
from services.claims.domain import open_claim
from shared.events import FrequencyCode, Provider
from tests.support.builders import BILLING, a_coded_encounter, a_registration_request

TODAY = date(2026, 11, 20)


def a_clean_claim():
    return open_claim(a_coded_encounter(), claim_id="clm_" + "c" * 24, tenant_id="test-clinic", today=TODAY).claim.content


def with_visit(claim, **changes):
    return claim.model_copy(update={"visit": claim.visit.model_copy(update=changes)})


BROKEN = {
    "RENDERING_NPI_INVALID": lambda c: with_visit(c, rendering=Provider(npi="1234567890", name="X")),
    "BILLING_NPI_INVALID": lambda c: with_visit(c, billing=BILLING.model_copy(update={"npi": "1245319590"})),
    "BILLING_TAX_ID_MISSING": lambda c: with_visit(c, billing=BILLING.model_copy(update={"tax_id": None})),
    "CLAIM_OUT_OF_BALANCE": lambda c: c.model_copy(update={"total_charge": c.total_charge + Decimal("0.01")}),
    "DIAGNOSIS_POINTER_UNRESOLVED": lambda c: c.model_copy(update={"lines": (c.lines[0].model_copy(update={"diagnosis_pointers": (2,)}),)}),
    "TOO_MANY_DIAGNOSES": lambda c: c.model_copy(update={"diagnoses": ("I10",) * 13}),
    "DATE_OF_SERVICE_IN_FUTURE": lambda c: with_visit(c, date_of_service=date(2026, 12, 1)),
    "PAYER_CLAIM_NUMBER_MISSING": lambda c: c.model_copy(update={"frequency_code": FrequencyCode.REPLACEMENT}),
}


def test_a_clean_claim_passes_every_edit() -> None:
    assert scrub.scrub(a_clean_claim(), TODAY) == []


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_edit_catches_its_error_and_only_that(code) -> None:
    findings = scrub.scrub(BROKEN[code](a_clean_claim()), TODAY)
    assert [f.code for f in findings] == [code]
    assert scrub.blocks_submission(findings)


def test_every_edit_has_a_failing_case() -> None:
    caught = {f.code for edit_case in BROKEN.values() for f in scrub.scrub(edit_case(a_clean_claim()), TODAY)}
    assert len(scrub.EDITS) == len(caught)


def test_findings_never_quote_the_patient() -> None:
    claim = a_coded_encounter(a_registration_request(last_name="Zzprivacy"))
    content = open_claim(claim, claim_id="clm_" + "d" * 24, tenant_id="t1", today=TODAY).claim.content
    broken = with_visit(content, rendering=Provider(npi="1234567890", name="X"))
    assert all("Zzprivacy" not in f.message for f in scrub.scrub(broken, TODAY))
