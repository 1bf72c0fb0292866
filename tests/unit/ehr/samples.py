"""Hand-written synthetic HL7 v2 messages (obviously fake people) for the feed tests."""

from __future__ import annotations

from services.registration.facilities import Facility
from shared.events import Provider

TENANT = "test-clinic"
FACILITIES = {
    "TESTFAC": Facility(tenant_id=TENANT,
                        billing=Provider(npi="1245319599", name="TEST CLINIC GROUP", tax_id="123456789")),
    "OTHERFAC/RCMB": Facility(tenant_id="other-clinic",
                              billing=Provider(npi="1245319599", name="OTHER GROUP", tax_id="987654321")),
}


def segment(name: str, fields: dict[int, str]) -> str:
    """A segment with `fields` at their HL7 positions (name|1|2|...)."""
    values = [""] * max(fields)
    for number, value in fields.items():
        values[number - 1] = value
    return "|".join([name, *values])


PID = segment("PID", {1: "1", 3: "MRN{mrn}^^^TESTFAC^MR~999-00-0000^^^SSA^SS", 5: r"Zztest\T\Fake^Zzalpha^Q",
                      7: "19700101", 8: "F", 11: "1 Synthetic Way^^Testville^ZZ^00000"})
PV1 = segment("PV1", {1: "1", 2: "O", 3: "11^^^TESTFAC", 7: "1234567893^Zzdoc^Alpha^^^^^^NPI", 19: "{visit}",
                      44: "20261101090000"})
IN1_PRIMARY = segment("IN1", {1: "1", 2: "SIMPLAN", 3: "SIMBLUE01", 4: "Synthetic Blue Plan", 8: "GRP100", 17: "SEL",
                              36: "MEMBER{mrn}"})
IN1_SECONDARY = segment("IN1", {1: "2", 2: "SIMPLAN2", 3: "SIMGREEN02", 4: "Synthetic Green Plan", 8: "GRP200",
                                17: "SPO", 36: "SECOND{mrn}"})
DG1 = segment("DG1", {1: "{n}", 3: "{code}^Synthetic^I10"})
FT1 = segment("FT1", {1: "{n}", 4: "20261101", 5: "20261101", 6: "CG", 10: "{units}", 11: "{amount}", 19: "{dx}",
                      25: "{code}^^CPT", 26: "{mods}"})


def msh(kind: str, control_id: str, *, facility: str = "TESTFAC", sent: str = "20261101100000",
        receiving: str = "RCM") -> str:
    return f"MSH|^~\\&|SIMEHR|{facility}|RCM|{receiving}|{sent}||{kind}|{control_id}|P|2.5.1"


def a04(control_id: str = "C1", *, mrn: str = "001", visit: str = "V1", charges: bool = True,
        secondary: bool = False, sent: str = "20261101100000", extra: tuple[str, ...] = ()) -> str:
    segments = [msh("ADT^A04^ADT_A01", control_id, sent=sent), "EVN|A04|" + sent, PID.format(mrn=mrn),
                PV1.format(visit=visit), IN1_PRIMARY.format(mrn=mrn)]
    if secondary:
        segments.append(IN1_SECONDARY.format(mrn=mrn))
    if charges:
        segments += [DG1.format(n=1, code="I10"), DG1.format(n=2, code="E11.9"),
                     FT1.format(n=1, units=1, amount="125.00", dx="I10~E11.9", code="99213", mods="25"),
                     FT1.format(n=2, units=2, amount="30.00", dx="E11.9", code="82947", mods="")]
    return "\r".join(segments + list(extra))


def dft(control_id: str = "D1", *, mrn: str = "001", visit: str = "V1") -> str:
    return "\r".join([msh("DFT^P03^DFT_P03", control_id), "EVN|P03|20261101100000", PID.format(mrn=mrn),
                      PV1.format(visit=visit), DG1.format(n=1, code="M25.561"),
                      FT1.format(n=1, units=1, amount="80.00", dx="M25.561", code="20610", mods="RT~59")])


