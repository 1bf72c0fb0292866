"""Work items on the real stack: a well-formed message that billing cannot use yet is answered AA
and held with its reason; a later message or a crosswalk load releases it and the visit goes on."""

from __future__ import annotations

import asyncio
import json
from unittest.mock import patch

from typer.testing import CliRunner

from cli import registration as registration_cli
from cli.main import app
from services.registration.app import build_runtime
from services.registration.work_items import WORK_ITEMS
from shared import topics
from shared.auth import Role
from shared.ids import encounter_id_for, patient_id_for
from tests.integration.registration.mllp_client import msa
from tests.integration.registration.test_hl7_feed import connect, feed_settings
from tests.integration.registration.test_work_api import api_client, api_settings
from tests.support.identity import auth_headers
from tests.unit.ehr.samples import PID, TENANT, a04, a08, dft, msh

NON_US = "Toronto^ON^M5V 2T6^CAN"


SUPERVISOR = auth_headers("sup-cli", [Role.SUPERVISOR], [TENANT])


def cli(make_client, *args: str):
    """An `rcm` command against the service's API (`api_client`), never its database."""
    with patch.object(registration_cli, "make_client", make_client):
        return CliRunner().invoke(app, list(args))


def opened(code: str) -> float:
    return WORK_ITEMS.labels(code, "opened")._value.get()


async def test_held_visits_are_answered_aa_listed_and_released_by_a_later_message_and_a_crosswalk_load(
        settings, kafka, tmp_path) -> None:
    before = opened("PAYER_UNMAPPED")
    runtime = build_runtime(api_settings(settings, tmp_path))
    api = api_client(runtime, SUPERVISOR)  # the app is built before the runtime starts
    async with runtime.running():
        client = await connect(runtime)
        insurer_code = a04("W1", mrn="701", visit="V701").replace("|SIMBLUE01|Synthetic Blue Plan|",
                                                                  "|BCBS-IL 00621|Blue Cross of Illinois|")
        abroad = a04("W2", mrn="702", visit="V702").replace("Testville^ZZ^00000", NON_US)
        no_visit_number = a04("W3", mrn="703", visit="").replace(
            "|F|||1 Synthetic Way^^Testville^ZZ^00000", "|F|||1 Synthetic Way^^Testville^ZZ^00000|||||||ACCT703")
        assert [msa(await client.send(m))[0] for m in (insurer_code, abroad, no_visit_number)] == ["AA"] * 3
        first = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        assert [e.payload.encounter_id for e in first] == [encounter_id_for(TENANT, "ACCT703")]
        listed = await asyncio.to_thread(cli, api, "registration", "work-items", "list", "--json")
        held = json.loads(listed.stdout)
        assert {(w["subject_id"], w["code"], w["field"]) for w in held} == {
            (encounter_id_for(TENANT, "V701"), "PAYER_UNMAPPED", "coverage.primary.payer"),
            (encounter_id_for(TENANT, "V702"), "ADDRESS_NOT_US", "PID-11")}
        assert "Toronto" not in listed.stdout and "MRN70" not in listed.stdout
        assert opened("PAYER_UNMAPPED") == before + 1

        # The practice fixes the address: the A08 releases the visit.
        assert msa(await client.send(a08("W4", mrn="702", visit="V702", sent="20261101120000")))[0] == "AA"
        await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 2)

        # A crosswalk with a bad row loads nothing; the good one releases the other visit.
        bad = tmp_path / "bad.csv"
        bad.write_text("match,sender_code,payer_id,payer_name,effective_from\n"
                       "code,BCBS-IL 00621,BCBSIL,Blue Cross Blue Shield of Illinois,2026-01-01\n"
                       "code,BCBS-IL 00621,BCBSIL,Overlapping,2026-06-01\n")
        refused = await asyncio.to_thread(cli, api, "payers", "crosswalk", "load", str(bad), "--tenant", TENANT)
        assert refused.exit_code == 1 and "row 3: effective dates overlap row 2" in refused.stdout
        assert await runtime.db["payer_crosswalk"].count_documents({}) == 0
        good = tmp_path / "crosswalk.csv"
        good.write_text("match,sender_code,payer_id,payer_name,effective_from,effective_to\n"
                        "code,BCBS-IL 00621,BCBSIL,Blue Cross Blue Shield of Illinois,2026-01-01,\n"
                        "code,SIMBLUE01,SIMBLUE01,Synthetic Blue,2020-01-01,\n")
        loaded = await asyncio.to_thread(cli, api, "payers", "crosswalk", "load", str(good), "--tenant", TENANT)
        assert loaded.exit_code == 0 and "1 visit(s) waited for a payer, 1 released" in loaded.stdout, loaded.stdout
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 3)
        await client.close()
        items = {w["subject_id"]: w for w in await runtime.db["work_items"].find().to_list()}
    by_visit = {e.payload.visit.visit_number: e.payload for e in registered}
    assert by_visit["V701"].coverages[0].payer_id == "BCBSIL"
    assert by_visit["V702"].patient.address.state == "ZZ"
    assert {w["status"] for w in items.values()} == {"released"}


