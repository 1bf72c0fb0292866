"""The HL7 v2 feed over a real MLLP socket, against the real broker and mongod."""

from __future__ import annotations

import asyncio
import base64

from services.registration.app import build_runtime
from services.registration.settings import RegistrationSettings
from shared import topics
from shared.dead_letters import original_of
from shared.ids import encounter_id_for
from tests.integration.registration.mllp_client import END, START, MllpClient, msa
from tests.support.feed_tls import client_tls, mllp_tls_settings
from tests.support.kafka import eventually
from tests.unit.ehr.samples import FACILITIES, PID, TENANT, a04, a08, a11, dft, msh, with_encoding

DLQ = topics.dead_letter_topic("registration")


def feed_settings(settings, **more) -> RegistrationSettings:
    return RegistrationSettings(**dict(settings), registration_mllp_port=0,
                                registration_feed_facilities=FACILITIES, **mllp_tls_settings(), **more)


async def connect(runtime, sender: str = "TESTFAC") -> MllpClient:
    return await MllpClient.connect(runtime.mllp.port, tls=client_tls(sender))


async def test_an_a04_with_charges_is_acknowledged_after_it_is_stored_and_then_registered(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        client = await connect(runtime)
        ack = await client.send(a04(secondary=True))
        assert msa(ack) == ("AA", "C1")
        # Stored before the AA: the outbox already holds the request.
        assert await runtime.db["outbox"].count_documents({"topic": topics.REGISTRATION_REQUESTED.name}) + len(
            await kafka.read(topics.REGISTRATION_REQUESTED)) >= 1
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        await client.close()
    encounter = registered[0].payload
    assert encounter.encounter_id == encounter_id_for(TENANT, "V1") and registered[0].tenant_id == TENANT
    assert [s.procedure_code for s in encounter.services] == ["99213", "82947"]
    assert [c.payer_id for c in encounter.coverages] == ["SIMBLUE01", "SIMGREEN02"]


async def test_good_messages_on_a_connection_are_applied_around_bad_ones(settings, kafka, capfd) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        client = await connect(runtime)
        assert msa(await client.send(a04("G1", mrn="101", visit="V101")))[0] == "AA"
        # An A40 without its MRG segment is a malformed message: AE naming MRG-1.
        bad_field = await client.send("\r".join([msh("ADT^A40^ADT_A39", "B1"), PID.format(mrn="102")]))
        await client.send_raw(b"Zzgarbage without a start block" + END)  # broken framing
        no_start = await client.read_ack()
        unknown = await client.send(with_encoding(a04("B2", visit="V103").replace("|TESTFAC|", "|NOSUCH|")))
        assert msa(await client.send(with_encoding(a04("G2", mrn="104", visit="V104"))))[0] == "AA"
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 2)
        letters = await kafka.wait_for(DLQ, lambda m: len(m) >= 2)
        await client.close()
    assert msa(bad_field) == ("AE", "B1")
    assert str(bad_field.segment("ERR").extract_field(1, 2, 1, 1)) == "MRG"
    assert str(bad_field.segment("ERR").extract_field(1, 2, 1, 3)) == "1"
    assert str(no_start["MSA.F1"]) == "AR"
    assert str(unknown["MSA.F1"]) == "AR" and str(unknown).startswith("MSH#$%*@")
    assert {r.payload.visit.visit_number for r in registered} == {"V101", "V104"}
    assert {(l.payload.reason_code, l.payload.original_topic) for l in letters} == {
        ("REQUIRED_FIELD_MISSING", "hl7v2.mllp"), ("UNKNOWN_FACILITY", "hl7v2.mllp")}
    assert all("Zz" not in l.payload.reason and "1970" not in l.payload.reason for l in letters)
    kept = next(l for l in letters if l.payload.reason_code == "REQUIRED_FIELD_MISSING").payload
    assert kept.original_value_b64 is None and b"Zztest" not in base64.b64decode(kept.original_sealed)
    assert b"|B1|" in original_of(kept, runtime.cipher)
    logged = capfd.readouterr()
    assert "Zz" not in logged.out + logged.err and "MEMBER1" not in logged.out + logged.err