def a08(control_id: str = "U1", *, mrn: str = "001", visit: str = "V1", sent: str = "20261101110000",
        last_name: str = "Zzupdated") -> str:
    pid = PID.format(mrn=mrn).replace(r"Zztest\T\Fake", last_name)
    return "\r".join([msh("ADT^A08^ADT_A01", control_id, sent=sent), "EVN|A08|" + sent, pid, PV1.format(visit=visit),
                      IN1_PRIMARY.format(mrn=mrn).replace("SIMBLUE01", "SIMRED03")])


def a03(control_id: str = "X1", *, mrn: str = "001", visit: str = "V1") -> str:
    return "\r".join([msh("ADT^A03^ADT_A03", control_id), PID.format(mrn=mrn), PV1.format(visit=visit)])


def a11(control_id: str = "K1", *, mrn: str = "001", visit: str = "V1") -> str:
    return "\r".join([msh("ADT^A11^ADT_A09", control_id), PID.format(mrn=mrn), PV1.format(visit=visit)])


def with_encoding(message: str, separators: str = "#$%*@") -> str:
    """The same message written with other field/encoding characters (MSH-1 '#', MSH-2 '$%*@')."""
    field, component, repetition, escape, sub = separators
    table = str.maketrans({"|": field, "^": component, "~": repetition, "\\": escape, "&": sub})
    head, rest = message[:8], message[8:]
    return "MSH" + field + component + repetition + escape + sub + rest.translate(table)


# --- FHIR R4 -----------------------------------------------------------------------------------------

FHIR_TOKEN = "test-token-not-a-secret"
NPI = "http://hl7.org/fhir/sid/us-npi"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"


def fhir_patient(mrn: str = "F001", **changes) -> dict:
    patient = {"resourceType": "Patient", "id": "p1",
               "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": mrn}],
               "name": [{"family": "Zzfhir", "given": ["Zzbeta"]}], "gender": "male", "birthDate": "1980-02-03",
               "address": [{"line": ["2 Synthetic Road"], "city": "Testville", "state": "ZZ", "postalCode": "00000"}]}
    patient.update(changes)
    return patient


def fhir_bundle(visit: str = "FV1", mrn: str = "F001", *, bundle_id: str | None = None, drop: tuple[str, ...] = ()) -> dict:
    resources = [
        fhir_patient(mrn),
        {"resourceType": "Coverage", "id": "c1", "status": "active", "subscriberId": "FMEMBER1", "order": 1,
         "beneficiary": {"reference": "Patient/p1"}, "relationship": {"coding": [{"code": "self"}]},
         "payor": [{"identifier": {"value": "SIMBLUE01"}, "display": "Synthetic Blue Plan"}],
         "class": [{"type": {"coding": [{"code": "group"}]}, "value": "GRP9"}]},
        {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "AMB"},
         "identifier": [{"value": visit}], "subject": {"reference": "Patient/p1"},
         "period": {"start": "2026-11-01T09:00:00Z"},
         "participant": [{"individual": {"identifier": {"system": NPI, "value": "1234567893"}, "display": "Zzdoc Gamma"}}]},
        {"resourceType": "Condition", "id": "d1", "subject": {"reference": "Patient/p1"},
         "encounter": {"reference": "Encounter/e1"}, "code": {"coding": [{"system": ICD10, "code": "J02.9"}]}},
        {"resourceType": "ChargeItem", "id": "ch1", "status": "billable", "subject": {"reference": "Patient/p1"},
         "context": {"reference": "Encounter/e1"}, "quantity": {"value": 1},
         "code": {"coding": [{"system": CPT, "code": "99213"},
                             {"system": "http://terminology.hl7.org/CodeSystem/modifiers", "code": "25"}]},
         "reason": [{"coding": [{"system": ICD10, "code": "J02.9"}]}]},
        {"resourceType": "Procedure", "id": "pr1", "status": "completed", "subject": {"reference": "Patient/p1"},
         "encounter": {"reference": "Encounter/e1"}, "code": {"coding": [{"system": CPT, "code": "87880"}]}},
    ]
    bundle = {"resourceType": "Bundle", "type": "transaction",
              "entry": [{"fullUrl": f"urn:uuid:{r['resourceType']}-{r['id']}", "resource": r,
                         "request": {"method": "POST", "url": r["resourceType"]}}
                        for r in resources if r["resourceType"] not in drop]}
    if bundle_id:
        bundle["id"] = bundle_id
    return bundle
