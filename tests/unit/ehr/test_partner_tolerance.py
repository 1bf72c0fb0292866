"""What real senders send: every ADT event, visits without PV1-19, and data billing cannot use
yet (work items instead of refusals). Pure rules, no servers."""

from __future__ import annotations

from datetime import date

import pytest

from services.registration.crosswalk import EMPTY, Crosswalk, CrosswalkEntry, issues_for, resolve_draft
from services.registration.feed import FeedKind, Outcome, VisitDraft, VisitStatus, apply
from services.registration.hl7.mapping import map_message
from tests.unit.ehr.samples import FACILITIES, PID, a03, a04, a08, a11, msh

TODAY = date(2026, 11, 2)


def issues(text: str, crosswalk: Crosswalk = EMPTY) -> set[tuple[str, str]]:
    message = map_message(text, FACILITIES).message
    return {(i.code, i.field) for i in issues_for(message, crosswalk, TODAY)}


def event(trigger: str, version: str = "2.5.1") -> str:
    return a04().replace("ADT^A04^ADT_A01", f"ADT^{trigger}").replace("|P|2.5.1", f"|P|{version}")


@pytest.mark.parametrize(("trigger", "kind"), [
    ("A01", FeedKind.REGISTER), ("A02", FeedKind.UPDATE), ("A03", FeedKind.DISCHARGE), ("A04", FeedKind.REGISTER),
    ("A05", FeedKind.REGISTER), ("A06", FeedKind.REGISTER), ("A07", FeedKind.REGISTER), ("A08", FeedKind.UPDATE),
    ("A11", FeedKind.CANCEL), ("A12", FeedKind.RECORD), ("A13", FeedKind.CANCEL_DISCHARGE),
    ("A28", FeedKind.UPDATE), ("A31", FeedKind.UPDATE), ("A09", FeedKind.RECORD),
])
@pytest.mark.parametrize("version", ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.8"])
def test_every_adt_event_of_every_version_maps_without_a_refusal(trigger: str, kind: FeedKind, version: str) -> None:
    mapped = map_message(event(trigger, version), FACILITIES)
    assert mapped.message.kind is kind
    assert mapped.message.visit_number == "V1"


def test_an_inpatient_admit_registers_a_visit_at_once() -> None:
    draft, outcome = apply(VisitDraft(visit_number="V1"), map_message(event("A01^ADT_A01"), FACILITIES).message)
    assert outcome is Outcome.REQUESTED and draft.visit.place_of_service == "11"


def test_a40_names_the_surviving_and_the_prior_patient() -> None:
    text = "\r".join([msh("ADT^A40^ADT_A39", "M1"), "EVN|A40|20261101100000", PID.format(mrn="002"),
                      "MRG|MRN001^^^TESTFAC^MR"])
    message = map_message(text, FACILITIES).message
    assert (message.kind, message.mrn, message.merged_mrn, message.visit_number) == (FeedKind.MERGE, "MRN002", "MRN001", None)


def test_a40_without_mrg_is_answered_ae_naming_mrg_1() -> None:
    from services.registration.hl7.mapping import MappingError

    with pytest.raises(MappingError) as refused:
        map_message("\r".join([msh("ADT^A40^ADT_A39", "M2"), PID.format(mrn="002")]), FACILITIES)
    assert (refused.value.ack_code, refused.value.field) == ("AE", "MRG-1")


def test_a_visit_without_pv1_19_takes_the_account_number_then_a_stable_id_of_the_message() -> None:
    no_visit = a04().replace("|V1|", "||")
    with_account = no_visit.replace("PID|1||MRN001", "PID|1||MRN001").replace(
        "|F|||1 Synthetic Way^^Testville^ZZ^00000", "|F|||1 Synthetic Way^^Testville^ZZ^00000|||||||ACCT77")
    assert map_message(with_account, FACILITIES).message.visit_number == "ACCT77"
    first = map_message(no_visit, FACILITIES).message
    again = map_message(no_visit, FACILITIES).message
    other = map_message(no_visit.replace("|C1|P|", "|C2|P|"), FACILITIES).message
    assert first.visit_number == again.visit_number != other.visit_number
    assert first.visit_number.startswith("MSG-") and "no PV1-19: visit number taken from MSH-10" in first.warnings
    assert issues(no_visit) == set()  # a derived visit number is enough to bill


@pytest.mark.parametrize(("text", "expected"), [
    (a04().replace("MRN001^^^TESTFAC^MR~", ""), {("REQUIRED_FIELD_MISSING", "PID-3")}),  # only an SSN
    (a04().replace("|19700101|", "|1970AB01|"), {("INVALID_FIELD", "PID-7")}),
    (a04().replace("Testville^ZZ^00000", "Testville^Ontario^K1A 0B1"), {("ADDRESS_NOT_USPS", "PID-11")}),
    (a04().replace("Testville^ZZ^00000", "Toronto^ON^M5V 2T6^CAN"), {("ADDRESS_NOT_US", "PID-11")}),
    (a04().replace("1234567893^", "12345^"), {("INVALID_FIELD", "PV1-7")}),
    (a04(charges=False).replace("|20261101090000", "|"), {("REQUIRED_FIELD_MISSING", "PV1-44")}),
    (a04().replace("99213^^CPT", "9921^^CPT"), {("INVALID_FIELD", "FT1-25")}),
    (a04().replace("|125.00|", "|12x.00|"), {("INVALID_FIELD", "FT1-11")}),
    (a04().replace("|125.00|", "|1e999999|"), {("INVALID_FIELD", "FT1-11")}),
    (a04().replace("|125.00|", "|Infinity|"), {("INVALID_FIELD", "FT1-11")}),
    (a04().replace("|125.00|", "|NaN|"), {("INVALID_FIELD", "FT1-11")}),
    (a04().replace("|125.00|", "|" + "9" * 5000 + "|"), {("INVALID_FIELD", "FT1-11")}),
    (a04().replace("I10~E11.9", "I10~Z99.9"), {("DIAGNOSIS_NOT_SENT", "FT1-19")}),
    (a04().replace("|MEMBER001", "|"), {("REQUIRED_FIELD_MISSING", "IN1-36")}),
    (a04().replace("SIMBLUE01", ""), {("PAYER_UNMAPPED", "coverage.primary.payer")}),  # only IN1-4's name
    (a04().replace("|SIMBLUE01|Synthetic Blue Plan|", "|BCBS-IL 00621|Blue Cross of Illinois|"),
     {("PAYER_UNMAPPED", "coverage.primary.payer")}),  # the insurer's own company code
    ("\r".join(line for line in a04().split("\r") if not line.startswith("IN1")), set()),  # waits, no defect
])
def test_data_billing_cannot_use_becomes_a_work_item_naming_the_field(text: str, expected: set) -> None:
    mapped = map_message(text, FACILITIES)  # no MappingError: the feed answers AA
    assert issues(text) == expected
    assert all("Zz" not in i.reason and "MEMBER" not in i.reason for i in mapped.message.issues)


def test_a_dft_without_ft1_opens_a_work_item() -> None:
    from tests.unit.ehr.samples import dft

    assert issues(dft().replace("FT1|", "ZT1|")) == {("SEGMENT_MISSING", "FT1")}


def test_a_bad_address_holds_the_visit_until_an_a08_brings_a_good_one() -> None:
    bad = a04().replace("Testville^ZZ^00000", "Testville^Ontario^K1A 0B1")
    draft, outcome = apply(VisitDraft(visit_number="V1"), map_message(bad, FACILITIES).message)
    assert outcome is Outcome.APPLIED and [i.code for i in draft.issues] == ["ADDRESS_NOT_USPS"]
    draft, outcome = apply(draft, map_message(a08(sent="20261101120000"), FACILITIES).message)
    assert outcome is Outcome.REQUESTED and draft.issues == () and draft.patient.address.state == "ZZ"


def test_an_older_a08_does_not_reopen_an_issue_the_newer_a04_fixed() -> None:
    bad = a08(sent="20261101080000").replace("Testville^ZZ^00000", "Testville^Ontario^K1A 0B1")
    draft, _ = apply(VisitDraft(visit_number="V1"), map_message(a04(charges=False), FACILITIES).message)
    draft, _ = apply(draft, map_message(bad, FACILITIES).message)
    assert draft.issues == ()


ILLINOIS = CrosswalkEntry("code", "BCBS-IL 00621", "BCBSIL", "Blue Cross Blue Shield of Illinois", date(2026, 1, 1))


def test_the_crosswalk_maps_the_insurers_own_code_and_releases_the_visit() -> None:
    text = a04().replace("|SIMBLUE01|Synthetic Blue Plan|", "|bcbs-il  00621|Blue Cross of Illinois|")
    message = map_message(text, FACILITIES).message
    held, outcome = apply(VisitDraft(visit_number="V1"), message, lambda d: resolve_draft(d, EMPTY, TODAY))
    assert outcome is Outcome.APPLIED and [i.code for i in held.issues] == ["PAYER_UNMAPPED"]
    released = resolve_draft(held, Crosswalk([ILLINOIS]), TODAY)
    assert released.issues == () and released.missing == ()
    assert (released.coverages[0].payer_id, released.coverages[0].payer_name) == ("BCBSIL", ILLINOIS.payer_name)


def test_a_crosswalk_row_applies_only_on_its_effective_dates() -> None:
    ended = CrosswalkEntry("name", "BLUE CROSS OF ILLINOIS", "BCBSIL", "BCBS IL", date(2025, 1, 1), date(2026, 10, 31))
    text = a04().replace("|SIMBLUE01|Synthetic Blue Plan|", "|X 1|Blue Cross of Illinois|")  # visit on 2026-11-01
    assert issues(text, Crosswalk([ended])) == {("PAYER_UNMAPPED", "coverage.primary.payer")}
    current = CrosswalkEntry("name", "BLUE CROSS OF ILLINOIS", "BCBSIL", "BCBS IL", date(2026, 11, 1))
    assert issues(text, Crosswalk([ended, current])) == set()


def test_a_tenant_with_a_crosswalk_only_takes_payer_ids_it_names() -> None:
    assert issues(a04()) == set()  # no crosswalk: IN1-3 SIMBLUE01 is taken as our payer id
    assert issues(a04(), Crosswalk([ILLINOIS])) == {("PAYER_UNMAPPED", "coverage.primary.payer")}
    assert issues(a04(), Crosswalk([ILLINOIS, CrosswalkEntry("code", "OTHER", "SIMBLUE01", "Blue", date(2026, 1, 1))])) == set()


def test_cancel_then_a_newer_register_reopens_the_visit() -> None:
    draft, _ = apply(VisitDraft(visit_number="V1"), map_message(a04(charges=False), FACILITIES).message)
    draft, _ = apply(draft, map_message(a11(), FACILITIES).message)
    assert draft.status is VisitStatus.CANCELLED
    older = apply(draft, map_message(a04("C0", sent="20261101090000"), FACILITIES).message)
    assert older[1] is Outcome.IGNORED_CANCELLED
    draft, outcome = apply(draft, map_message(a04("C9", sent="20261101130000"), FACILITIES).message)
    assert outcome is Outcome.REQUESTED and draft.status is VisitStatus.REQUESTED


def test_a13_cancels_the_discharge() -> None:
    a13 = a03("Y1").replace("ADT^A03^ADT_A03", "ADT^A13^ADT_A01")
    draft, _ = apply(VisitDraft(visit_number="V1"), map_message(a04(charges=False), FACILITIES).message)
    draft, _ = apply(draft, map_message(a03(), FACILITIES).message)
    assert draft.discharged
    draft, _ = apply(draft, map_message(a13, FACILITIES).message)
    assert not draft.discharged and draft.status is VisitStatus.OPEN


def test_an_early_a08_with_an_insurer_code_keeps_it_for_the_crosswalk() -> None:
    from datetime import UTC, datetime

    from services.registration.decide import decide

    code = ("|SIMRED03|", "|BCBS-IL 00621|")
    early = map_message(a08(sent="20261101120000").replace(*code), FACILITIES).message
    late_a04 = map_message(a04(), FACILITIES).message
    records, drafts = {}, {}
    now = datetime(2026, 11, 2, tzinfo=UTC)
    _, (patient, _, _) = decide("t", early, now, records, drafts)
    records[patient[0]] = patient[1]
    resolve = lambda d: resolve_draft(d, Crosswalk([ILLINOIS]), TODAY)  # noqa: E731
    result, (_, (_, draft), row) = decide("t", late_a04, now, records, drafts, resolve=resolve)
    assert result.outcome == "requested" and draft.coverages[0].payer_id == "BCBSIL" and row is not None
