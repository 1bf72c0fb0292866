"""Required patient, subscriber and payer fields."""

from __future__ import annotations

import re

from services.claims.scrubber.engine import rule
from services.claims.scrubber.facts import first_date_of_service, patient

_MEMBER_ID = re.compile(r"[A-Za-z0-9-]{2,80}")
_PAYER_ID = re.compile(r"[A-Za-z0-9]{2,80}")


@rule("DEM-001", "demographics", "SUBSCRIBER_ID_INVALID", "subscriber member id present, letters, digits and dashes")
def subscriber_member_id(claim, context):
    if not _MEMBER_ID.fullmatch(claim.subscriber.member_id or ""):
        yield "subscriber member id is missing or has characters payers refuse"


@rule("DEM-002", "demographics", "SUBSCRIBER_NAME_MISSING", "subscriber last name present")
def subscriber_name(claim, context):
    if not (claim.subscriber.person.last_name or "").strip():
        yield "subscriber last name is missing"


@rule("DEM-003", "demographics", "PATIENT_BIRTH_DATE_MISSING", "patient birth date present")
def patient_birth_date(claim, context):
    if patient(claim).birth_date is None:
        yield "patient birth date is missing"


@rule("DEM-004", "demographics", "PATIENT_SEX_INVALID", "patient sex is F, M or U")
def patient_sex(claim, context):
    if patient(claim).sex not in ("F", "M", "U"):
        yield "patient sex is missing or not F, M or U"


@rule("DEM-005", "demographics", "BIRTH_DATE_AFTER_SERVICE", "patient born on or before the date of service")
def born_before_service(claim, context):
    born, first = patient(claim).birth_date, first_date_of_service(claim)
    if born is not None and first is not None and born > first:
        yield "patient birth date is after the date of service"


@rule("DEM-006", "demographics", "PAYER_ID_INVALID", "payer id present, letters and digits")
def payer_id(claim, context):
    if not _PAYER_ID.fullmatch(claim.payer.payer_id or ""):
        yield "payer id is missing or malformed"


@rule("DEM-007", "demographics", "PAYER_NAME_MISSING", "payer name present")
def payer_name(claim, context):
    if not (claim.payer.name or "").strip():
        yield f"payer {claim.payer.payer_id} has no name"


@rule("DEM-008", "demographics", "RELATIONSHIP_INCONSISTENT",
      "a dependent patient has a relationship other than self, and a self patient none")
def relationship(claim, context):
    if claim.patient is not None and claim.patient_relationship == "18":
        yield "a dependent patient is sent with relationship 18 (self)"
    elif claim.patient is None and claim.patient_relationship != "18":
        yield f"relationship {claim.patient_relationship} but no dependent patient is sent"


@rule("DEM-009", "demographics", "SUBSCRIBER_ADDRESS_MISSING", "the subscriber's address when they are the patient")
def subscriber_address(claim, context):
    if claim.patient is None and claim.subscriber.person.address is None:
        yield "subscriber is the patient but has no address"


RULES = (subscriber_member_id, subscriber_name, patient_birth_date, patient_sex, born_before_service, payer_id,
         payer_name, relationship, subscriber_address)
