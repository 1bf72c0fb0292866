"""Generated hostile input at every entry point, at the parsing and mapping level (the real
listeners take a smaller number in tests/integration/registration/test_hostile_*.py): at least
1,000 inputs per entry point, each answered with a refusal that has a reason (or accepted), never
another exception, within a bound per input, and with bounded memory."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

import hl7
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.registration.fhir import api
from services.registration.fhir.bounded_json import UnreadableJson, loads
from services.registration.fhir.mapping import FhirMappingError, map_resource
from services.registration.hl7.ack import ack
from services.registration.hl7.listener import DEVELOPMENT_SENDER, Hl7Endpoint, _Refused, decode
from services.registration.hl7.mapping import MappingError
from shared import topics
from shared.clock import SystemClock
from shared.consumer import Consumer, Record
from shared.envelope import encode
from tests.support import builders
from tests.unit.ehr.samples import FACILITIES, a04
from tests.unit.hostile.strategies import fhir_documents, hl7_messages, raw_topic_values

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
# Per input: mapping a sample-sized message takes about a millisecond and a blocked loop took 35 s;
# the bound is far from both, so a machine shared with other work does not trip it.
BOUND = settings(max_examples=1000, deadline=10_000, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])

ENDPOINT = Hl7Endpoint(None, lambda: FACILITIES, SystemClock())  # type: ignore[arg-type]


def _hl7_answer(text: str) -> str:
    """What the listener answers for `text`, without storing: AA (mapped), or AE/AR with a reason."""
    try:
        mapped = ENDPOINT._map(text, DEVELOPMENT_SENDER)
    except MappingError as unreadable:
        assert unreadable.code and str(unreadable)
        return ack(None, unreadable.ack_code, NOW, "A1", error_field=unreadable.field, error_code=unreadable.code,
                   error_text=str(unreadable))
    except _Refused as refused:
        assert refused.error.code != "UNPROCESSABLE", "the mapping raised something other than MappingError"
        return ack(refused.header, refused.error.ack_code, NOW, "A1", error_field=refused.error.field,
                   error_code=refused.error.code, error_text=str(refused.error))
    return ack(mapped.header, "AA", NOW, "A1")


@BOUND
@given(hl7_messages())
def test_generated_hl7_messages_get_an_ack_with_a_reason(text: str) -> None:
    answer = hl7.parse(_hl7_answer(decode(text.encode("utf-8", errors="surrogatepass"))))
    code = str(answer["MSA.F1"])
    assert code in ("AA", "AE", "AR")
    if code != "AA":
        assert str(answer.segment("ERR")) and str(answer["MSA.F3"])


@BOUND
@given(st.binary(max_size=400))
def test_arbitrary_bytes_framed_as_hl7_get_an_ack(body: bytes) -> None:
    assert str(hl7.parse(_hl7_answer(decode(b"MSH|^~\\&|" + body)))["MSA.F1"]) in ("AA", "AE", "AR")


def _fhir_answer(body: bytes) -> int:
    """The status the endpoint answers for `body` (before storing): 200, or 4xx with a reason."""
    try:
        document = loads(body, max_depth=64)
    except UnreadableJson as unreadable:
        assert str(unreadable)
        return 400
    if not isinstance(document, dict):
        with pytest.raises(FhirMappingError):
            map_resource(document, FACILITIES["TESTFAC"].billing)
        return 400
    try:
        map_resource(document, FACILITIES["TESTFAC"].billing)  # without the endpoint's safety net
    except FhirMappingError as refused:
        assert refused.status in (400, 422) and str(refused) and refused.location
        return refused.status
    return 200


@BOUND
@given(fhir_documents())
def test_generated_fhir_bodies_are_answered_200_or_4xx_with_a_reason(body: bytes) -> None:
    assert _fhir_answer(body) in (200, 400, 422)


def _good_events() -> dict:
    coded = builders.a_coded_event()
    claim = builders.a_submitted_claim()
    denied = builders.a_claim_denied()
    return {
        "registration": (topics.REGISTRATION_REQUESTED, builders.a_registration_event()),
        "coding": (topics.ENCOUNTER_REGISTERED, builders.a_registered_event()),
        "claims": (topics.ENCOUNTER_CODED, coded),
        "payments": (topics.CLAIM_BATCH_SUBMITTED, builders.a_batch_submitted_event(claim)),
        "denials": (topics.CLAIM_DENIED, builders.an_event(topics.CLAIM_DENIED, denied, correlation_id=denied.claim_id)),
    }


GOOD = _good_events()


@pytest.mark.parametrize("service", sorted(GOOD))
def test_generated_raw_records_on_each_service_input_topic_are_decoded_or_parked_with_a_reason(service: str) -> None:
    topic, event = GOOD[service]
    good = encode(event)

    @BOUND
    @given(raw_topic_values(good))
    def one(value: bytes) -> None:
        records = [Record(topic.name, 0, 1, b"k", good), Record(topic.name, 0, 2, b"k", value),
                   Record(topic.name, 0, 3, b"k", good)]
        events, unreadable = Consumer._decode(None, topic, records)  # type: ignore[arg-type]
        assert [r.offset for r, _ in events if r.offset != 2] == [1, 3]  # the good ones around it decode
        for record, code, reason in unreadable:
            assert record.offset == 2 and code in ("UNREADABLE", "INVALID_EVENT") and reason
            assert len(reason) <= 500

    one()


def test_mapping_memory_is_bounded_by_the_frame_size() -> None:
    """The largest frame the listener takes (1 MiB) maps within a small multiple of its size."""
    big = "\r".join([a04(), "OBX|1|TX|NOTE||" + "Zz note " * 125_000])
    tracemalloc.start()
    try:
        _hl7_answer(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * len(big)


def test_a_validation_error_never_escapes_the_fhir_safety_net() -> None:
    with pytest.raises(FhirMappingError):
        api._map({"resourceType": "Patient", "meta": []}, FACILITIES["TESTFAC"].billing)