async def test_a_message_sent_again_is_acknowledged_again_and_applied_once(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        first = await connect(runtime)
        assert msa(await first.send(a04("D1", visit="V201")))[0] == "AA"
        await first.close()
        again = await connect(runtime)  # the EHR did not see the ACK and resends
        assert msa(await again.send(a04("D1", visit="V201"))) == ("AA", "D1")
        assert msa(await again.send(a04("D1", visit="V201"))) == ("AA", "D1")
        await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        await asyncio.sleep(1.0)
        requested = await kafka.read(topics.REGISTRATION_REQUESTED)
        await again.close()
    assert len(requested) == 1
    assert len(await kafka.read(topics.ENCOUNTER_REGISTERED)) == 1


async def test_an_a04_and_its_dft_become_one_registration_and_an_early_a08_wins(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        client = await connect(runtime)
        assert msa(await client.send(a08("U9", mrn="301", visit="V301", sent="20261101120000")))[0] == "AA"
        assert msa(await client.send(a04("A9", mrn="301", visit="V301", charges=False)))[0] == "AA"
        assert await kafka.read(topics.REGISTRATION_REQUESTED) == []  # no charges yet: nothing to bill
        assert msa(await client.send(dft("F9", mrn="301", visit="V301")))[0] == "AA"
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        await client.close()
    encounter = registered[0].payload
    assert [s.procedure_code for s in encounter.services] == ["20610"]
    assert encounter.patient.last_name == "Zzupdated" and encounter.coverages[0].payer_id == "SIMRED03"


async def test_a_cancelled_visit_is_never_registered(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        client = await connect(runtime)
        assert msa(await client.send(a04("K1", visit="V401", charges=False)))[0] == "AA"
        assert msa(await client.send(a11("K2", visit="V401")))[0] == "AA"
        assert msa(await client.send(dft("K3", visit="V401")))[0] == "AA"
        late = await client.send(a11("K5", visit="V402"))
        assert msa(await client.send(a04("K4", visit="V403")))[0] == "AA"
        await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        cancel_after = await client.send(a11("K6", visit="V403"))
        await client.close()
        status = await runtime.intake.draft(encounter_id_for(TENANT, "V401"))
    assert status[1] == "cancelled"
    assert msa(late)[0] == "AA"  # a cancel for a visit never seen is recorded
    assert msa(cancel_after)[0] == "AE"  # already registered: not undone silently
    assert [e.payload.visit.visit_number for e in await kafka.read(topics.ENCOUNTER_REGISTERED)] == ["V403"]


async def test_a_connection_that_ends_inside_a_frame_stores_nothing_and_the_listener_goes_on(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        broken = await connect(runtime)
        await broken.send_raw(START + a04("H1", visit="V501").encode()[:-40])  # no end block
        await broken.close()
        await asyncio.sleep(0.3)
        fresh = await connect(runtime)
        # Junk before the start block is dropped; the framed message after it is used.
        await fresh.send_raw(b"\r\n  " + START + a04("H2", visit="V502").encode() + END)
        assert msa(await fresh.read_ack()) == ("AA", "H2")
        await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        await fresh.close()
        assert await runtime.db["feed_messages"].count_documents({}) == 1
    assert [e.payload.visit.visit_number for e in await kafka.read(topics.ENCOUNTER_REGISTERED)] == ["V502"]


async def test_the_simulated_feed_sent_over_mllp_is_registered(settings, kafka, tmp_path) -> None:
    from datetime import UTC, date, datetime

    from simulator.feed import ErrorRates, registrations
    from simulator.hl7_feed import encode, facilities, send_over_mllp
    from simulator.population import build_world

    world = build_world(11, patients_per_practice=20)
    visits = registrations(world, 30, start=date(2026, 11, 2), error_rates=ErrorRates.none(), seed=11)
    messages = [encode(v.tenant_id, v.request, f"S{n}", datetime(2026, 11, 2, tzinfo=UTC)) for n, v in enumerate(visits)]
    from shared.tls import make_development_pki

    table = facilities(world)
    pki = make_development_pki(tmp_path, list(table))
    runtime = build_runtime(RegistrationSettings(
        **dict(settings), registration_mllp_port=0, registration_feed_facilities=table,
        registration_mllp_cert_file=pki.server_cert_file, registration_mllp_key_file=pki.server_key_file,
        registration_mllp_ca_file=pki.ca_file, registration_mllp_senders={key: [key] for key in table}))
    async with runtime.running():
        counts = await send_over_mllp("127.0.0.1", runtime.mllp.port, messages, connections=4,
                                      tls={key: pki.client_context(key) for key in table})
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 30)
    assert counts == {"AA": 30}
    assert {r.payload.encounter_id for r in registered} == {v.encounter_id for v in visits}


async def test_concurrent_connections_share_commits_and_a_held_visit_spoils_none_of_the_others(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))

    async def one_connection(n: int) -> list[str]:
        client = await connect(runtime)
        codes = []
        for m in range(5):
            text = a04(f"P{n}-{m}", mrn=f"6{n}{m}", visit=f"V6{n}-{m}")
            if m == 2:
                text = text.replace("99213^^CPT", "BAD^^CPT")
            codes.append(msa(await client.send(text))[0])
        await client.close()
        return codes

    async with runtime.running():
        answers = await asyncio.gather(*(one_connection(n) for n in range(8)))
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 32)
        stored = await runtime.db["visit_drafts"].count_documents({})
        held = await runtime.db["work_items"].find({"status": "open"}).to_list()
    assert answers == [["AA"] * 5] * 8  # a charge with a bad code is well-formed HL7: AA, and a work item
    assert len({r.payload.encounter_id for r in registered}) == 32 and stored == 40
    assert len(held) == 8 and {(w["code"], w["field"]) for w in held} == {("INVALID_FIELD", "FT1-25")}
