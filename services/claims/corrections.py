"""What a person may change in a claim the machine could not send or the payer refused: diagnoses
and their pointers, modifiers, units, place of service, the rendering and billing NPIs and the date
of service. Pure: `apply_edits` returns the edited claim content and the names of what changed
(codes, never values, so an audit record or an event can carry them without PHI)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.claims.lifecycle import ClaimsError
from shared.events import ChargeLine, Modifier, Npi, PlaceOfService, ProcedureCode, SubmittedClaim

DiagnosisCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9A-Z]{2,6}$")]
Pointer = Annotated[int, Field(ge=1, le=12)]


class LineEdit(BaseModel):
    """Changes to one service line, named by its line number; a field left out stays as it was."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    line_number: Annotated[int, Field(ge=1, le=50)]
    procedure_code: ProcedureCode | None = None
    modifiers: tuple[Modifier, ...] | None = Field(default=None, max_length=4)
    units: Annotated[int, Field(ge=1, le=999)] | None = None
    diagnosis_pointers: tuple[Pointer, ...] | None = Field(default=None, min_length=1, max_length=4)


class ClaimEdits(BaseModel):
    """A person's changes to a claim. Only what is given changes."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    diagnoses: tuple[DiagnosisCode, ...] | None = Field(default=None, min_length=1, max_length=12)
    place_of_service: PlaceOfService | None = None
    rendering_npi: Npi | None = None
    billing_npi: Npi | None = None
    date_of_service: date | None = None
    lines: tuple[LineEdit, ...] = Field(default=(), max_length=50)


class CloseReason(StrEnum):
    """Why a person closes a claim the machine could not send: codes, never free text (PHI)."""

    DUPLICATE = "DUPLICATE"  # another claim bills the same visit
    NOT_BILLABLE = "NOT_BILLABLE"  # the service is not billed to this payer (research, courtesy)
    BILLED_ELSEWHERE = "BILLED_ELSEWHERE"  # billed on another claim or by another provider
    SELF_PAY = "SELF_PAY"  # the patient pays; no payer claim
    TIMELY_FILING_PASSED = "TIMELY_FILING_PASSED"
    OTHER = "OTHER"


class InvalidCorrection(ClaimsError):
    code = "INVALID_CORRECTION"


def apply_edits(content: SubmittedClaim, edits: ClaimEdits) -> tuple[SubmittedClaim, tuple[str, ...]]:
    """Return `content` with `edits` applied, and what changed ("diagnoses", "line_2_modifiers" ...).

    A line's charge follows its units at the line's unit price, and the claim total follows its
    lines. Raises InvalidCorrection for a line the claim does not have, a change that changes
    nothing, or an edited claim that is no longer a valid claim (its reason names fields only)."""
    changed: list[str] = []
    update: dict = {}
    visit = content.visit
    if edits.diagnoses is not None and edits.diagnoses != content.diagnoses:
        update["diagnoses"] = edits.diagnoses
        changed.append("diagnoses")
    visit_update: dict = {}
    if edits.place_of_service is not None and edits.place_of_service != visit.place_of_service:
        visit_update["place_of_service"] = edits.place_of_service
        changed.append("place_of_service")
    if edits.date_of_service is not None and edits.date_of_service != visit.date_of_service:
        visit_update["date_of_service"] = edits.date_of_service
        changed.append("date_of_service")
    if edits.rendering_npi is not None and edits.rendering_npi != visit.rendering.npi:
        visit_update["rendering"] = visit.rendering.model_copy(update={"npi": edits.rendering_npi})
        changed.append("rendering_npi")
    if edits.billing_npi is not None and edits.billing_npi != visit.billing.npi:
        visit_update["billing"] = visit.billing.model_copy(update={"npi": edits.billing_npi})
        changed.append("billing_npi")
    if visit_update:
        update["visit"] = visit.model_copy(update=visit_update)
    lines = {line.line_number: line for line in content.lines}
    for edit in edits.lines:
        line = lines.get(edit.line_number)
        if line is None:
            raise InvalidCorrection(f"claim {content.claim_id} has no line {edit.line_number}")
        lines[edit.line_number], line_changes = _edit_line(line, edit)
        changed.extend(f"line_{edit.line_number}_{name}" for name in line_changes)
    if any(lines[line.line_number] is not line for line in content.lines):
        new_lines = tuple(lines[line.line_number] for line in content.lines)
        update["lines"] = new_lines
        update["total_charge"] = sum((line.charge for line in new_lines), Decimal("0.00"))
    if not changed:
        raise InvalidCorrection(f"the edits change nothing on claim {content.claim_id}")
    # Pointers that name no diagnosis are the scrubber's to find (DXP-003), as on any claim: a
    # person may fix a claim in several steps.
    try:
        edited = SubmittedClaim.model_validate({**content.model_dump(), **_dumped(update)})
    except ValueError as invalid:  # pydantic's message would quote values: name the fields only
        fields = sorted({".".join(map(str, error["loc"])) for error in getattr(invalid, "errors", lambda: [])()})
        raise InvalidCorrection(f"the edited claim is not valid: {', '.join(fields) or 'content'}") from None
    return edited, tuple(changed)


def _edit_line(line: ChargeLine, edit: LineEdit) -> tuple[ChargeLine, list[str]]:
    update: dict = {}
    for name in ("procedure_code", "modifiers", "diagnosis_pointers"):
        value = getattr(edit, name)
        if value is not None and value != getattr(line, name):
            update[name] = value
    if edit.units is not None and edit.units != line.units:
        unit_price = line.charge / line.units
        update["units"] = edit.units
        update["charge"] = (unit_price * edit.units).quantize(Decimal("0.01"))
    if not update:
        return line, []
    return line.model_copy(update=update), [name for name in update if name != "charge"]


def _dumped(update: dict) -> dict:
    return {key: value.model_dump() if isinstance(value, BaseModel)
            else tuple(v.model_dump() if isinstance(v, BaseModel) else v for v in value) if isinstance(value, tuple)
            else value for key, value in update.items()}
