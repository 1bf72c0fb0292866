"""The synthetic EHR feed as FHIR R4: a simulated visit as one transaction Bundle, the way a
practice's EHR would POST it to registration's FHIR endpoint (`POST /fhir`, bearer token of its
facility, see services/registration/fhir/).

The Bundle holds the Patient, one Coverage per plan (a dependent's subscriber as a contained
RelatedPerson, the claim filing indicator as the Coverage type), the Encounter (place of service as
a CMS place-of-service coding in Encounter.type, the rendering provider as a participant with an
NPI and a contained PractitionerRole naming the taxonomy), a Condition per diagnosis in claim
order, a ChargeItem per service (quantity = units, reason = the diagnoses it points to, modifiers
as codings beside the procedure code) and the note as a DocumentReference (text/plain). References
inside the Bundle use the entries' urn:uuid fullUrls. The billing provider is not in the Bundle:
registration takes it from the facility the token names, as for HL7.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from services.registration.fhir.mapping import (
    CLAIM_FILING_SYSTEM, ICD10_SYSTEMS, MODIFIER_SYSTEM, NPI_SYSTEM, PLACE_OF_SERVICE_SYSTEM, PROCEDURE_SYSTEMS,
    TAXONOMY_SYSTEM,
)
from shared.events import Coverage, CoverageOrder, Patient, Provider, Relationship, RegistrationRequested, Sex
from simulator.hl7_feed import checked_in_at

ICD10_CM = ICD10_SYSTEMS[0]
CPT, HCPCS = PROCEDURE_SYSTEMS[0], PROCEDURE_SYSTEMS[2]
_GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.UNKNOWN: "unknown"}
_RELATIONSHIP = {Relationship.SELF: "self", Relationship.SPOUSE: "spouse", Relationship.CHILD: "child",
                 Relationship.OTHER: "other"}
_ORDER = {CoverageOrder.PRIMARY: 1, CoverageOrder.SECONDARY: 2, CoverageOrder.TERTIARY: 3}
_CLASS = {"23": "EMER", "21": "IMP", "12": "HH", "02": "VR", "10": "VR"}  # else AMB (ambulatory)
_CPT_CODE = re.compile(r"^\d{4}[0-9FTU]$")  # CPT categories I-III; HCPCS Level II codes start with a letter


def bundle(request: RegistrationRequested, bundle_id: str, sent: datetime) -> dict:
    """One FHIR R4 transaction Bundle carrying the whole visit (complete for billing on arrival).
    `bundle_id` makes a resend recognisable: registration applies a Bundle id once."""
    urls = _FullUrls(bundle_id)
    patient_url, encounter_url = urls.next(), urls.next()
    patient_ref, encounter_ref = {"reference": patient_url}, {"reference": encounter_url}
    entries = [(patient_url, _patient(request.patient))]
    entries += [(urls.next(), _coverage(coverage, patient_ref)) for coverage in request.coverages]
    entries.append((encounter_url, _encounter(request, patient_ref)))
    entries += [(urls.next(), {"resourceType": "Condition", "subject": patient_ref, "encounter": encounter_ref,
                               "code": {"coding": [{"system": ICD10_CM, "code": diagnosis.code}]}})
                for diagnosis in request.diagnoses]
    for service in request.services:
        codings = [{"system": CPT if _CPT_CODE.match(service.procedure_code) else HCPCS, "code": service.procedure_code}]
        codings += [{"system": MODIFIER_SYSTEM, "code": modifier} for modifier in service.modifiers]
        reasons = [{"coding": [{"system": ICD10_CM, "code": request.diagnoses[pointer - 1].code}]}
                   for pointer in service.diagnosis_pointers]
        entries.append((urls.next(), {"resourceType": "ChargeItem", "status": "billable", "code": {"coding": codings},
                                      "subject": patient_ref, "context": encounter_ref,
                                      "quantity": {"value": service.units}, "reason": reasons}))
    if request.note:
        entries.append((urls.next(), _note(request.note, patient_ref, encounter_ref)))
    # In whole seconds, as MSH-7: the same send time is then the same time to registration on both feeds.
    return {"resourceType": "Bundle", "id": bundle_id, "type": "transaction",
            "timestamp": sent.replace(microsecond=0).isoformat(),
            "entry": [{"fullUrl": url, "resource": resource,
                       "request": {"method": "POST", "url": resource["resourceType"]}} for url, resource in entries]}


class _FullUrls:
    """urn:uuid fullUrls, the same for the same Bundle id (a resent Bundle is the same content)."""

    def __init__(self, bundle_id: str) -> None:
        self._bundle_id = bundle_id
        self._count = 0

    def next(self) -> str:
        self._count += 1
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self._bundle_id}#{self._count}')}"


def _patient(patient: Patient) -> dict:
    address = patient.address
    return {"resourceType": "Patient",
            "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                                 "code": "MR"}]}, "value": patient.mrn}],
            "name": [{"family": patient.last_name, "given": [patient.first_name]}],
            "gender": _GENDER[patient.sex], "birthDate": patient.birth_date.isoformat(),
            "address": [{"line": [address.line1], "city": address.city, "state": address.state,
                         "postalCode": address.postal_code}]}


def _coverage(coverage: Coverage, patient_ref: dict) -> dict:
    resource = {"resourceType": "Coverage", "status": "active", "beneficiary": patient_ref,
                "subscriberId": coverage.member_id, "order": _ORDER[coverage.order],
                "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                             "code": _RELATIONSHIP[coverage.relationship]}]},
                "type": {"coding": [{"system": CLAIM_FILING_SYSTEM, "code": coverage.claim_filing_indicator}]},
                "payor": [{"identifier": {"value": coverage.payer_id}, "display": coverage.payer_name}]}
    if coverage.group_number:
        resource["class"] = [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                                                   "code": "group"}]}, "value": coverage.group_number}]
    holder = coverage.subscriber
    if holder is not None:
        person = {"resourceType": "RelatedPerson", "id": "subscriber", "patient": patient_ref,
                  "name": [{"family": holder.last_name, "given": [holder.first_name]}], "gender": _GENDER[holder.sex]}
        if holder.birth_date:
            person["birthDate"] = holder.birth_date.isoformat()
        resource["contained"] = [person]
        resource["subscriber"] = {"reference": "#subscriber"}
    return resource


def _encounter(request: RegistrationRequested, patient_ref: dict) -> dict:
    visit = request.visit
    resource = {"resourceType": "Encounter", "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                          "code": _CLASS.get(visit.place_of_service, "AMB")},
                "type": [{"coding": [{"system": PLACE_OF_SERVICE_SYSTEM, "code": visit.place_of_service}]}],
                "identifier": [{"value": visit.visit_number}], "subject": patient_ref,
                "period": {"start": _visit_start(request)},
                "participant": [{"individual": _rendering(visit.rendering)}]}
    if visit.rendering.taxonomy:
        resource["contained"] = [{"resourceType": "PractitionerRole", "id": "rendering",
                                  "practitioner": {"identifier": {"system": NPI_SYSTEM, "value": visit.rendering.npi}},
                                  "specialty": [{"coding": [{"system": TAXONOMY_SYSTEM,
                                                             "code": visit.rendering.taxonomy}]}]}]
        resource["participant"][0]["individual"]["reference"] = "#rendering"
    return resource


def _visit_start(request: RegistrationRequested) -> str:
    """Encounter.period.start: the check-in time, else the date of service alone."""
    start = checked_in_at(request)
    return start.isoformat() if start else request.visit.date_of_service.isoformat()


def _rendering(provider: Provider) -> dict:
    return {"identifier": {"system": NPI_SYSTEM, "value": provider.npi}, "display": provider.name}


def _note(note: str, patient_ref: dict, encounter_ref: dict) -> dict:
    return {"resourceType": "DocumentReference", "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3", "display": "Progress note"}]},
            "subject": patient_ref, "context": {"encounter": [encounter_ref]},
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                        "data": base64.b64encode(note.encode()).decode()}}]}


async def post_bundles(url: str, bundles: Sequence[tuple[str, dict]], *, connections: int = 4, timeout: float = 60.0,
                       on_answer: Callable[[int, str, str | None], None] | None = None) -> list[tuple[str, str | None]]:
    """POST each (bearer token, Bundle) to `url` (registration's FHIR base, .../fhir; the token names
    the sending facility) over `connections` concurrent connections; return per Bundle its HTTP
    status ("200", "422", ... or "unanswered") and, when
    refused, the reason registration gave (its OperationOutcome diagnostics: a location and a rule,
    never a value). A Bundle that got no answer, or a 5xx, is sent again (at most 5 times):
    registration applies a Bundle id once. `on_answer(index, status, reason)` is called as each
    answer arrives."""
    import httpx

    answers: list[tuple[str, str | None]] = [("unanswered", None)] * len(bundles)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        async def send_share(indexes: range) -> None:
            for index in indexes:
                token, document = bundles[index]
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
                for attempt in range(5):
                    try:
                        response = await client.post(url, content=json.dumps(document), headers=headers)
                    except httpx.TransportError:
                        await asyncio.sleep(0.2 * (attempt + 1))
                        continue
                    if response.status_code < 500:
                        answers[index] = (str(response.status_code), _reason(response))
                        break
                    await asyncio.sleep(0.2 * (attempt + 1))
                if on_answer:
                    on_answer(index, *answers[index])

        await asyncio.gather(*(send_share(range(i, len(bundles), connections)) for i in range(max(1, connections))))
    return answers


def _reason(response) -> str | None:
    """The OperationOutcome's first diagnostics of a refusal, with entry positions left out (so
    refusals of one kind count together)."""
    if response.status_code == 200:
        return None
    try:
        issue = (response.json().get("issue") or [{}])[0]
    except ValueError:
        return None
    return re.sub(r"\[\d+\]", "[]", str(issue.get("diagnostics") or issue.get("code") or ""))[:200] or None
