"""FHIR R4 resources to `FeedMessage`s, validated with fhir.resources (R4B models).

Pure: no I/O. Accepts a transaction (or batch) Bundle, or one Patient, Coverage, Encounter,
Condition, Procedure, ChargeItem or DocumentReference. References resolve inside the Bundle (by
fullUrl or "Type/id"); outside it, only a logical reference by identifier works:
`{"identifier": {"value": MRN}}` for a patient, `{"identifier": {"value": visit number}}` for an
encounter.

- Patient: the MR identifier (identifier.type coding "MR"), else the first; name, birthDate, gender,
  address.  -> an update of the patient (and the visits that wait for it).
- Coverage: payor identifier value = payer id, display = payer name; subscriberId = member id;
  class "group" = group number; relationship (self, spouse, child, other); order 1..3; type coding
  of the X12 claim filing indicator system (CLAIM_FILING_SYSTEM) = claim filing indicator (else
  CI); subscriber = a RelatedPerson contained in the Coverage (name, birthDate, gender) when the
  patient is not the subscriber.
- Encounter: identifier = visit number; period.start = date of service (with a time of day, also
  the registration time); a type coding of the CMS place-of-service system = place of service,
  else class AMB/EMER/IMP/HH/VR = 11/23/21/12/02; participant with an NPI identifier = rendering,
  its taxonomy from the PractitionerRole contained in the Encounter that the participant
  references (specialty coding of NUCC's taxonomy system).
  -> a registration (with the Bundle's coverages, conditions, procedures, charges and notes).
- Condition (ICD-10-CM coding) -> diagnosis; Procedure and ChargeItem (CPT/HCPCS coding) ->
  service. ChargeItem: quantity = units, reason = diagnoses it points to, modifiers = codings of
  system http://terminology.hl7.org/CodeSystem/modifiers.
- DocumentReference (context.encounter = the visit): its text/plain attachments = the visit's note.

Tolerance: what is valid FHIR but not billable yet (a Patient whose address is not a US one, a
Coverage without subscriberId or whose payor the crosswalk does not map, an Encounter without its
period or an NPI participant, a Condition coded only in SNOMED CT) is left out with an `Issue`
naming the location: the visit waits as a registration work item and the POST is answered 2xx.
An Encounter without an identifier takes its id (else its fullUrl) as the visit number; a
reference to an Encounter outside the payload names the visit by that id; Coverage.payor may be an
Organization (contained, in the Bundle, or only a reference, identifier or display): its
identifiers, reference, name and display are looked up in the tenant's payer crosswalk.
Organization, Practitioner, PractitionerRole, RelatedPerson and Location entries of a Bundle are
read where referenced and otherwise ignored.

Errors (`FhirMappingError`) name a location such as `Bundle.entry[2].resource.birthDate`, never a
value: status 400 for what is not a FHIR resource we take, 422 for one that does not validate.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from services.registration.fhir.demographics import CLAIM_FILING_SYSTEM, Demographics, _coding, _contained
from services.registration.fhir.validation import (
    REFERENCED, SUPPORTED, FhirMappingError, _ignored, message_id_of, validate,
)
from services.registration.feed import Area, FeedKind, FeedMessage, Issue, PayerRef
from services.registration.numbers import NotANumber, quantity
from shared.events import Coverage, Diagnosis, DocumentedService, Patient, Provider, Visit

CLINICAL = ("Condition", "Procedure", "ChargeItem", "DocumentReference")  # what belongs to a visit
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
PROCEDURE_SYSTEMS = ("http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.285",
                     "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets")
MODIFIER_SYSTEM = "http://terminology.hl7.org/CodeSystem/modifiers"
PLACE_OF_SERVICE_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
TAXONOMY_SYSTEM = "http://nucc.org/provider-taxonomy"
_POS = {"AMB": "11", "EMER": "23", "IMP": "21", "HH": "12", "VR": "02", "OBSENC": "22"}


def map_resource(document: Any, default_billing: Provider | str) -> list[FeedMessage]:
    """Validate and map a Bundle or a single resource to feed messages (one per visit, or patient)."""
    validate(document)
    billing = default_billing if isinstance(default_billing, Provider) else Provider(
        npi="0000000000", name="FACILITY NOT CONFIGURED")
    return _Mapper(document, billing).messages()


def _encounter_of(resource: dict) -> dict | None:
    """The Encounter reference of a clinical resource (a DocumentReference names it in context.encounter)."""
    if resource["resourceType"] == "DocumentReference":
        return ((resource.get("context") or {}).get("encounter") or [None])[0]
    return resource.get("encounter") or resource.get("context")


class _Mapper(Demographics):
    def __init__(self, document: dict, billing: Provider) -> None:
        self.document = document
        self.billing = billing
        self.message_id = message_id_of(document)
        self.sent_at = self._sent_at(document)
        ignored: dict[str, int] = {}  # resource type -> entries not read
        if document["resourceType"] == "Bundle":
            if document.get("type") not in ("transaction", "batch", "collection"):
                raise FhirMappingError(400, "Bundle.type", "UNSUPPORTED_BUNDLE", "Bundle.type must be transaction")
            self.entries = []
            for n, entry in enumerate(document.get("entry") or []):
                resource = entry.get("resource") or {}
                if _ignored(entry):
                    ignored[resource["resourceType"]] = ignored.get(resource["resourceType"], 0) + 1
                    continue
                if resource.get("resourceType") not in SUPPORTED + REFERENCED:
                    raise FhirMappingError(400, f"Bundle.entry[{n}].resource", "UNSUPPORTED_RESOURCE",
                                           "its resourceType is not accepted here")
                self.entries.append((f"Bundle.entry[{n}].resource", entry.get("fullUrl"), resource))
        else:
            self.entries = [(document["resourceType"], None, document)]
        self.issues: list[Issue] = []
        self.warnings: list[str] = [f"{count} {kind} entr{'y' if count == 1 else 'ies'} ignored"
                                    for kind, count in sorted(ignored.items())]
        self.by_ref: dict[str, tuple[str, dict]] = {}
        for where, full_url, resource in self.entries:
            if full_url:
                self.by_ref[full_url] = (where, resource)
            if resource.get("id"):
                self.by_ref[f"{resource['resourceType']}/{resource['id']}"] = (where, resource)

    @staticmethod
    def _sent_at(document: dict) -> datetime:
        stamp = (document.get("meta") or {}).get("lastUpdated") or document.get("timestamp")
        if stamp:
            try:
                parsed = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
            except ValueError:  # a leap second (":60") is valid FHIR but not a Python datetime
                raise FhirMappingError(422, "meta.lastUpdated", "INVALID_FIELD",
                                       "meta.lastUpdated is not a usable instant") from None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return datetime(1970, 1, 1, tzinfo=UTC)  # undated: never newer than a dated message

    def of_type(self, kind: str) -> list[tuple[str, dict]]:
        return [(where, r) for where, _, r in self.entries if r["resourceType"] == kind]

    def build(self, model: type[BaseModel], where: str, **values: Any) -> Any:
        try:
            return model(**values)
        except ValidationError as invalid:
            first = invalid.errors(include_input=False)[0]
            location = where + "".join(f".{p}" for p in first["loc"][:1])
            raise FhirMappingError(422, location, "INVALID_FIELD", f"{location}: {first['type']}") from None

    def tolerate(self, area: Area, read, *args):
        """`read(*args)`, or None and an Issue when billing cannot use that piece."""
        try:
            return read(*args)
        except FhirMappingError as unusable:
            if unusable.status != 422:
                raise
            self.issues.append(Issue(area=area, code=unusable.code, field=unusable.location, reason=str(unusable)))
            return None

    def resolve(self, reference: dict | None, kind: str, where: str) -> tuple[str, dict] | str:
        """The referenced resource in this payload, or the identifier value of a logical reference,
        or the id of a literal reference to a resource outside the payload."""
        reference = reference or {}
        if reference.get("reference") in self.by_ref:
            return self.by_ref[reference["reference"]]
        value = (reference.get("identifier") or {}).get("value")
        if value:
            return value
        literal = str(reference.get("reference") or "")
        if re.fullmatch(rf"(?:.*/)?{kind}/[A-Za-z0-9\-.]{{1,64}}(?:/_history/[A-Za-z0-9\-.]{{1,64}})?", literal):
            return literal.split(f"{kind}/", 1)[1].split("/_history/")[0]
        raise FhirMappingError(422, where, "UNRESOLVED_REFERENCE", f"{where} does not resolve to a {kind}")

    # --- resources -------------------------------------------------------------------------------
    def diagnosis(self, where: str, resource: dict) -> Diagnosis:
        code = _coding(resource.get("code"), ICD10_SYSTEMS)
        if not code:
            raise FhirMappingError(422, f"{where}.code", "REQUIRED_FIELD_MISSING", "an ICD-10-CM coding is required")
        return self.build(Diagnosis, f"{where}.code", code=code)

    def service(self, where: str, resource: dict, diagnoses: list[Diagnosis]) -> DocumentedService:
        code = _coding(resource.get("code"), PROCEDURE_SYSTEMS)
        if not code:
            raise FhirMappingError(422, f"{where}.code", "REQUIRED_FIELD_MISSING", "a CPT/HCPCS coding is required")
        modifiers = tuple(c["code"] for c in (resource.get("code") or {}).get("coding") or []
                          if c.get("system") == MODIFIER_SYSTEM and c.get("code"))
        try:
            units = quantity(str((resource.get("quantity") or {}).get("value") or 1))
        except NotANumber:
            raise FhirMappingError(422, f"{where}.quantity", "INVALID_FIELD", "quantity is not a number") from None
        position = {d.code.replace(".", "").upper(): n for n, d in enumerate(diagnoses, start=1)}
        pointers = []
        for reason in resource.get("reason") or []:
            dx = (_coding(reason, ICD10_SYSTEMS) or "").replace(".", "").upper()
            if dx and dx not in position:
                raise FhirMappingError(422, f"{where}.reason", "DIAGNOSIS_NOT_SENT", "reason names a diagnosis not sent")
            if dx:
                pointers.append(position[dx])
        return self.build(DocumentedService, where, procedure_code=code.upper(), modifiers=modifiers, units=units,
                          diagnosis_pointers=tuple(dict.fromkeys(pointers))[:4] or (1,))

    def visit_number(self, resource: dict) -> str:
        """Encounter.identifier; else its id; else the last part of its fullUrl (a urn:uuid)."""
        number = next((i.get("value") for i in resource.get("identifier") or [] if i.get("value")), None)
        if not number:
            full_url = next((u for _, u, r in self.entries if r is resource and u), "")
            number = resource.get("id") or full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        if not number:
            raise FhirMappingError(422, "Encounter.identifier", "REQUIRED_FIELD_MISSING", "an Encounter needs an identifier or id")
        return str(number)[:200]

    def visit(self, where: str, resource: dict) -> tuple[str, Visit, datetime | None]:
        number = self.visit_number(resource)
        start = ((resource.get("period") or {}).get("start") or "")[:10]
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
            raise FhirMappingError(422, f"{where}.period.start", "REQUIRED_FIELD_MISSING", "period.start date is required")
        place = next((code for concept in resource.get("type") or []
                      if (code := _coding(concept, (PLACE_OF_SERVICE_SYSTEM,)))), None)
        place = place or _POS.get((resource.get("class") or {}).get("code", ""))
        if place is None:
            raise FhirMappingError(422, f"{where}.class", "INVALID_FIELD", "class must be AMB, EMER, IMP, HH, VR or OBSENC")
        rendering = None
        for n, participant in enumerate(resource.get("participant") or []):
            individual = participant.get("individual") or {}
            identifier = individual.get("identifier") or {}
            if identifier.get("system") == NPI_SYSTEM:
                role = _contained(resource, individual, "PractitionerRole") or {}
                taxonomy = next((code for concept in role.get("specialty") or []
                                 if (code := _coding(concept, (TAXONOMY_SYSTEM,)))), None)
                rendering = self.build(Provider, f"{where}.participant[{n}]", npi=identifier.get("value", ""),
                                       name=(individual.get("display") or "RENDERING").upper(), taxonomy=taxonomy)
                break
        if rendering is None:
            raise FhirMappingError(422, f"{where}.participant", "REQUIRED_FIELD_MISSING", "a participant with an NPI is required")
        visit = self.build(Visit, where, visit_number=number, date_of_service=date.fromisoformat(start),
                           place_of_service=place, rendering=rendering, billing=self.billing)
        return number, visit, self._started_at(where, resource["period"]["start"])

    @staticmethod
    def _started_at(where: str, start: str) -> datetime | None:
        """period.start as the time the visit began, when it names a time of day."""
        if len(start) <= 10:
            return None
        try:
            parsed = datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise FhirMappingError(422, f"{where}.period.start", "INVALID_FIELD", "period.start is not a dateTime") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def note(self, where: str, resource: dict) -> str:
        """The text/plain attachments of a DocumentReference, as one note."""
        texts = []
        for n, content in enumerate(resource.get("content") or []):
            attachment = content.get("attachment") or {}
            if not (attachment.get("contentType") or "").startswith("text/plain") or not attachment.get("data"):
                continue
            try:
                texts.append(base64.b64decode(attachment["data"], validate=True).decode("utf-8"))
            except (binascii.Error, UnicodeDecodeError):
                raise FhirMappingError(422, f"{where}.content[{n}].attachment.data", "INVALID_FIELD",
                                       "attachment data is not base64 of UTF-8 text") from None
        if not texts:
            raise FhirMappingError(422, f"{where}.content", "REQUIRED_FIELD_MISSING", "a text/plain attachment is required")
        return "\n\n".join(texts)

    # --- the payload -----------------------------------------------------------------------------
    def messages(self) -> list[FeedMessage]:
        self.mrns: dict[int, str] = {}
        patients = {id(r): self.tolerate(Area.PATIENT, self.patient, w, r) for w, r in self.of_type("Patient")}
        read: list[tuple[Coverage, PayerRef]] = []
        for n, (where, resource) in enumerate(self.of_type("Coverage"), start=1):
            found = self.tolerate(Area.COVERAGE, self.coverage, where, resource, n)
            if found is not None and any(c.order is found[0].order for c, _ in read):
                self.issues.append(Issue(area=Area.COVERAGE, code="INVALID_FIELD", field=f"{where}.order",
                                         reason="two coverages have the same order; the later is left out"))
            elif found is not None:
                read.append(found)
        mapped_coverages, payer_refs = tuple(c for c, _ in read), tuple(r for _, r in read)
        shared = tuple(self.issues)  # the patient's and the coverages': every visit of the payload has them
        mrn = next(iter(self.mrns.values()), None)
        by_visit: dict[str, dict[str, Any]] = {}

        def entry_for(number: str) -> dict[str, Any]:
            return by_visit.setdefault(number, {"visit": None, "patient": None, "diagnoses": [], "services": [],
                                                "notes": [], "issues": [], "started_at": None})

        for where, resource in self.of_type("Encounter"):
            number = self.visit_number(resource)
            self.issues = []
            got = self.tolerate(Area.VISIT, self.visit, where, resource)
            entry = entry_for(number)
            entry.update(visit=got[1] if got else None, started_at=got[2] if got else None,
                         patient=self._subject(where, resource, patients))
            entry["issues"] += self.issues
        clinical = [(w, r) for w, _, r in self.entries if r["resourceType"] in CLINICAL]
        for condition_pass in (True, False):  # diagnoses first: services point at them
            for where, resource in clinical:
                if (resource["resourceType"] == "Condition") != condition_pass:
                    continue
                number = self._clinical_visit(where, resource)
                if number is None:
                    continue
                entry = entry_for(number)
                self.issues = []
                if resource["resourceType"] == "Condition":
                    diagnosis = self.tolerate(Area.SERVICES, self.diagnosis, where, resource)
                    entry["diagnoses"] += [diagnosis] if diagnosis else []
                elif resource["resourceType"] == "DocumentReference":
                    note = self.tolerate(Area.SERVICES, self.note, where, resource)
                    entry["notes"] += [note] if note else []
                else:
                    service = self.tolerate(Area.SERVICES, self.service, where, resource, entry["diagnoses"])
                    entry["services"] += [service] if service else []
                entry["issues"] += self.issues
        messages = []
        for number, entry in by_visit.items():
            kind = FeedKind.REGISTER if entry["visit"] is not None or any(
                i.area is Area.VISIT for i in entry["issues"]) else FeedKind.CHARGES
            messages.append(FeedMessage(kind, "fhir", f"{self.message_id}#{number}"[:200], self.sent_at, number,
                                        patient=entry["patient"], coverages=mapped_coverages, visit=entry["visit"],
                                        services=tuple(entry["services"]), diagnoses=tuple(entry["diagnoses"][:12]),
                                        note="\n\n".join(entry["notes"]) or None,
                                        visit_started_at=entry.get("started_at"), payer_refs=payer_refs,
                                        issues=shared + tuple(entry["issues"]), mrn=mrn,
                                        warnings=tuple(self.warnings)))
        if not messages and not patients:
            # Valid FHIR naming no visit and no patient of this payload (a Coverage whose beneficiary
            # is a reference elsewhere, a Procedure without an encounter): acknowledged and recorded.
            return [FeedMessage(FeedKind.RECORD, "fhir", self.message_id, self.sent_at, None, warnings=tuple(
                self.warnings) + ("names no visit or patient of this payload: recorded, nothing applied",))]
        if not messages:
            for key, patient in patients.items():
                mrn_of = self.mrns.get(key)
                messages.append(FeedMessage(FeedKind.UPDATE, "fhir", f"{self.message_id}#{mrn_of or 'patient'}"[:200],
                                            self.sent_at, None, patient=patient, coverages=mapped_coverages,
                                            payer_refs=payer_refs, issues=shared, mrn=mrn_of,
                                            warnings=tuple(self.warnings)))
        return messages

    def _clinical_visit(self, where: str, resource: dict) -> str | None:
        """The visit number a Condition, Procedure, ChargeItem or DocumentReference belongs to."""
        reference = _encounter_of(resource)
        if not reference:
            self.warnings.append(f"{where} names no encounter: ignored")
            return None
        target = self.resolve(reference, "Encounter", f"{where}.encounter")
        if isinstance(target, str):
            return target[:200]
        if target[1].get("resourceType") != "Encounter":
            raise FhirMappingError(422, target[0], "UNRESOLVED_REFERENCE", "reference is not an Encounter")
        return self.visit_number(target[1])

    def _subject(self, where: str, resource: dict, patients: dict[int, Patient | None]) -> Patient | None:
        if not resource.get("subject"):
            return None
        target = self.resolve(resource.get("subject"), "Patient", f"{where}.subject")
        if isinstance(target, str):
            return None  # a patient known by MRN only: registration matches it when its demographics come
        if target[1].get("resourceType") != "Patient":
            raise FhirMappingError(422, f"{where}.subject", "UNRESOLVED_REFERENCE", "subject is not a Patient")
        return patients.get(id(target[1]))


__all__ = ["CLAIM_FILING_SYSTEM", "FhirMappingError", "REFERENCED", "SUPPORTED", "map_resource", "message_id_of", "validate"]
