"""Who a FHIR payload is about and who pays: Patient and Coverage (with its payor and a dependent's
subscriber), read for services/registration/fhir/mapping.py. Pure: no I/O."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from services.registration.feed import UNMAPPED_PAYER, PayerRef
from services.registration.fhir.validation import FhirMappingError
from shared.events import Address, Coverage, CoverageOrder, Patient, Relationship, Sex, Subscriber

_GENDER = {"female": Sex.FEMALE, "male": Sex.MALE}
_RELATIONSHIP = {"self": Relationship.SELF, "spouse": Relationship.SPOUSE, "child": Relationship.CHILD}
_ORDER = {1: CoverageOrder.PRIMARY, 2: CoverageOrder.SECONDARY, 3: CoverageOrder.TERTIARY}
_PAYER_ID = re.compile(r"^[A-Z0-9]{2,15}$")
CLAIM_FILING_SYSTEM = "https://codesystem.x12.org/005010/1032"  # X12 element 1032, the 837's SBR09


def _coding(concept: dict | None, systems: tuple[str, ...] | None = None) -> str | None:
    for coding in (concept or {}).get("coding") or []:  # a null list is absent
        if systems is None or coding.get("system") in systems:
            if coding.get("code"):
                return coding["code"]
    return None


def _contained(resource: dict, reference: dict | None, kind: str) -> dict | None:
    """The resource of type `kind` contained in `resource` that `reference` ("#id") points to."""
    target = (reference or {}).get("reference") or ""
    if not target.startswith("#"):
        return None
    return next((c for c in resource.get("contained") or [] if c.get("id") == target[1:] and c.get("resourceType") == kind),
                None)


class Demographics:
    """Patient and Coverage readers; the mapper provides `build`, `by_ref` and `mrns`."""

    by_ref: dict[str, tuple[str, dict]]
    mrns: dict[int, str]

    def build(self, model: Any, where: str, **values: Any) -> Any:
        raise NotImplementedError

    def patient(self, where: str, resource: dict) -> Patient:
        identifiers = resource.get("identifier") or []
        mrn = next((i.get("value") for i in identifiers if _coding(i.get("type")) == "MR" and i.get("value")), None)
        mrn = mrn or next((i.get("value") for i in identifiers if i.get("value") and _coding(i.get("type")) != "SS"), None)
        if not mrn:
            raise FhirMappingError(422, f"{where}.identifier", "REQUIRED_FIELD_MISSING", "a medical record number is required")
        self.mrns[id(resource)] = mrn[:200]
        name = (resource.get("name") or [{}])[0]
        address = (resource.get("address") or [{}])[0]
        if not resource.get("birthDate") or not name.get("family") or not name.get("given") or not address:
            missing = "birthDate" if not resource.get("birthDate") else ("address" if not address else "name")
            raise FhirMappingError(422, f"{where}.{missing}", "REQUIRED_FIELD_MISSING", f"{where}.{missing} is required")
        try:
            birth = date.fromisoformat(resource["birthDate"])
        except ValueError:
            raise FhirMappingError(422, f"{where}.birthDate", "INVALID_FIELD", "birthDate needs a full date") from None
        if (address.get("country") or "US").strip().upper() not in ("US", "USA", "840", "UNITED STATES"):
            raise FhirMappingError(422, f"{where}.address", "ADDRESS_NOT_US", f"{where}.address is not a US address")
        try:
            addr = Address(line1=(address.get("line") or [""])[0], city=address.get("city", ""),
                           state=(address.get("state") or "").upper(),
                           postal_code=(address.get("postalCode") or "").replace("-", "").replace(" ", ""))
        except ValidationError:
            raise FhirMappingError(422, f"{where}.address", "ADDRESS_NOT_USPS",
                                   f"{where}.address state or ZIP code does not follow USPS rules") from None
        sex = _GENDER.get(resource.get("gender", ""), Sex.UNKNOWN)
        return self.build(Patient, where, mrn=mrn, first_name=name["given"][0], last_name=name["family"],
                          birth_date=birth, sex=sex, address=addr)

    def payer_ref(self, resource: dict) -> PayerRef:
        """How the Coverage names its payor: identifier values and the reference (codes), display
        and the Organization's name (names); the Organization may be contained or in the Bundle."""
        payor = (resource.get("payor") or [{}])[0]
        codes = [(payor.get("identifier") or {}).get("value")]
        names = [payor.get("display")]
        organization = _contained(resource, payor, "Organization")
        if organization is None and payor.get("reference") in self.by_ref:
            organization = self.by_ref[payor["reference"]][1]
        if organization is not None and organization.get("resourceType") == "Organization":
            codes += [i.get("value") for i in organization.get("identifier") or []]
            names += [organization.get("name")]
        elif payor.get("reference") and not str(payor["reference"]).startswith("#"):
            codes += [payor["reference"], str(payor["reference"]).rsplit("/", 1)[-1]]
        return PayerRef(codes=tuple(dict.fromkeys(str(c)[:80] for c in codes if c)),
                        names=tuple(dict.fromkeys(str(n)[:80] for n in names if n)))

    def coverage(self, where: str, resource: dict, position: int) -> tuple[Coverage, PayerRef]:
        ref = self.payer_ref(resource)
        payer_id = next((c.upper() for c in ref.codes if _PAYER_ID.fullmatch(c.upper())), UNMAPPED_PAYER)
        if not resource.get("subscriberId"):
            raise FhirMappingError(422, f"{where}.subscriberId", "REQUIRED_FIELD_MISSING", "subscriberId is required")
        group = next((c.get("value") for c in resource.get("class") or [] if _coding(c.get("type")) == "group"), None)
        order = _ORDER.get(resource.get("order") or position)
        if order is None:
            raise FhirMappingError(422, f"{where}.order", "INVALID_FIELD", "order must be 1, 2 or 3")
        relationship = _RELATIONSHIP.get(_coding(resource.get("relationship")) or "self", Relationship.OTHER)
        subscriber = self.subscriber(where, resource) if relationship is not Relationship.SELF else None
        return self.build(Coverage, where, payer_id=payer_id, payer_name=(ref.names or ref.codes or ("UNKNOWN PAYER",))[0],
                          member_id=str(resource["subscriberId"])[:200], group_number=group, relationship=relationship,
                          order=order, subscriber=subscriber,
                          claim_filing_indicator=_coding(resource.get("type"), (CLAIM_FILING_SYSTEM,)) or "CI"), ref

    def subscriber(self, where: str, coverage: dict) -> Subscriber | None:
        """Who holds a dependent's coverage: the RelatedPerson contained in the Coverage."""
        holder = _contained(coverage, coverage.get("subscriber"), "RelatedPerson")
        name = ((holder or {}).get("name") or [{}])[0]
        if not name.get("family") or not name.get("given"):
            return None
        try:
            birth = date.fromisoformat(holder["birthDate"]) if holder.get("birthDate") else None
        except ValueError:
            raise FhirMappingError(422, f"{where}.subscriber", "INVALID_FIELD", "the subscriber's birthDate needs a full date") from None
        return self.build(Subscriber, f"{where}.subscriber", first_name=name["given"][0], last_name=name["family"],
                          birth_date=birth, sex=_GENDER.get(holder.get("gender", ""), Sex.UNKNOWN))
