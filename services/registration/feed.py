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

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shared.events import (
    Coverage, CoverageOrder, Diagnosis, DocumentedService, Model, Patient, RegistrationRequested, Visit,
)


class FeedKind(StrEnum):
    REGISTER = "register"  # ADT^A01 admit, A04 register, A05 pre-admit, A06/A07 class change; FHIR Encounter
    UPDATE = "update"  # ADT^A08 (and A02 transfer, A28/A31 person): patient or coverage
    DISCHARGE = "discharge"  # ADT^A03
    CANCEL = "cancel"  # ADT^A11 cancel admit/visit
    CANCEL_DISCHARGE = "cancel_discharge"  # ADT^A13: the visit is not ended after all
    RECORD = "record"  # ADT^A12 cancel transfer and other ADT events: acknowledged, nothing to change
    MERGE = "merge"  # ADT^A40 (A34): the MRG patient identifier now belongs to the PID patient
    CHARGES = "charges"  # DFT^P03, FHIR ChargeItem/Procedure/Condition


class Area(StrEnum):
    """Which piece of a visit a work item is about: a message that carries the piece again
    replaces that piece's work items (an A08 with a good address releases the address's)."""

    PATIENT = "patient"
    COVERAGE = "coverage"
    PAYER = "payer"  # recomputed from the payer crosswalk whenever the visit is read
    VISIT = "visit"
    SERVICES = "services"


class Issue(Model):
    """Why a well-formed message still leaves its visit unbillable: stored as a registration work
    item. `field` names the place (PID-11, Coverage.payor), `reason` says what is wrong; neither
    quotes a value (no PHI)."""

    area: Area
    code: str
    field: str
    reason: str


class PayerRef(Model):
    """How the sender named a coverage's payer: its own company code and name (IN1-3/IN1-4, FHIR
    Coverage.payor identifier, reference, display). The payer crosswalk turns it into our payer id."""

    codes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.codes and not self.names


UNMAPPED_PAYER = "UNMAPPED"  # the payer id of a coverage whose payer the crosswalk does not know yet


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
    issues: tuple[Issue, ...] = ()  # what the message lacks for billing: work items, not refusals
    payer_refs: tuple[PayerRef, ...] = ()  # one per coverage, in the same order
    mrn: str | None = None  # the patient's MRN, also when the rest of the patient could not be used
    merged_mrn: str | None = None  # A40: the prior MRN now merged into `mrn`


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
    issues: tuple[Issue, ...] = ()  # open work items: why the visit cannot be billed yet
    payer_refs: tuple[PayerRef, ...] = ()  # aligned with `coverages`
    cancelled_at: datetime | None = None  # the sent time of the cancel (a newer register reopens)
    source: str | None = None  # the feed of the newest message ("hl7v2" | "fhir")

    @property
    def missing(self) -> tuple[str, ...]:
        """What the visit still lacks before it can be registered."""
        lacking = [f"work item {i.code}" for i in self.issues]
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


def _discharged(draft: VisitDraft, message: FeedMessage) -> bool:
    if message.kind is FeedKind.CANCEL_DISCHARGE:
        return False
    return draft.discharged or message.kind is FeedKind.DISCHARGE


def _issues(draft: VisitDraft, message: FeedMessage, carried: set[Area]) -> tuple[Issue, ...]:
    """The draft's work items after `message`: those of each area the message carried again are
    replaced by the message's own (an area is carried when the message has the piece or an issue
    about it)."""
    carried = carried | {i.area for i in message.issues}
    return tuple(i for i in draft.issues if i.area not in carried) + tuple(
        i for i in message.issues if i.area is not Area.PAYER)


def apply(draft: VisitDraft, message: FeedMessage,
          resolve: Callable[[VisitDraft], VisitDraft] | None = None) -> tuple[VisitDraft, Outcome]:
    """Fold `message` into `draft`; `resolve` (the payer crosswalk) then sets the coverages' payer
    ids and the payer work items. Raise CancelTooLate for a cancel of a visit handed on."""
    reopen = (draft.status is VisitStatus.CANCELLED and message.kind is FeedKind.REGISTER
              and draft.cancelled_at is not None and message.sent_at > draft.cancelled_at)
    if draft.status is VisitStatus.CANCELLED and message.kind is not FeedKind.CANCEL and not reopen:
        return draft, Outcome.IGNORED_CANCELLED
    if draft.status is VisitStatus.REQUESTED:
        if message.kind is FeedKind.CANCEL:
            raise CancelTooLate("visit already registered")
        return _with(draft, discharged=_discharged(draft, message)), Outcome.IGNORED_AFTER_REQUEST
    ids = draft.message_ids + (message.message_id,)
    if message.kind is FeedKind.CANCEL:
        return _with(draft, status=VisitStatus.CANCELLED, message_ids=ids, cancelled_at=message.sent_at), Outcome.APPLIED
    # The changes are gathered first and applied with one copy (a draft is copied per message).
    changes: dict[str, object] = {"message_ids": ids, "discharged": _discharged(draft, message),
                                  "status": VisitStatus.OPEN, "cancelled_at": None, "source": message.source}
    carried: set[Area] = set()
    newer = draft.demographics_as_of is None or message.sent_at >= draft.demographics_as_of
    if message.patient is not None and (newer or draft.patient is None):
        changes["patient"] = message.patient
        carried.add(Area.PATIENT)
    if message.coverages and (newer or not draft.coverages):
        changes["coverages"] = message.coverages
        changes["payer_refs"] = message.payer_refs or tuple(PayerRef() for _ in message.coverages)
        carried.add(Area.COVERAGE)
    if (message.patient is not None or message.coverages) and newer:
        changes["demographics_as_of"] = message.sent_at
    if message.visit is not None and (message.kind is not FeedKind.UPDATE or draft.visit is None):
        changes["visit"] = message.visit
        changes["visit_started_at"] = message.visit_started_at
        carried.add(Area.VISIT)
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
        carried.add(Area.SERVICES)
    if message.note and message.kind in (FeedKind.REGISTER, FeedKind.CHARGES) and message.note != draft.note:
        # The A04's note and a DFT's note both describe the visit: keep both, in arrival order.
        changes["note"] = f"{draft.note}\n\n{message.note}" if draft.note else message.note
    # An older message's patient and coverage issues are stale when newer pieces are known.
    stale = {a for a, known in ((Area.PATIENT, draft.patient), (Area.COVERAGE, draft.coverages)) if known and not newer}
    if stale:
        message = replace(message, issues=tuple(i for i in message.issues if i.area not in stale))
    changes["issues"] = _issues(draft, message, carried)
    updated = _with(draft, **changes)
    if resolve is not None:
        updated = resolve(updated)
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
