"""Money, ids, NPI, envelopes, PHI sealing and log redaction."""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import structlog
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared import logging as rcm_logging
from shared import topics
from shared.codes.npi import is_valid_npi, npi_check_digit
from shared.envelope import decode, encode, new_event
from shared.events import ChargeLine
from shared.ids import encounter_id_for, new_id, patient_id_for
from shared.money import from_cents, to_cents, total
from shared.phi import PhiCipher
from shared.settings import DEV_PHI_KEY, ServiceSettings
from tests.support.builders import a_patient, a_registration_event

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_cents_round_trip_exactly(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents


def test_fractions_of_a_cent_are_refused_not_rounded() -> None:
    with pytest.raises(ValueError):
        to_cents(Decimal("1.005"))
    with pytest.raises(ValidationError):
        ChargeLine(line_number=1, line_item_control_number="L1", procedure_code="99213", units=1,
                   charge=Decimal("10.005"), diagnosis_pointers=(1,))


def test_a_sum_of_nothing_is_zero_to_the_cent() -> None:
    assert str(total([])) == "0.00"


def test_the_cms_example_npi_is_valid_and_a_changed_digit_is_not() -> None:
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")
    assert npi_check_digit("123456789") == "3"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: s[0] in "12"))
def test_every_generated_npi_validates(body: str) -> None:
    assert is_valid_npi(body + npi_check_digit(body))


def test_encounter_ids_are_stable_per_tenant_and_visit_and_reveal_nothing() -> None:
    assert encounter_id_for("t1", "V1") == encounter_id_for("t1", "V1")
    assert encounter_id_for("t1", "V1") != encounter_id_for("t2", "V1")
    assert "MRN-9" not in patient_id_for("t1", "MRN-9")
    assert new_id("clm") != new_id("clm")


def test_an_envelope_round_trips_through_bytes() -> None:
    event = a_registration_event()
    again = decode(topics.REGISTRATION_REQUESTED, encode(event))
    assert again == event


def test_an_event_inherits_tenant_and_correlation_from_its_cause() -> None:
    cause = a_registration_event()
    from tests.support.builders import a_coded_encounter
    effect = new_event(topics.ENCOUNTER_CODED, a_coded_encounter(), producer="coding", now=NOW, cause=cause)
    assert (effect.tenant_id, effect.correlation_id, effect.causation_id) == (cause.tenant_id, cause.correlation_id, cause.event_id)
    assert effect.event_type == "encounter.coded"


def test_unknown_fields_are_refused() -> None:
    value = json.loads(encode(a_registration_event()))
    value["payload"]["favourite_colour"] = "blue"
    with pytest.raises(ValidationError):
        decode(topics.REGISTRATION_REQUESTED, json.dumps(value).encode())


def test_every_topic_name_is_unique_and_versioned() -> None:
    names = [t.name for t in topics.ALL]
    assert len(names) == len(set(names))
    assert all(n.startswith("rcm.") and n.rsplit(".", 1)[1].startswith("v") for n in names)


def test_sealed_phi_opens_only_with_the_same_key() -> None:
    patient = a_patient(last_name="Zzsealed")
    sealed = PhiCipher(DEV_PHI_KEY).seal(patient)
    assert b"Zzsealed" not in sealed
    assert PhiCipher(DEV_PHI_KEY).open(sealed, type(patient)) == patient
    other = "A" * 43 + "="
    with pytest.raises(InvalidTag):
        PhiCipher(other).open(sealed, type(patient))


def test_production_refuses_the_development_phi_key() -> None:
    with pytest.raises(RuntimeError):
        ServiceSettings(environment="production").assert_production_ready()


def test_log_lines_replace_phi_fields_and_keep_ids() -> None:
    buffer = io.StringIO()
    rcm_logging.configure("tests")
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(buffer))
    rcm_logging.get_logger("t").warning("oops", claim_id="clm_1", last_name="Zzlogged", member_id="SIMX")
    line = json.loads(buffer.getvalue().strip().splitlines()[-1])
    assert line["claim_id"] == "clm_1"
    assert line["last_name"] == "[phi]" and line["member_id"] == "[phi]"


def test_sealed_values_name_their_key_and_an_old_key_still_opens_them_after_a_rotation() -> None:
    from shared.phi import PhiCipher
    from tests.support.builders import a_patient

    old_key, new_key = base64.b64encode(b"o" * 32).decode(), base64.b64encode(b"n" * 32).decode()
    before = PhiCipher(old_key, key_id="k1")
    after = PhiCipher(new_key, key_id="2027-01", old_keys={"k1": old_key})
    patient = a_patient()
    sealed_before, sealed_after = before.seal(patient), after.seal(patient)
    assert before.key_of(sealed_before) == "k1" and after.key_of(sealed_after) == "2027-01"
    assert after.open(sealed_before, type(patient)) == patient == after.open(sealed_after, type(patient))
    legacy = sealed_before[2 + len(b"k1"):]  # nonce + ciphertext: sealed before key ids existed
    assert after.open(legacy, type(patient)) == patient
    with pytest.raises(InvalidTag):
        before.open(sealed_after, type(patient))
    # A keyed hash is looked up under every key: a message seen before the rotation is still known.
    assert before.fingerprint("TESTFAC|C1") in after.fingerprints("TESTFAC|C1")
    assert "C1" not in after.fingerprint("TESTFAC|C1")


def test_a_dead_letter_keeps_a_bounded_sealed_copy() -> None:
    from shared.dead_letters import MAX_COPY_BYTES, original_of, sealed_copy
    from shared.events import DeadLetter
    from shared.phi import PhiCipher
    from shared.settings import DEV_PHI_KEY

    cipher = PhiCipher(DEV_PHI_KEY)
    original = b"PID|1||MRN1||Zzsecret^Zzname" * 40_000
    letter = DeadLetter(service="registration", original_topic="hl7v2.mllp", partition=-1, offset=-1,
                        original_key=None, reason_code="INVALID_FIELD", reason="PID-7: not valid",
                        dead_lettered_at=datetime(2026, 11, 1, tzinfo=timezone.utc), **sealed_copy(cipher, original))
    assert b"Zzsecret" not in letter.model_dump_json().encode() and letter.original_value_b64 is None
    assert letter.original_size == len(original) and not letter.original_complete
    assert original_of(letter, cipher) == original[:MAX_COPY_BYTES]
