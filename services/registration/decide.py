"""What one feed message does, decided in memory for services/registration/intake.py: the answer
(AA/AE), the patient record, the visit draft and the outbox row it writes. Pure: no I/O.

A message whose registration event would exceed MAX_EVENT_BYTES is refused (AE MESSAGE_TOO_LARGE),
so no event grows past what the broker takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from services.registration import feed
from services.registration.crosswalk import Crosswalk, CrosswalkEntry
from services.registration.feed import FeedKind, FeedMessage, Outcome, PayerRef, VisitDraft
from shared import topics
from shared.envelope import new_event
from shared.events import Coverage, Model, Patient
from shared.ids import encounter_id_for, patient_id_for
from shared.outbox import outbox_document

SERVICE = "registration"
MAX_EVENT_BYTES = 512 * 1024  # a registration event above this is refused: the broker takes 1 MiB


class MergedInto(Model):
    """A40: the MRN that now names a merged patient (sealed: an MRN is PHI)."""

    mrn: str


class PatientFeedRecord(Model):
    """The newest demographics and coverages a feed sent for a patient (sealed)."""

    patient: Patient
    coverages: tuple[Coverage, ...] = ()
    payer_refs: tuple[PayerRef, ...] = ()  # how the sender named each coverage's payer
    as_of: datetime


@dataclass(frozen=True, slots=True)
class Result:
    """How a message was answered: AA/AE/AR, and for an error the field and a PHI-free reason."""

    ack_code: str
    outcome: str  # feed.Outcome, "duplicate", or a reason code
    field: str | None = None
    error_code: str | None = None
    error_text: str | None = None
    patient: str | None = None  # "created" | "updated"
    encounter_id: str | None = None
    held: tuple[str, ...] = ()  # the visit's open work items ("CODE FIELD"): acknowledged, not yet billable


def decide(tenant_id: str, message: FeedMessage, now: datetime, records: dict[str, PatientFeedRecord | None],
           drafts: dict[str, VisitDraft], *, resolve=None, encounter_id: str | None = None):
    """The answer to one message and what it changes (patient, draft, outbox row); no I/O.
    `encounter_id`: the waiting visit an update without a visit number is folded into."""
    patient_update = None
    patient_state = None
    known: PatientFeedRecord | None = None
    if message.patient is not None:
        pid = patient_id_for(tenant_id, message.patient.mrn)
        known = records.get(pid)
        patient_state = "created" if pid not in records else "updated"
        if known is None or message.sent_at >= known.as_of:
            coverages, refs = (message.coverages, message.payer_refs) if message.coverages else (
                (known.coverages, known.payer_refs) if known else ((), ()))
            patient_update = (pid, PatientFeedRecord(patient=message.patient, coverages=coverages, payer_refs=refs,
                                                     as_of=message.sent_at))
    if not message.visit_number and encounter_id is None:
        outcome = "applied" if message.kind in (FeedKind.UPDATE, FeedKind.MERGE) else "recorded"
        return Result("AA", outcome, patient=patient_state), (patient_update, None, None)
    encounter_id = encounter_id or encounter_id_for(tenant_id, message.visit_number)
    draft = drafts.get(encounter_id)
    if draft is None:
        if message.kind in (FeedKind.RECORD, FeedKind.CANCEL_DISCHARGE):
            # Nothing known of this visit yet: the message is recorded, no visit is opened for it.
            return Result("AA", "recorded", patient=patient_state, encounter_id=encounter_id), \
                (patient_update, None, None)
        draft = VisitDraft(visit_number=message.visit_number)
        # A patient already known (say from an A08 sent before this visit's A04) seeds the visit.
        if known is not None and known.as_of > message.sent_at:
            draft = draft.model_copy(update={"patient": known.patient, "coverages": known.coverages,
                                             "payer_refs": known.payer_refs, "demographics_as_of": known.as_of})
    try:
        updated, outcome = feed.apply(draft, message, resolve)
    except feed.CancelTooLate:
        return Result("AE", "cancel_too_late", "PV1-19", "VISIT_ALREADY_REGISTERED",
                      "visit was already registered; cancel it in billing", patient_state, encounter_id), None
    row = None
    if outcome is Outcome.REQUESTED:
        try:
            request = feed.registration_request(updated, message.source, message.message_id, now)
        except ValidationError as invalid:
            first = invalid.errors(include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            return Result("AE", "invalid_visit", _field_of(message.source, where), "INVALID_VISIT",
                          f"visit cannot be registered: {where} {first['type']}", patient_state, encounter_id), None
        event = new_event(topics.REGISTRATION_REQUESTED, request, producer=SERVICE, now=now, tenant_id=tenant_id,
                          correlation_id=encounter_id)
        row = outbox_document(topics.REGISTRATION_REQUESTED, event)
        if len(row["value"]) > MAX_EVENT_BYTES:
            return Result("AE", "too_large", "MSH" if message.source == "hl7v2" else "Bundle", "MESSAGE_TOO_LARGE",
                          "the visit is too large to register", patient_state, encounter_id), None
    held = tuple(f"{i.code} {i.field}" for i in updated.issues) if outcome is Outcome.APPLIED else ()
    result = Result("AA", str(outcome), patient=patient_state, encounter_id=encounter_id, held=held)
    return result, (patient_update, (encounter_id, updated), row)


def crosswalks_by_tenant(documents: list[dict]) -> dict[str, Crosswalk]:
    by_tenant: dict[str, list[CrosswalkEntry]] = {}
    for document in documents:
        by_tenant.setdefault(document["tenant_id"], []).append(CrosswalkEntry.from_document(document))
    return {tenant: Crosswalk(entries) for tenant, entries in by_tenant.items()}


def _field_of(source: str, where: str) -> str:
    if source != "hl7v2":
        return where
    if where.startswith("diagnoses"):
        return "DG1"
    if where.startswith("services"):
        return "FT1"
    if where.startswith("coverages"):
        return "IN1"
    return "PV1"
