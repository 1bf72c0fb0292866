"""Required patient, subscriber and payer fields."""

from __future__ import annotations

import re
from functools import lru_cache

from services.claims.scrubber.engine import rule

_MEMBER_ID = re.compile(r"[A-Za-z0-9-]{2,80}")
_PAYER_ID = re.compile(r"[A-Za-z0-9]{2,80}")


@lru_cache(maxsize=1024)  # a handful of payers, on every claim
def _is_payer_id(text: str) -> bool:
    return _PAYER_ID.fullmatch(text) is not None


@rule("DEM-001", "demographics", "SUBSCRIBER_ID_INVALID", "subscriber member id present, letters, digits and dashes")
def subscriber_member_id(claim, facts):
    if not _MEMBER_ID.fullmatch(claim.subscriber.member_id or ""):
        return ("subscriber member id is missing or has characters payers refuse",)
    return ()


@rule("DEM-002", "demographics", "SUBSCRIBER_NAME_MISSING", "subscriber last name present")
def subscriber_name(claim, facts):
    if not (claim.subscriber.person.last_name or "").strip():
        return ("subscriber last name is missing",)
    return ()


@rule("DEM-003", "demographics", "PATIENT_BIRTH_DATE_MISSING", "patient birth date present")
def patient_birth_date(claim, facts):
    if facts.patient.birth_date is None:
        return ("patient birth date is missing",)
    return ()


@rule("DEM-004", "demographics", "PATIENT_SEX_INVALID", "patient sex is F, M or U")
def patient_sex(claim, facts):
    if facts.patient.sex not in ("F", "M", "U"):
        return ("patient sex is missing or not F, M or U",)
    return ()


@rule("DEM-005", "demographics", "BIRTH_DATE_AFTER_SERVICE", "patient born on or before the date of service")
def born_before_service(claim, facts):
    born, first = facts.patient.birth_date, facts.first_date_of_service
    if born is not None and first is not None and born > first:
        return ("patient birth date is after the date of service",)
    return ()


@rule("DEM-006", "demographics", "PAYER_ID_INVALID", "payer id present, letters and digits")
def payer_id(claim, facts):
    if not _is_payer_id(claim.payer.payer_id or ""):
        return ("payer id is missing or malformed",)
    return ()


@rule("DEM-007", "demographics", "PAYER_NAME_MISSING", "payer name present")
def payer_name(claim, facts):
    if not (claim.payer.name or "").strip():
        return (f"payer {claim.payer.payer_id} has no name",)
    return ()


@rule("DEM-008", "demographics", "RELATIONSHIP_INCONSISTENT",
      "a dependent patient has a relationship other than self, and a self patient none")
def relationship(claim, facts):
    if claim.patient is not None and claim.patient_relationship == "18":
        return ("a dependent patient is sent with relationship 18 (self)",)
    if claim.patient is None and claim.patient_relationship != "18":
        return (f"relationship {claim.patient_relationship} but no dependent patient is sent",)
    return ()


@rule("DEM-009", "demographics", "SUBSCRIBER_ADDRESS_MISSING", "the subscriber's address when they are the patient")
def subscriber_address(claim, facts):
    if claim.patient is None and claim.subscriber.person.address is None:
        return ("subscriber is the patient but has no address",)
    return ()


RULES = (subscriber_member_id, subscriber_name, patient_birth_date, patient_sex, born_before_service, payer_id,
         payer_name, relationship, subscriber_address)
