"""Hostile input against the real MLLP listener (mutual TLS), the real broker and mongod: every
refusal is an ACK, the connection and the good messages around it go on, nothing is stored for
what was refused, and no sender writes for a facility its certificate does not cover."""

from __future__ import annotations

import asyncio
import base64
import ssl

from services.registration.app import build_runtime
from services.registration.settings import RegistrationSettings
from shared import topics
from shared.dead_letters import original_of
from shared.ids import encounter_id_for, patient_id_for
from tests.integration.registration.mllp_client import END, START, MllpClient, msa
from tests.support.feed_tls import client_tls, mllp_tls_settings, pki
from tests.unit.ehr.samples import FACILITIES, TENANT, a04, a08

DLQ = topics.dead_letter_topic("registration")
ANSWER_SECONDS = 10.0  # far above a normal answer; a blocked event loop (tens of seconds) misses it


def feed_settings(settings, **more) -> RegistrationSettings:
    return RegistrationSettings(**dict(settings), registration_mllp_port=0, registration_feed_facilities=FACILITIES,
                                **mllp_tls_settings(), **more)


async def connect(runtime, sender: str = "TESTFAC") -> MllpClient:
    return await MllpClient.connect(runtime.mllp.port, tls=client_tls(sender))


def err_code(ack) -> str:
    return str(ack.segment("ERR").extract_field(1, 3, 1, 2))


async def closed_by_listener(client: MllpClient) -> bool:
    """True when the listener closed the connection (EOF or reset) within the answer bound."""
    try:
        return await asyncio.wait_for(client.reader.read(), ANSWER_SECONDS) == b""
    except (ConnectionError, ssl.SSLError):
        return True


async def test_a_certificate_writes_only_for_the_facilities_it_covers_and_every_write_is_audited(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        other = await connect(runtime, "OTHERFAC")  # a real partner, but MSH-4 names another tenant's facility
        spoofed = await other.send(a08("S1", mrn="777", last_name="Zzspoofed"))
        await other.close()
        intruder = await connect(runtime, "INTRUDER")  # signed by the CA, covers no facility
        stranger = await intruder.send(a04("S2", mrn="778", visit="VS2"))
        await intruder.close()
        anonymous = await MllpClient.connect(runtime.mllp.port, tls=_no_certificate())
        try:
            unauthenticated = msa(await anonymous.send(a04("S3", mrn="779", visit="VS3"), timeout=ANSWER_SECONDS))[0]
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError):
            unauthenticated = None
        own = await connect(runtime, "TESTFAC")
        accepted = await own.send(a04("S4", mrn="780", visit="VS4"))
        await own.close()
        await kafka.wait_for(DLQ, lambda m: len(m) >= 2)
        patients = await runtime.db["patients"].distinct("_id")
        audit = await runtime.db["feed_audit"].find({}, {"_id": 0}).to_list()
    assert msa(spoofed) == ("AR", "S1") and err_code(spoofed) == "FACILITY_NOT_AUTHORIZED"
    assert msa(stranger) == ("AR", "S2") and err_code(stranger) == "FACILITY_NOT_AUTHORIZED"
    assert unauthenticated is None  # no client certificate: no conversation at all
    assert msa(accepted) == ("AA", "S4")
    assert patients == [patient_id_for(TENANT, "MRN780")]
    by_sender = {(a["sender"]["identity"], a["outcome"]) for a in audit}
    assert by_sender == {("OTHERFAC", "FACILITY_NOT_AUTHORIZED"), ("INTRUDER", "FACILITY_NOT_AUTHORIZED"),
                         ("TESTFAC", "requested")}
    assert all(a["sender"]["peer"].startswith("127.0.0.1:") and a["sender"]["origin"] == "hl7v2.mllp" for a in audit)
    assert not any("MRN780" in str(a) or "Zz" in str(a) for a in audit)


def _no_certificate() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=pki().ca_file)
    return context


