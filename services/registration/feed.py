"""What the EHR feeds say, whatever their format, and how a visit is put together from it.

Pure: no I/O. HL7 v2 (services/registration/hl7/) and FHIR (services/registration/fhir/) both map
each message to a `FeedMessage`; `apply` folds it into the visit's `VisitDraft` and says whether the
visit is now complete, in which case it becomes one `RegistrationRequested` for the consumer path.

A visit is complete for billing when it has a patient, a primary coverage, the visit itself (date
of service, place of service, providers) and at least one service and one diagnosis. An A04 with
FT1/PR1 and DG1 is complete at once; an A04 without charges waits for its DFT^P03 (or the other
way round). Demographics and coverages follow the newest message by its own timestamp (MSH-7 or
meta.lastUpdated): an A08 sent before the A04 it updates is kept, and the older A04 then adds only
the visit. Nothing changes a visit once it was handed to registration (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.events import (
    Coverage, CoverageOrder, Diagnosis, DocumentedService, Model, Patient, RegistrationRequested, Visit,
)


class FeedKind(StrEnum):
    REGISTER = "register"  # ADT^A04, FHIR Encounter
    UPDATE = "update"  # ADT^A08: patient or coverage
    DISCHARGE = "discharge"  # ADT^A03
    CANCEL = "cancel"  # ADT^A11
    CHARGES = "charges"  # DFT^P03, FHIR ChargeItem/Procedure/Condition


class VisitStatus(StrEnum):
    OPEN = "open"  # waiting for the pieces it lacks
    REQUESTED = "requested"  # complete: handed to registration
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class FeedMessage:
    """One feed message, mapped: the pieces of a visit it carries. PHI inside; never logged."""

    kind: FeedKind
    source: str  # "hl7v2" | "fhir"
    message_id: str  # MSH-10 or the Bundle/resource id: not PHI
    sent_at: datetime  # MSH-7: decides which demographics are newest
    visit_number: str | None = None
    patient: Patient | None = None
    coverages: tuple[Coverage, ...] = ()
    visit: Visit | None = None
    services: tuple[DocumentedService, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    warnings: tuple[str, ...] = ()  # what was ignored (unknown segments), no PHI
    note: str | None = None  # the visit's clinical note (HL7 OBX TX, FHIR DocumentReference): PHI
    visit_started_at: datetime | None = None  # PV1-44 or Encounter.period.start with a time of day


class VisitDraft(Model):
    """A tenant's visit as the feeds told it so far (stored sealed: it holds PHI)."""

    visit_number: str
    status: VisitStatus = VisitStatus.OPEN
    patient: Patient | None = None
    coverages: tuple[Coverage, ...] = ()
    demographics_as_of: datetime | None = None
    visit: Visit | None = None
    services: tuple[DocumentedService, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    discharged: bool = False
    message_ids: tuple[str, ...] = ()
    note: str | None = None  # PHI: coding reads it for code suggestions
    visit_started_at: datetime | None = None  # when the practice registered the visit, if the feed said

    @property
    def missing(self) -> tuple[str, ...]:
        """What the visit still lacks before it can be registered."""
        lacking = []
        if self.patient is None:
            lacking.append("patient")
        if not any(c.order is CoverageOrder.PRIMARY for c in self.coverages):
            lacking.append("primary coverage")
        if self.visit is None:
            lacking.append("visit")
        if not self.services:
            lacking.append("services")
        if not self.diagnoses:
            lacking.append("diagnoses")
        return tuple(lacking)


class Outcome(StrEnum):
    APPLIED = "applied"  # the draft changed; the visit is still incomplete
    REQUESTED = "requested"  # the visit is complete: a RegistrationRequested goes out
    IGNORED_AFTER_REQUEST = "ignored_after_request"  # the visit was already handed on
    IGNORED_CANCELLED = "ignored_cancelled"


class CancelTooLate(Exception):
    """A cancel for a visit already handed to registration: it is not undone here."""


def _with(draft: VisitDraft, **changes: object) -> VisitDraft:
    return draft.model_copy(update=changes)


def apply(draft: VisitDraft, message: FeedMessage) -> tuple[VisitDraft, Outcome]:
    """Fold `message` into `draft`. Raise CancelTooLate for a cancel of a visit handed on."""
    if draft.status is VisitStatus.CANCELLED and message.kind is not FeedKind.CANCEL:
        return draft, Outcome.IGNORED_CANCELLED
    if draft.status is VisitStatus.REQUESTED:
        if message.kind is FeedKind.CANCEL:
            raise CancelTooLate("visit already registered")
        return _with(draft, discharged=draft.discharged or message.kind is FeedKind.DISCHARGE), \
            Outcome.IGNORED_AFTER_REQUEST
    ids = draft.message_ids + (message.message_id,)
    if message.kind is FeedKind.CANCEL:
        return _with(draft, status=VisitStatus.CANCELLED, message_ids=ids), Outcome.APPLIED
    # The changes are gathered first and applied with one copy (a draft is copied per message).
    changes: dict[str, object] = {"message_ids": ids,
                                  "discharged": draft.discharged or message.kind is FeedKind.DISCHARGE}
    newer = draft.demographics_as_of is None or message.sent_at >= draft.demographics_as_of
    if message.patient is not None and (newer or draft.patient is None):
        changes["patient"] = message.patient
    if message.coverages and (newer or not draft.coverages):
        changes["coverages"] = message.coverages
    if (message.patient is not None or message.coverages) and newer:
        changes["demographics_as_of"] = message.sent_at
    if message.visit is not None and (message.kind is not FeedKind.UPDATE or draft.visit is None):
        changes["visit"] = message.visit
        changes["visit_started_at"] = message.visit_started_at
    if message.services or message.diagnoses:
        # A DFT adds charges: its diagnoses follow those already known, and its pointers are shifted.
        known = {d.code.replace(".", "").upper(): i for i, d in enumerate(draft.diagnoses, start=1)}
        diagnoses = list(draft.diagnoses)
        renumber = {}
        for position, diagnosis in enumerate(message.diagnoses, start=1):
            code = diagnosis.code.replace(".", "").upper()
            if code not in known:
                diagnoses.append(diagnosis)
                known[code] = len(diagnoses)
            renumber[position] = known[code]
        services = tuple(
            s if (pointers := tuple(dict.fromkeys(renumber.get(p, p) for p in s.diagnosis_pointers))) == s.diagnosis_pointers
            else s.model_copy(update={"diagnosis_pointers": pointers})
            for s in message.services)
        changes["services"] = draft.services + services
        changes["diagnoses"] = tuple(diagnoses[:12])
    if message.note and message.kind in (FeedKind.REGISTER, FeedKind.CHARGES) and message.note != draft.note:
        # The A04's note and a DFT's note both describe the visit: keep both, in arrival order.
        changes["note"] = f"{draft.note}\n\n{message.note}" if draft.note else message.note
    updated = _with(draft, **changes)
    if not updated.missing:
        return _with(updated, status=VisitStatus.REQUESTED), Outcome.REQUESTED
    return updated, Outcome.APPLIED


def registration_request(draft: VisitDraft, source: str, message_id: str, now: datetime) -> RegistrationRequested:
    """The RegistrationRequested of a complete draft (raises pydantic's ValidationError if it is not).
    It is registered when the practice registered the visit (its start time, as the feed sent it),
    else now; never later than now."""
    registered_at = min(draft.visit_started_at, now) if draft.visit_started_at is not None else now
    return RegistrationRequested(
        source=source, source_message_id=message_id, registered_at=registered_at, patient=draft.patient,
        coverages=draft.coverages, visit=draft.visit, services=draft.services[:50], diagnoses=draft.diagnoses,
        note=draft.note)
