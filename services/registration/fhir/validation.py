"""What a FHIR payload must be before it is mapped: a resource of a type registration takes,
valid against the R4B models (fhir.resources). Entries of a Bundle whose type registration does
not read (MessageHeader, Observation, Provenance ...) are neither read nor validated. Pure: no I/O."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ValidationError

SUPPORTED = ("Patient", "Coverage", "Encounter", "Condition", "Procedure", "ChargeItem", "DocumentReference")
REFERENCED = ("Organization", "Practitioner", "PractitionerRole", "RelatedPerson", "Location")  # read when referenced


class FhirMappingError(Exception):
    """`status` 400 (not something we take) or 422 (invalid); `location` is a FHIRPath-like path."""

    def __init__(self, status: int, location: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.location = location
        self.code = code


def message_id_of(document: dict[str, Any]) -> str:
    """The Bundle's (or resource's) id with its version, else a digest of the content: a re-POST of
    the same content is recognised and applied once."""
    ident = document.get("id")
    version = (document.get("meta") or {}).get("versionId")
    if ident:
        return f"{document.get('resourceType')}/{ident}" + (f"/_history/{version}" if version else "")
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"sha256-{digest[:40]}"


def validate(document: Any) -> None:
    """Validate against the R4B models; raise FhirMappingError (400/422) naming the location."""
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        raise FhirMappingError(400, "resourceType", "NOT_A_RESOURCE", "body is not a FHIR resource")
    kind = document["resourceType"]
    if kind != "Bundle" and kind not in SUPPORTED:
        named = kind if kind.isidentifier() and len(kind) <= 64 else "resourceType"  # never echo junk
        raise FhirMappingError(400, named, "UNSUPPORTED_RESOURCE", f"{named} is not accepted here")
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):
        raise FhirMappingError(400, kind, "UNSUPPORTED_RESOURCE", "unknown resourceType") from None
    positions = None
    if kind == "Bundle" and isinstance(document.get("entry"), list):
        # Entries of other types (MessageHeader, Observation, Provenance ...) are not read, so not validated.
        positions = [n for n, entry in enumerate(document["entry"]) if not _ignored(entry)]
        document = {**document, "entry": [document["entry"][n] for n in positions]}
    try:
        model.model_validate(document)
    except ValidationError as invalid:
        first = invalid.errors(include_input=False)[0]
        loc = list(first["loc"])
        if positions is not None and len(loc) > 1 and loc[0] == "entry" and isinstance(loc[1], int):
            loc[1] = positions[loc[1]]
        location = kind + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
        raise FhirMappingError(422, location, "INVALID_RESOURCE", f"{location}: {first['type']}") from None
    except (TypeError, KeyError, AttributeError, ValueError, RecursionError):
        # fhir.resources trips over some malformed input itself (a contained resourceType null).
        raise FhirMappingError(422, kind, "INVALID_RESOURCE", f"{kind} does not validate") from None


def _ignored(entry: Any) -> bool:
    """A Bundle entry holding a resource of a type registration does not read."""
    resource = entry.get("resource") if isinstance(entry, dict) else None
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    return isinstance(kind, str) and kind not in SUPPORTED + REFERENCED
