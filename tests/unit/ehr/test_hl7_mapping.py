"""HL7 v2 messages map to feed messages; bad ones are refused naming the field, never the value."""

from __future__ import annotations

from datetime import date

import pytest

from services.registration.feed import FeedKind
from services.registration.hl7.mapping import MappingError, map_message, read_header, split_messages
from shared.events import CoverageOrder, Relationship, Sex
from tests.unit.ehr.samples import FACILITIES, PID, TENANT, a03, a04, a08, a11, dft, msh, with_encoding


def test_an_a04_with_charges_maps_patient_coverage_visit_services_and_diagnoses() -> None:
    mapped = map_message(a04(secondary=True), FACILITIES)
    message = mapped.message
    assert mapped.facility.tenant_id == TENANT
    assert message.kind is FeedKind.REGISTER and message.message_id == "C1" and message.visit_number == "V1"
    assert message.patient.mrn == "MRN001"  # the MR repetition of PID-3, not the SSN one
    assert message.patient.last_name == "Zztest&Fake"  # \T\ unescaped
    assert message.patient.birth_date == date(1970, 1, 1) and message.patient.sex is Sex.FEMALE
    primary, secondary = message.coverages
    assert (primary.payer_id, primary.member_id, primary.group_number, primary.order, primary.relationship) == (
        "SIMBLUE01", "MEMBER001", "GRP100", CoverageOrder.PRIMARY, Relationship.SELF)
    assert (secondary.order, secondary.relationship) == (CoverageOrder.SECONDARY, Relationship.SPOUSE)
    assert message.visit.date_of_service == date(2026, 11, 1) and message.visit.place_of_service == "11"
    assert message.visit.rendering.npi == "1234567893" and message.visit.billing.tax_id == "123456789"
    assert [(s.procedure_code, s.modifiers, s.units, s.diagnosis_pointers) for s in message.services] == [
        ("99213", ("25",), 1, (1, 2)), ("82947", (), 2, (2,))]
    assert [d.code for d in message.diagnoses] == ["I10", "E11.9"]
    assert [str(c.amount) for c in mapped.charges] == ["125.00", "30.00"]


def test_a_dft_carries_charges_with_repeated_modifiers() -> None:
    message = map_message(dft(), FACILITIES).message
    assert message.kind is FeedKind.CHARGES
    assert [(s.procedure_code, s.modifiers) for s in message.services] == [("20610", ("RT", "59"))]
    assert [d.code for d in message.diagnoses] == ["M25.561"]


@pytest.mark.parametrize(("text", "kind"), [(a08(), FeedKind.UPDATE), (a03(), FeedKind.DISCHARGE),
                                            (a11(), FeedKind.CANCEL)])
def test_update_discharge_and_cancel_are_recognised(text: str, kind: FeedKind) -> None:
    message = map_message(text, FACILITIES).message
    assert message.kind is kind and message.visit_number == "V1"


def test_non_default_encoding_characters_map_the_same() -> None:
    plain = map_message(a04(), FACILITIES).message
    other = map_message(with_encoding(a04()), FACILITIES).message
    assert other.services == plain.services and other.coverages == plain.coverages
    assert other.patient.mrn == plain.patient.mrn
    assert other.patient.last_name == "Zztest@Fake"  # \T\ means the sender's subcomponent separator
    assert read_header(with_encoding(a04())).encoding_characters == "$%*@"


def test_z_segments_and_unknown_segments_are_ignored_with_a_warning() -> None:
    message = map_message(a04(extra=("ZPV|1|custom^stuff", "OBX|1|TX|note")), FACILITIES).message
    assert message.warnings == ("segment ZPV ignored",)
    assert len(message.services) == 2


def test_lf_separated_segments_are_accepted() -> None:
    assert map_message(a04().replace("\r", "\n"), FACILITIES).message.visit_number == "V1"


def test_a_file_of_several_messages_is_split_at_each_msh() -> None:
    parts = split_messages(a04() + "\n" + dft().replace("\r", "\n") + "\r\n" + a03())
    assert [read_header(p).trigger for p in parts] == ["A04", "P03", "A03"]


@pytest.mark.parametrize(("text", "ack", "field"), [
    (a04().replace("ADT^A04^ADT_A01", "ORU^R01"), "AR", "MSH-9"),
    (a04().replace("|TESTFAC|RCM|RCM|", "|NOSUCH|RCM|RCM|"), "AR", "MSH-4"),
    (a04().replace("|C1|P|", "||P|"), "AR", "MSH-10"),
    ("PID|1||x", "AR", "MSH-1"),
    ("\r".join(line for line in a04().split("\r") if not line.startswith("PID")), "AE", "PID"),
])
def test_a_bad_message_is_refused_naming_the_field_and_not_the_value(text: str, ack: str, field: str) -> None:
    with pytest.raises(MappingError) as refused:
        map_message(text, FACILITIES)
    assert (refused.value.ack_code, refused.value.field) == (ack, field)
    assert "Zz" not in str(refused.value) and "MEMBER" not in str(refused.value)


def test_a_pid_3_with_only_a_non_mr_identifier_uses_it() -> None:
    text = a04().replace("MRN001^^^TESTFAC^MR~999-00-0000^^^SSA^SS", "LOCAL77^^^TESTFAC^PI")
    assert map_message(text, FACILITIES).message.patient.mrn == "LOCAL77"


def test_the_receiving_facility_can_pick_the_tenant() -> None:
    text = a04().replace(msh("ADT^A04^ADT_A01", "C1"), msh("ADT^A04^ADT_A01", "C1", facility="OTHERFAC", receiving="RCMB"))
    assert map_message(text, FACILITIES).facility.tenant_id == "other-clinic"


def test_the_sample_pid_is_synthetic() -> None:
    assert "Zz" in PID
