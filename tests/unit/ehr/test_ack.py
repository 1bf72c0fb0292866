"""ACKs: MSA with AA/AE/AR, ERR naming the field, in the sender's encoding characters."""

from __future__ import annotations

from datetime import UTC, datetime

import hl7

from services.registration.hl7.ack import ack
from services.registration.hl7.mapping import read_header
from tests.unit.ehr.samples import a04, with_encoding

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_an_aa_echoes_the_control_id_and_swaps_sender_and_receiver() -> None:
    parsed = hl7.parse(ack(read_header(a04()), "AA", NOW, "ACK1"))
    assert str(parsed["MSA.F1"]) == "AA" and str(parsed["MSA.F2"]) == "C1"
    assert str(parsed["MSH.F4"]) == "RCM" and str(parsed["MSH.F6"]) == "TESTFAC"
    assert str(parsed["MSH.F9.R1.C1"]) == "ACK" and str(parsed["MSH.F9.R1.C2"]) == "A04"
    assert not parsed.segments("MSA") == [] and [str(s[0]) for s in parsed] == ["MSH", "MSA"]


def test_an_ae_has_an_err_segment_naming_the_field() -> None:
    text = ack(read_header(a04()), "AE", NOW, "ACK2", error_field="PID-3", error_code="REQUIRED_FIELD_MISSING",
               error_text="PID-3 is required")
    parsed = hl7.parse(text)
    assert str(parsed["MSA.F1"]) == "AE"
    err = parsed.segment("ERR")
    assert str(err.extract_field(1, 2, 1, 1)) == "PID" and str(err.extract_field(1, 2, 1, 3)) == "3"
    assert str(err.extract_field(1, 3, 1, 2)) == "REQUIRED_FIELD_MISSING"


def test_the_ack_uses_the_senders_encoding_characters() -> None:
    header = read_header(with_encoding(a04()))
    text = ack(header, "AE", NOW, "ACK3", error_field="PV1-19", error_code="X", error_text="a|b^c")
    assert text.startswith("MSH#$%*@#")
    parsed = hl7.parse(text)
    assert str(parsed["MSA.F1"]) == "AE" and str(parsed["MSA.F2"]) == "C1"
    assert str(parsed.segment("ERR").extract_field(1, 8)) == "a|b^c"  # escaped, and read back intact


def test_an_unreadable_message_still_gets_an_ar() -> None:
    parsed = hl7.parse(ack(None, "AR", NOW, "ACK4", error_field="MSH", error_code="MLLP_FRAMING", error_text="x"))
    assert str(parsed["MSA.F1"]) == "AR"