async def test_numbers_a_stranger_sends_are_answered_at_once_and_the_connection_goes_on(settings, kafka) -> None:
    """Each number is parsed in bounded work and refused by name; the message is well-formed HL7, so
    it is answered AA and its visit is held by a work item naming the field, never billed."""
    first_charge = "|1|125.00|"
    hostile = {
        "N1": a04("N1", visit="VN1").replace(first_charge, "|1e999999|125.00|"),  # FT1-10
        "N2": a04("N2", visit="VN2").replace(first_charge, "|Infinity|125.00|"),
        "N3": a04("N3", visit="VN3").replace(first_charge, "|1|NaN|"),  # FT1-11
        "N4": a04("N4", visit="VN4").replace("\rIN1|1|", "\rIN1|\u0663|"),  # IN1-1, an Arabic-Indic three
        "N5": a04("N5", visit="VN5").replace("\rIN1|1|", "\rIN1|" + "1" * 5000 + "|"),
        "N6": a04("N6", visit="VN6").replace(first_charge, "|" + "9" * 5000 + "|125.00|"),
        "N7": a04("N7", visit="VN7").replace(first_charge, "|1|1e999999|"),
    }
    expected = {"N1": "FT1-10", "N2": "FT1-10", "N3": "FT1-11", "N4": "IN1-1", "N5": "IN1-1", "N6": "FT1-10",
                "N7": "FT1-11"}
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        client = await connect(runtime)
        answers = {control: await client.send(text, timeout=ANSWER_SECONDS) for control, text in hostile.items()}
        good = await client.send(a04("N8", mrn="881", visit="VN8"), timeout=ANSWER_SECONDS)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        await client.close()
        requested = await runtime.db["visit_drafts"].distinct("_id", {"status": "requested"})
        held = await runtime.db["work_items"].find({"status": "open"}).to_list()
        letters = await kafka.read(DLQ)
    assert {control: msa(ack) for control, ack in answers.items()} == {c: ("AA", c) for c in hostile}
    assert msa(good) == ("AA", "N8")
    assert [r.payload.encounter_id for r in registered] == [encounter_id_for(TENANT, "VN8")]
    assert requested == [encounter_id_for(TENANT, "VN8")]  # nothing billed from the held visits
    by_visit = {}
    for item in held:
        by_visit.setdefault(item["subject_id"], set()).add((item["code"], item["field"]))
    for control, field in expected.items():
        assert ("INVALID_FIELD", field) in by_visit[encounter_id_for(TENANT, "V" + control)]
    assert letters == []  # a well-formed message is no dead letter


async def test_connections_are_limited_in_number_idle_time_frame_time_and_frame_size(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(
        settings, registration_mllp_max_connections=3, registration_mllp_idle_seconds=1.0,
        registration_mllp_read_seconds=1.0, registration_mllp_message_seconds=2.0,
        registration_mllp_max_frame_bytes=64 * 1024))
    async with runtime.running():
        held = [await connect(runtime) for _ in range(3)]
        await asyncio.sleep(0.2)
        extra = await connect(runtime)
        too_many = await extra.read_ack(ANSWER_SECONDS)
        idle_closed = [await closed_by_listener(c) for c in held]  # the idle time is 1 s
        slow = await connect(runtime)
        await slow.send_raw(START + a04("L1", visit="VL1").encode()[:100])  # a frame that never ends
        timed_out = await slow.read_ack(ANSWER_SECONDS)
        slow_closed = await closed_by_listener(slow)
        large = await connect(runtime)
        oversized = await large.send("MSH|^~\\&|X|TESTFAC|RCM|RCM|20261101||ADT^A08|L2|P|2.5.1\r" + "Z" * 200_000,
                                     timeout=ANSWER_SECONDS)
        after = await large.send(a04("L3", mrn="883", visit="VL3"), timeout=ANSWER_SECONDS)
        await large.close()
        stored = await runtime.db["feed_messages"].count_documents({})
    assert str(too_many["MSA.F1"]) == "AR" and err_code(too_many) == "TOO_MANY_CONNECTIONS"
    assert idle_closed == [True, True, True]
    assert str(timed_out["MSA.F1"]) == "AR" and err_code(timed_out) == "MESSAGE_TIMEOUT" and slow_closed
    assert str(oversized["MSA.F1"]) == "AR" and err_code(oversized) == "FRAME_TOO_LARGE"
    assert msa(after) == ("AA", "L3")  # the connection went on after the oversized frame
    assert stored == 1


async def test_large_messages_never_make_a_letter_or_an_event_the_broker_would_refuse(settings, kafka) -> None:
    note = "OBX|1|TX|NOTE||" + "Zznote text " * 72_000  # about 860 KB of clinical note: PHI
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        client = await connect(runtime)
        accepted_large = await client.send(a04("B1", mrn="884", visit="VB1", extra=(note,)), timeout=ANSWER_SECONDS)
        # An unreadable MSH-7 is still refused (AE): a bad PID-7 would be a work item, answered AA.
        refused_large = await client.send(a04("B2", mrn="885", visit="VB2", sent="19xx0101", extra=(note,)),
                                          timeout=ANSWER_SECONDS)
        good = await client.send(a04("B3", mrn="886", visit="VB3"), timeout=ANSWER_SECONDS)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        letters = await kafka.wait_for(DLQ, lambda m: len(m) >= 2)
        raw = await kafka.read(DLQ, raw=True)
        await client.close()
    assert msa(accepted_large) == ("AE", "B1") and err_code(accepted_large) == "MESSAGE_TOO_LARGE"
    assert msa(refused_large) == ("AE", "B2") and err_code(refused_large) == "INVALID_FIELD"
    assert msa(good) == ("AA", "B3")
    assert [r.payload.encounter_id for r in registered] == [encounter_id_for(TENANT, "VB3")]
    for letter in (l.payload for l in letters):
        assert letter.original_value_b64 is None and not letter.original_complete
        assert 800_000 < letter.original_size and len(letter.original_sealed) < 400_000
        assert b"Zznote" not in base64.b64decode(letter.original_sealed)
        assert original_of(letter, runtime.cipher).startswith(b"MSH|")
    assert all(len(record) < 512 * 1024 and b"Zznote" not in record for record in raw)
