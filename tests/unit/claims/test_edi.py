"""Claims as X12: what keeps a claim from an 837P, the validated batch, and what a 999/277CA means."""

from __future__ import annotations

from datetime import datetime, timezone

from services.claims import edi
from shared.events import ClaimAcknowledgement, Relationship, Subscriber
from shared.x12 import InMemoryControlNumbers, Issue, Party, TradingPartners, ValidationReport, read, write_277ca, write_999
from simulator.partners import verdict_of
from tests.support.builders import a_submitted_claim

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
SUBMITTER = edi.Submitter837(sender_id="RCMTEST", receiver_id="SIMCLEARING", submitter_name="RCM TEST BILLING",
                             contact_name="EDI DESK", contact_phone="8005550100", receiver_name="TEST CLEARINGHOUSE")
CLEARINGHOUSE = TradingPartners(sender_id="SIMCLEARING", receiver_id="RCMTEST")


def with_billing(claim, **changes):
    billing = claim.visit.billing.model_copy(update=changes)
    return claim.model_copy(update={"visit": claim.visit.model_copy(update={"billing": billing})})


def as_dependent(claim, subscriber: Subscriber | None):
    coverage = claim.coverage.model_copy(update={"relationship": Relationship.CHILD, "subscriber": subscriber})
    return claim.model_copy(update={"coverage": coverage})


def file(*claims) -> edi.Filing:
    return edi.file_batch(claims, batch_id="bat_" + "a" * 24, submitter=SUBMITTER,
                          control_numbers=InMemoryControlNumbers(), created=NOW)


def test_a_complete_claim_has_no_encoding_finding() -> None:
    assert edi.encoding_findings(a_submitted_claim()) == []


def test_a_billing_provider_without_a_street_address_cannot_be_sent() -> None:
    findings = edi.encoding_findings(with_billing(a_submitted_claim(), address=None))
    assert [f.code for f in findings] == ["X12_UNENCODABLE"]
    assert "street address" in findings[0].message


def test_a_dependent_needs_the_subscriber_and_is_sent_with_one() -> None:
    claim = a_submitted_claim()
    assert [f.code for f in edi.encoding_findings(as_dependent(claim, None))] == ["X12_UNENCODABLE"]
    parent = Subscriber(first_name="Zzparent", last_name="Testpatient", sex="F")
    filing = file(as_dependent(claim, parent))
    sent = read(filing.batch.x12).claim_batches()[0].claims[0]
    assert sent.subscriber.person.first_name == "Zzparent"
    assert sent.patient is not None and sent.patient_relationship == "19"


def test_a_batch_is_one_valid_837p_whose_bht03_is_the_batch_id() -> None:
    claims = [a_submitted_claim(), a_submitted_claim()]
    filing = file(*claims)
    assert filing.held == {}
    document = read(filing.batch.x12)
    batch = document.claim_batches()[0]
    assert batch.reference == "bat_" + "a" * 24
    assert [c.claim_id for c in batch.claims] == [c.claim_id for c in claims]
    assert list(filing.batch.claims_by_set.values()) == [tuple(c.claim_id for c in claims)]
    assert filing.batch.group_control_number == document.interchanges[0].groups[0].control_number


def test_a_claim_whose_837p_does_not_validate_is_held_with_the_guides_finding() -> None:
    good = a_submitted_claim()
    # a five-digit billing ZIP code reads and encodes, but the 837P guide wants all nine digits
    address = good.visit.billing.address.model_copy(update={"postal_code": "00001"})
    bad = with_billing(a_submitted_claim(), address=address)
    filing = file(good, bad)
    assert filing.batch is None
    assert list(filing.held) == [bad.claim_id]
    assert filing.held[bad.claim_id][0].code == "X12_INVALID"
    assert "ZIP" in filing.held[bad.claim_id][0].message
    assert file(good).batch is not None


def test_a_277ca_answers_each_claim_of_its_batch() -> None:
    accepted, rejected = a_submitted_claim(), a_submitted_claim()
    filing = file(accepted, rejected)
    verdicts = {accepted.claim_id: verdict_of(ClaimAcknowledgement(claim_id=accepted.claim_id, accepted=True,
                                                                   payer_claim_number="PCN000000000001")),
                rejected.claim_id: verdict_of(ClaimAcknowledgement(claim_id=rejected.claim_id, accepted=False,
                                                                   status_codes=("A7_562_82",)))}
    answer = write_277ca(read(filing.batch.x12), source=Party("TEST CLEARINGHOUSE", "SIMCLEARING", "46"),
                         source_entity="AY", partners=CLEARINGHOUSE, control_numbers=InMemoryControlNumbers(),
                         created=NOW, verdicts=verdicts)
    pairs = edi.answers(read(answer), {})
    assert {batch_id for batch_id, _ in pairs} == {"bat_" + "a" * 24}
    by_claim = {ack.claim_id: ack for _, ack in pairs}
    assert by_claim[accepted.claim_id].accepted and by_claim[accepted.claim_id].payer_claim_number == "PCN000000000001"
    assert not by_claim[rejected.claim_id].accepted and by_claim[rejected.claim_id].status_codes == ("A7_562",)


def test_a_rejecting_999_rejects_every_claim_of_the_set_and_names_the_batch_by_our_gs06() -> None:
    claims = [a_submitted_claim(), a_submitted_claim()]
    filing = file(*claims)
    report = ValidationReport(errors=(Issue(position=5, segment="NM1", message="synthetic"),), warnings=())
    answer = read(write_999(read(filing.batch.x12), partners=CLEARINGHOUSE, control_numbers=InMemoryControlNumbers(),
                            created=NOW, report=report))
    sent = {filing.batch.group_control_number: edi.SentBatch("bat_" + "a" * 24, filing.batch.claims_by_set)}
    pairs = edi.answers(answer, sent)
    assert [(batch_id, ack.claim_id, ack.accepted) for batch_id, ack in pairs] == [
        ("bat_" + "a" * 24, c.claim_id, False) for c in claims]
    assert pairs[0][1].status_codes[0] == "X12_999_R"


def test_an_accepting_999_changes_no_claim_and_one_for_a_group_we_never_sent_is_refused() -> None:
    filing = file(a_submitted_claim())
    answer = read(write_999(read(filing.batch.x12), partners=CLEARINGHOUSE, control_numbers=InMemoryControlNumbers(),
                            created=NOW))
    sent = {filing.batch.group_control_number: edi.SentBatch("bat_" + "a" * 24, filing.batch.claims_by_set)}
    assert edi.answers(answer, sent) == []
    try:
        edi.answers(answer, {})
    except edi.UnknownGroup as refused:
        assert "group" in str(refused)
    else:
        raise AssertionError("a 999 for a group we never sent must be refused")


def test_control_numbers_compare_as_numbers() -> None:
    assert edi.control_number("0001") == edi.control_number("1") == "1"
    assert edi.control_number("000") == "0"
