"""HL7 v2 messages to `FeedMessage`s: ADT (A01 to A08, A11 to A13, A40, ...) and DFT^P03.

Pure: no I/O. The message is split on demand (services/registration/hl7/text.py, which answers as
python-hl7 does and unescapes with it); this module reads the fields we use. A message that is not
for us (type, facility, header) raises a `MappingError` (AR); a well-formed message is always
mapped, and a piece billing cannot use (a patient whose address fails USPS rules, an IN1 without
a member id, an FT1 without a code) is left out with an `Issue` naming the HL7 field, never its
value (PHI): the visit then waits as a registration work item. Which events do what:
services/registration/hl7/events.py.

Fields read: MSH-4/6/7/9/10; PID-3 (the MR identifier, else the first), PID-5, PID-7, PID-8,
PID-11; PV1-2, PV1-3 (point of care = place of service code), PV1-7 (attending NPI = rendering),
PV1-19 (visit number), PV1-44 (date of service); IN1-1 (order), IN1-3 (payer id), IN1-4, IN1-8,
IN1-17, IN1-36 (member id; else IN2-61); FT1-4, FT1-10, FT1-11, FT1-19, FT1-25, FT1-26; DG1-3;
PR1-3, PR1-16; ROL-9 (taxonomy of the attending: ROL-3 AT, ROL-4 PV1-7's NPI); OBX-5 of text
observations (OBX-2 TX or FT: the visit's note, a line per repetition); a PV1-44 with a time of
day is also the registration time. Other segments (Z-segments included) are ignored and reported
as warnings.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from services.registration.facilities import Facility, UnknownFacility, facility_for
from services.registration.feed import UNMAPPED_PAYER, Area, FeedKind, FeedMessage, Issue, PayerRef
from services.registration.hl7.events import VISIT_KINDS, derived_visit_number, kind_of
from services.registration.hl7.header import Header, MappingError, normalize, read_header, split_messages
from services.registration.hl7.text import Hl7Text, Segment
from services.registration.numbers import NotANumber, decimal_value, quantity, whole_number
from shared.events import (
    Address, Coverage, CoverageOrder, Diagnosis, DocumentedService, Patient, Provider, Relationship, Sex, Subscriber,
    Visit,
)

_PAYER_ID = re.compile(r"^[A-Z0-9]{2,15}$")


def _filing_indicator(plan_type: str) -> str:
    """IN1-15 plan type as the 837's claim filing indicator (CI commercial, MB Medicare Part B,
    MC Medicaid, ...) when it is one; otherwise commercial."""
    code = plan_type.strip().upper()
    return code if len(code) == 2 and code.isalnum() else "CI"


KNOWN_SEGMENTS = {"MSH", "EVN", "PID", "PD1", "PV1", "PV2", "IN1", "IN2", "IN3", "FT1", "DG1", "PR1", "NK1",
                  "GT1", "AL1", "OBX", "NTE", "ROL", "MRG", "SFT", "UB1", "UB2", "ACC", "DB1", "DRG", "GT1", "PDA", "OBR"}
_RELATIONSHIP = {"SEL": Relationship.SELF, "18": Relationship.SELF, "SPO": Relationship.SPOUSE,
                 "01": Relationship.SPOUSE, "CHD": Relationship.CHILD, "19": Relationship.CHILD}
_ORDER = {1: CoverageOrder.PRIMARY, 2: CoverageOrder.SECONDARY, 3: CoverageOrder.TERTIARY}
_POS_BY_CLASS = {"O": "11", "R": "11", "E": "23", "I": "21"}


@dataclass(frozen=True, slots=True)
class Charge:
    """An FT1 line as sent: the amount is shown by `rcm ehr inspect` (coding prices from the chargemaster)."""

    procedure_code: str
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class Mapped:
    header: Header
    facility: Facility
    message: FeedMessage
    charges: tuple[Charge, ...] = ()


def map_message(text: str, facilities: dict[str, Facility], header: Header | None = None) -> Mapped:
    """Map one HL7 v2 message (whose MSH the caller may have read already); raise MappingError
    naming the field at fault."""
    text = normalize(text)
    header = header or read_header(text)
    kind = kind_of(header.message_type, header.trigger)
    if kind is None:
        raise MappingError("AR", "MSH-9", "UNSUPPORTED_MESSAGE_TYPE", "message type is not one registration accepts")
    try:
        facility = facility_for(facilities, header.sending_facility, header.receiving_facility)
    except UnknownFacility:
        raise MappingError("AR", "MSH-4", "UNKNOWN_FACILITY", "sending facility is not configured") from None
    message = Hl7Text(text, header.field_separator, header.encoding_characters)
    return _Reader(message, header, facility, kind).mapped()


def _digits(value: str) -> str:
    """The digits of an HL7 timestamp, without its time zone offset (YYYYMMDD[HHMM[SS]])."""
    return re.sub(r"[^0-9]", "", value.split("+")[0].split("-")[0])


def _sent_at(value: str) -> datetime:
    digits = _digits(value)
    if len(digits) < 8:
        raise ValueError("timestamp too short")
    parts = [int(digits[0:4]), int(digits[4:6]), int(digits[6:8]), int(digits[8:10] or 0), int(digits[10:12] or 0),
             int(digits[12:14] or 0)]
    return datetime(*parts, tzinfo=UTC)


def _date(value: str) -> date:
    return _sent_at(value).date()


def _started_at(value: str) -> datetime | None:
    """PV1-44 as the time the visit began, when it names a time of day (a date alone does not)."""
    if len(_digits(value)) < 12:
        return None
    return _sent_at(value)  # visit() has refused a PV1-44 that is not a date


class _Reader:
    def __init__(self, message: Hl7Text, header: Header, facility: Facility, kind: FeedKind) -> None:
        self.msg = message
        self.header = header
        self.facility = facility
        self.kind = kind
        self.get = message.get
        self.repetitions = message.repetitions
        self.issues: list[Issue] = []
        self._ft1_dates: list[str] = []

    def tolerate(self, area: Area, read, *args):
        """`read(*args)`, or None and an Issue when billing cannot use that piece."""
        try:
            return read(*args)
        except MappingError as unusable:
            self.issues.append(Issue(area=area, code=unusable.code, field=unusable.field, reason=str(unusable)))
            return None

    # --- field access ---------------------------------------------------------------------------
    def segments(self, name: str) -> list[Segment]:
        return self.msg.all(name)

    def one(self, name: str) -> Segment | None:
        return self.msg.first(name)

    def required(self, segment: Segment, name: str, field: int, component: int = 1, *, repetition: int = 1,
                 label: str | None = None) -> str:
        value = self.get(segment, field, repetition, component)
        if not value:
            where = label or f"{name}-{field}" + (f".{component}" if component > 1 else "")
            raise MappingError("AE", where, "REQUIRED_FIELD_MISSING", f"{where} is required")
        return value

    def build(self, model: type[BaseModel], where: dict[str, str], default: str, **values: Any) -> Any:
        """Build a payload model; a bad value is an AE naming the HL7 field (never the value)."""
        try:
            return model(**values)
        except ValidationError as invalid:
            first = invalid.errors(include_input=False)[0]
            field = where.get(str(first["loc"][0]) if first["loc"] else "", default)
            raise MappingError("AE", field, "INVALID_FIELD", f"{field} is not valid ({first['type']})") from None

    # --- the message --------------------------------------------------------------------------------
    def mapped(self) -> Mapped:
        try:
            sent_at = _sent_at(self.get(self.msg.first("MSH"), 7))
        except (ValueError, KeyError):
            raise MappingError("AE", "MSH-7", "INVALID_FIELD", "MSH-7 message date/time is not valid") from None
        unknown = sorted({s.name for s in self.msg.segments} - KNOWN_SEGMENTS)
        warnings = tuple(f"segment {name} ignored" for name in unknown if re.fullmatch(r"[A-Z][A-Z0-9]{2}", name))
        pid, pv1 = self.one("PID"), self.one("PV1")
        if pid is None:
            raise MappingError("AE", "PID", "SEGMENT_MISSING", "PID segment is required")
        mrn = self.mrn(pid)
        if not mrn:
            self.issues.append(Issue(area=Area.PATIENT, code="REQUIRED_FIELD_MISSING", field="PID-3",
                                     reason="PID-3 needs a medical record number"))
        patient = self.tolerate(Area.PATIENT, self.patient, pid, mrn) if mrn else None
        visit_number = self.get(pv1, 19) if pv1 is not None else ""
        if not visit_number and self.kind not in (FeedKind.UPDATE, FeedKind.MERGE):
            derived = derived_visit_number(self.kind, self.get(pid, 18), self.header.sending_facility,
                                           self.header.control_id)
            if derived is not None:
                visit_number = derived[0]
                warnings += (f"no PV1-19: visit number taken from {derived[1]}",)
        common = {"patient": patient, "warnings": warnings, "issues": (), "mrn": mrn or None}
        if self.kind is FeedKind.MERGE:
            merged = self.get(self.one("MRG"), 1) if self.one("MRG") is not None else ""
            if not merged or not mrn:
                raise MappingError("AE", "MRG-1", "REQUIRED_FIELD_MISSING", "MRG-1 prior patient identifier is required")
            return Mapped(self.header, self.facility, FeedMessage(
                self.kind, "hl7v2", self.header.control_id, sent_at, None, merged_mrn=merged,
                **{**common, "issues": tuple(self.issues)}))
        if self.kind in (FeedKind.CANCEL, FeedKind.DISCHARGE, FeedKind.CANCEL_DISCHARGE, FeedKind.RECORD):
            message = FeedMessage(self.kind, "hl7v2", self.header.control_id, sent_at, visit_number or None,
                                  **{**common, "issues": tuple(self.issues)})
            return Mapped(self.header, self.facility, message)
        coverages, payer_refs = self.coverages()
        diagnoses = self.diagnoses()
        services, charges = self.services(diagnoses)
        visit = None
        if pv1 is None and self.kind in VISIT_KINDS:
            self.issues.append(Issue(area=Area.VISIT, code="SEGMENT_MISSING", field="PV1", reason="PV1 segment is missing"))
        elif pv1 is not None and visit_number and self.kind is FeedKind.REGISTER:
            visit = self.tolerate(Area.VISIT, self.visit, pv1, visit_number)
        elif pv1 is not None and visit_number:  # an update's or a DFT's PV1 only helps when it is complete
            with contextlib.suppress(MappingError):
                visit = self.visit(pv1, visit_number)
        if self.kind is FeedKind.CHARGES and not services and not any(i.area is Area.SERVICES for i in self.issues):
            self.issues.append(Issue(area=Area.SERVICES, code="SEGMENT_MISSING", field="FT1",
                                     reason="DFT^P03 has no FT1 charge"))
        message = FeedMessage(self.kind, "hl7v2", self.header.control_id, sent_at, visit_number or None,
                              coverages=coverages, payer_refs=payer_refs, visit=visit, services=services,
                              diagnoses=diagnoses[:12], note=self.note(),
                              visit_started_at=_started_at(self.get(pv1, 44)) if visit is not None else None,
                              **{**common, "issues": tuple(self.issues)})
        return Mapped(self.header, self.facility, message, charges)

    def mrn(self, pid: Segment) -> str:
        """The MR-typed PID-3 identifier; else the first that is not a national id (SS, SSN): never an SSN."""
        repetitions = max(self.repetitions(pid, 3), 1)
        identifiers = [(self.get(pid, 3, r, 5).upper(), self.get(pid, 3, r)) for r in range(1, repetitions + 1)]
        mrn = next((value for kind, value in identifiers if kind == "MR" and value), "") or next(
            (value for kind, value in identifiers if kind not in ("SS", "SSN") and value), "")
        if not mrn and self.kind is FeedKind.MERGE:
            mrn = self.get(pid, 2)  # v2.3 senders put the patient id in PID-2
        return mrn[:200]

    def patient(self, pid: Segment, mrn: str) -> Patient:
        last = self.required(pid, "PID", 5, 1, label="PID-5")
        first = self.required(pid, "PID", 5, 2, label="PID-5")
        try:
            birth = _date(self.required(pid, "PID", 7))
        except ValueError:
            raise MappingError("AE", "PID-7", "INVALID_FIELD", "PID-7 date of birth is not valid") from None
        sex = {"F": Sex.FEMALE, "M": Sex.MALE}.get(self.get(pid, 8).upper(), Sex.UNKNOWN)
        line1 = self.required(pid, "PID", 11, 1, label="PID-11")
        city = self.required(pid, "PID", 11, 3, label="PID-11")
        country = self.get(pid, 11, 1, 6).upper()
        if country not in ("", "US", "USA", "840"):
            raise MappingError("AE", "PID-11", "ADDRESS_NOT_US", "PID-11 is not a US address (PID-11.6)")
        try:
            address = Address(line1=line1, city=city, state=self.get(pid, 11, 1, 4).upper(),
                              postal_code=self.get(pid, 11, 1, 5).replace("-", "").replace(" ", ""))
        except ValidationError:
            raise MappingError("AE", "PID-11", "ADDRESS_NOT_USPS",
                               "PID-11 state or ZIP code does not follow USPS rules") from None
        return self.build(Patient, {"mrn": "PID-3", "first_name": "PID-5", "last_name": "PID-5"}, "PID",
                          mrn=mrn, first_name=first, last_name=last, birth_date=birth, sex=sex, address=address)

    def coverages(self) -> tuple[tuple[Coverage, ...], tuple[PayerRef, ...]]:
        in2s = self.segments("IN2")
        read: list[tuple[Coverage, PayerRef]] = []
        for position, in1 in enumerate(self.segments("IN1"), start=1):
            found = self.tolerate(Area.COVERAGE, self.coverage, in1, position, in2s)
            if found is not None:
                if any(c.order is found[0].order for c, _ in read):
                    self.issues.append(Issue(area=Area.COVERAGE, code="INVALID_FIELD", field="IN1-1",
                                             reason="two IN1 segments have the same order; the later is left out"))
                    continue
                read.append(found)
        return tuple(c for c, _ in read), tuple(r for _, r in read)

    def coverage(self, in1: Segment, position: int, in2s: list[Segment]) -> tuple[Coverage, PayerRef]:
        set_id = self.get(in1, 1)
        try:
            order = _ORDER.get(whole_number(set_id, digits=3) if set_id else position)
        except NotANumber:
            order = None
        if order is None:
            raise MappingError("AE", "IN1-1", "INVALID_FIELD", "IN1-1 set id must be 1, 2 or 3")
        member_id = self.get(in1, 36) or (self.get(in2s[position - 1], 61) if position <= len(in2s) else "")
        if not member_id:
            raise MappingError("AE", "IN1-36", "REQUIRED_FIELD_MISSING", "IN1-36 policy number is required")
        company, name = self.get(in1, 3), self.get(in1, 4)
        ref = PayerRef(codes=tuple(c for c in (company,) if c), names=tuple(n for n in (name,) if n))
        payer_id = company.upper() if _PAYER_ID.fullmatch(company.upper()) else UNMAPPED_PAYER
        relationship = _RELATIONSHIP.get(self.get(in1, 17).upper(),
                                         Relationship.OTHER if self.get(in1, 17) else Relationship.SELF)
        coverage = self.build(
            Coverage, {"payer_name": "IN1-4", "member_id": "IN1-36", "group_number": "IN1-8"}, "IN1",
            payer_id=payer_id, payer_name=(name or company or "UNKNOWN PAYER")[:200], member_id=member_id[:200],
            group_number=self.get(in1, 8)[:200] or None, relationship=relationship, order=order,
            subscriber=self.insured(in1) if relationship is not Relationship.SELF else None,
            claim_filing_indicator=_filing_indicator(self.get(in1, 15)))
        return coverage, ref

    def insured(self, in1: Segment) -> Subscriber | None:
        """IN1-16 insured's name, IN1-18 date of birth, IN1-43 sex: who holds a dependent's coverage."""
        last, first = self.get(in1, 16, 1, 1), self.get(in1, 16, 1, 2)
        if not last or not first:
            return None
        born = self.get(in1, 18)
        try:
            birth_date = datetime.strptime(born[:8], "%Y%m%d").date() if born else None
        except ValueError:
            raise MappingError("AE", "IN1-18", "INVALID_FIELD", "IN1-18 insured's date of birth is not a date") from None
        sex = self.get(in1, 43).upper()
        return self.build(Subscriber, {"first_name": "IN1-16", "last_name": "IN1-16"}, "IN1-16", first_name=first,
                          last_name=last, birth_date=birth_date, sex=sex if sex in ("F", "M", "U") else "U")

    def diagnoses(self) -> tuple[Diagnosis, ...]:
        read = (self.tolerate(Area.SERVICES, lambda dg1: self.build(Diagnosis, {"code": "DG1-3"}, "DG1-3",
                                                                     code=self.required(dg1, "DG1", 3)), dg1)
                for dg1 in self.segments("DG1"))
        return tuple(d for d in read if d is not None)

    def services(self, diagnoses: tuple[Diagnosis, ...]) -> tuple[tuple[DocumentedService, ...], tuple[Charge, ...]]:
        position = {d.code.replace(".", "").upper(): i for i, d in enumerate(diagnoses, start=1)}
        read = [self.tolerate(Area.SERVICES, self.charge, ft1, position) for ft1 in self.segments("FT1")]
        read += [self.tolerate(Area.SERVICES, self.procedure, pr1) for pr1 in self.segments("PR1")]
        self._ft1_dates = [self.get(ft1, 4) for ft1 in self.segments("FT1")]
        found = [r for r in read if r is not None]
        return tuple(s for s, _ in found), tuple(c for _, c in found)

    def charge(self, ft1: Segment, position: dict[str, int]) -> tuple[DocumentedService, Charge]:
        code = self.required(ft1, "FT1", 25).upper()
        modifiers = tuple(self.get(ft1, 26, r).upper() for r in range(1, self.repetitions(ft1, 26) + 1)
                          if self.get(ft1, 26, r))
        try:
            units = quantity(self.get(ft1, 10) or "1")
        except NotANumber:
            raise MappingError("AE", "FT1-10", "INVALID_FIELD", "FT1-10 quantity is not a number") from None
        amount_text = self.get(ft1, 11)
        try:
            amount = decimal_value(amount_text, integer_digits=10).quantize(Decimal("0.01")) if amount_text else None
        except NotANumber:
            raise MappingError("AE", "FT1-11", "INVALID_FIELD", "FT1-11 amount is not a number") from None
        if amount is not None and amount < 0:
            raise MappingError("AE", "FT1-11", "INVALID_FIELD", "FT1-11 amount is negative")
        pointers = []
        for repetition in range(1, self.repetitions(ft1, 19) + 1):
            dx = self.get(ft1, 19, repetition).replace(".", "").upper()
            if not dx:
                continue
            if dx not in position:
                raise MappingError("AE", "FT1-19", "DIAGNOSIS_NOT_SENT", "FT1-19 names a diagnosis with no DG1")
            pointers.append(position[dx])
        service = self.build(
            DocumentedService, {"procedure_code": "FT1-25", "modifiers": "FT1-26", "units": "FT1-10",
                                "diagnosis_pointers": "FT1-19"}, "FT1",
            procedure_code=code, modifiers=modifiers, units=units,
            diagnosis_pointers=tuple(dict.fromkeys(pointers))[:4] or (1,))
        return service, Charge(code, amount)

    def procedure(self, pr1: Segment) -> tuple[DocumentedService, Charge]:
        code = self.required(pr1, "PR1", 3).upper()
        modifiers = tuple(self.get(pr1, 16, r).upper() for r in range(1, self.repetitions(pr1, 16) + 1)
                          if self.get(pr1, 16, r))
        service = self.build(DocumentedService, {"procedure_code": "PR1-3", "modifiers": "PR1-16"}, "PR1",
                             procedure_code=code, modifiers=modifiers)
        return service, Charge(code, None)

    def note(self) -> str | None:
        """The text observations (OBX-2 TX or FT) as one note: a line per OBX-5 repetition."""
        lines = [self.get(obx, 5, r) for obx in self.segments("OBX") if self.get(obx, 2).upper() in ("TX", "FT")
                 for r in range(1, self.repetitions(obx, 5) + 1)]
        return "\n".join(lines).strip() or None

    def visit(self, pv1: Segment, visit_number: str) -> Visit | None:
        when = self.get(pv1, 44) or next((d for d in self._ft1_dates if d), "")
        if not when:
            if self.kind is not FeedKind.REGISTER:
                return None  # an update or a DFT without a date: the visit's own message brings it
            raise MappingError("AE", "PV1-44", "REQUIRED_FIELD_MISSING", "PV1-44 date of service is required")
        try:
            date_of_service = _date(when)
        except ValueError:
            raise MappingError("AE", "PV1-44", "INVALID_FIELD", "PV1-44 date of service is not valid") from None
        place = self.get(pv1, 3)
        if not re.fullmatch(r"\d{2}", place):
            place = _POS_BY_CLASS.get(self.get(pv1, 2).upper(), "")
        if not place:
            raise MappingError("AE", "PV1-3", "REQUIRED_FIELD_MISSING", "PV1-3 place of service is required")
        npi = self.required(pv1, "PV1", 7, label="PV1-7")
        name = " ".join(part for part in (self.get(pv1, 7, 1, 2), self.get(pv1, 7, 1, 3)) if part) or "ATTENDING"
        taxonomy = next((self.get(rol, 9) for rol in self.segments("ROL")
                         if self.get(rol, 3).upper() == "AT" and self.get(rol, 4) == npi and self.get(rol, 9)), None)
        rendering = self.build(Provider, {"npi": "PV1-7", "name": "PV1-7", "taxonomy": "ROL-9"}, "PV1-7", npi=npi,
                               name=name.upper(), taxonomy=taxonomy)
        return self.build(Visit, {"visit_number": "PV1-19", "date_of_service": "PV1-44", "place_of_service": "PV1-3"},
                          "PV1", visit_number=visit_number, date_of_service=date_of_service, place_of_service=place,
                          rendering=rendering, billing=self.facility.billing)


__all__ = ["Charge", "Header", "Mapped", "MappingError", "map_message", "normalize", "read_header", "split_messages"]