async def test_a40_merges_the_prior_mrn_into_the_surviving_patient_within_the_tenant(settings, kafka) -> None:
    runtime = build_runtime(feed_settings(settings))
    async with runtime.running():
        client = await connect(runtime)
        assert msa(await client.send(a04("M1", mrn="801", visit="V801", charges=False)))[0] == "AA"
        merge = "\r".join([msh("ADT^A40^ADT_A39", "M2", sent="20261101103000"), "EVN|A40|20261101103000",
                           PID.format(mrn="802"), "MRG|MRN801^^^TESTFAC^MR"])
        assert msa(await client.send(merge))[0] == "AA"
        assert msa(await client.send(dft("M3", mrn="801", visit="V801")))[0] == "AA"  # the EHR still says 801
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        prior = await runtime.db["patients"].find_one({"_id": patient_id_for(TENANT, "MRN801")})
        other_tenant = await runtime.db["patients"].find_one({"_id": patient_id_for("other-clinic", "MRN801")})
        await client.close()
    assert registered[0].payload.patient_id == patient_id_for(TENANT, "MRN802")
    assert prior["merged_into"] == patient_id_for(TENANT, "MRN802") and other_tenant is None


async def test_a_fhir_bundle_with_a_foreign_address_is_2xx_held_and_released_by_a_corrected_bundle(settings, kafka) -> None:
    import httpx

    from tests.integration.registration.test_fhir_feed import AUTH, PORT, fhir_settings
    from tests.unit.ehr.samples import fhir_bundle

    abroad = fhir_bundle("FV9", bundle_id="b-abroad")
    abroad["entry"][0]["resource"]["address"] = [{"line": ["1 Rue Fictive"], "city": "Paris", "postalCode": "75001",
                                                  "country": "FR"}]
    runtime = build_runtime(fhir_settings(settings))
    async with runtime.running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH) as http:
            held = await http.post("/fhir", content=json.dumps(abroad))
            items = await runtime.db["work_items"].find({"status": "open"}).to_list()
            fixed = await http.post("/fhir", content=json.dumps(fhir_bundle("FV9", bundle_id="b-fixed")))
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        released = await runtime.db["work_items"].find({"status": "released"}).to_list()
    assert 200 <= held.status_code < 300 and 200 <= fixed.status_code < 300
    warnings = [i for e in held.json()["entry"] for i in e["response"]["outcome"]["issue"] if i["severity"] == "warning"]
    assert [w["diagnostics"] for w in warnings] == ["registration work item ADDRESS_NOT_US Bundle.entry[0].resource.address"]
    assert [(i["code"], i["field"]) for i in items] == [("ADDRESS_NOT_US", "Bundle.entry[0].resource.address")]
    assert [r.payload.visit.visit_number for r in registered] == ["FV9"] and len(released) == 1


async def test_an_update_without_a_visit_number_fixes_the_patients_waiting_visit_and_patient_items(
        settings, kafka, tmp_path) -> None:
    runtime = build_runtime(api_settings(settings, tmp_path))
    api = api_client(runtime, auth_headers("viewer-cli", [Role.PRACTICE_VIEWER], [TENANT]))
    async with runtime.running():
        client = await connect(runtime)
        abroad = a04("N1", mrn="901", visit="V901").replace("Testville^ZZ^00000", NON_US)
        assert msa(await client.send(abroad))[0] == "AA"
        # An A08 naming no visit, for another patient, with a bad address: held on the patient.
        bad_update = a08("N2", mrn="902", visit="").replace("Testville^ZZ^00000", NON_US)
        assert msa(await client.send(bad_update))[0] == "AA"
        opened_items = await runtime.db["work_items"].find({"status": "open"}, {"_id": 0, "subject": 1, "code": 1}).to_list()
        # The practice corrects both patients with updates that name no visit either.
        assert msa(await client.send(a08("N3", mrn="901", visit="", sent="20261101120000")))[0] == "AA"
        assert msa(await client.send(a08("N4", mrn="902", visit="", sent="20261101120000")))[0] == "AA"
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        listed = await asyncio.to_thread(cli, api, "registration", "work-items", "list", "--status", "all")
        await client.close()
        still_open = await runtime.db["work_items"].count_documents({"status": "open"})
    assert sorted((i["subject"], i["code"]) for i in opened_items) == [
        ("encounter", "ADDRESS_NOT_US"), ("patient", "ADDRESS_NOT_US")]
    assert [e.payload.visit.visit_number for e in registered] == ["V901"]
    assert still_open == 0 and listed.exit_code == 0 and "2 work item(s)" in listed.stdout
    assert listed.stdout.count("released") == 2 and "Toronto" not in listed.stdout
