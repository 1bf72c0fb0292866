"""A tenant's payer crosswalk: how its senders name payers (an insurer's own company code or name
in IN1-3/IN1-4, a FHIR Coverage.payor identifier, reference or display) -> our payer id.

Pure: no I/O. Loaded from a CSV file (`rcm payers crosswalk load FILE --tenant T`), every row
validated and the whole file refused for one bad row; a load replaces the tenant's crosswalk.

    match,sender_code,payer_id,payer_name,effective_from[,effective_to]
    code,BCBS-IL 00621,BCBSIL,Blue Cross Blue Shield of Illinois,2026-01-01,
    name,AETNA HEALTH INC,60054,Aetna,2026-01-01,2026-12-31

`match` is `code` (IN1-3, Coverage.payor identifier value or reference) or `name` (IN1-4,
Coverage.payor display); the sender's text is compared without case and with runs of spaces as
one. Two rows for the same match and sender code may not overlap in their effective dates.

How a coverage's payer id is found (`resolve_draft`), on the visit's date of service (else today):
1. a crosswalk row that matches one of the sender's codes, else one of its names;
2. else the sender's code itself, when it is a payer id (2 to 15 letters or digits) and the tenant
   has no crosswalk, or the crosswalk names that payer id (the sender uses our ids);
3. else the coverage keeps the payer id `UNMAPPED` and the visit gets a work item
   `PAYER_UNMAPPED` (or `PAYER_MISSING` when the sender named no payer at all). Loading a
   crosswalk that maps it releases the work item.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from services.registration.feed import UNMAPPED_PAYER, Area, FeedMessage, Issue, PayerRef, VisitDraft, apply
from shared.events import CoverageOrder

REQUIRED_COLUMNS = ("match", "sender_code", "payer_id", "payer_name", "effective_from")
OPTIONAL_COLUMNS = ("effective_to",)
MATCHES = ("code", "name")
_PAYER_ID = re.compile(r"^[A-Z0-9]{2,15}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LISTED = 20


def normalized(text: str) -> str:
    """How sender codes and names are compared: upper case, runs of white space as one space."""
    return " ".join(text.upper().split())


@dataclass(frozen=True, slots=True)
class CrosswalkEntry:
    match: str  # "code" | "name"
    sender_code: str  # normalized
    payer_id: str
    payer_name: str
    effective_from: date
    effective_to: date | None = None

    def is_effective_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def as_document(self, tenant_id: str) -> dict:
        return {"tenant_id": tenant_id, "match": self.match, "sender_code": self.sender_code,
                "payer_id": self.payer_id, "payer_name": self.payer_name,
                "effective_from": self.effective_from.isoformat(),
                "effective_to": self.effective_to.isoformat() if self.effective_to else None}

    @classmethod
    def from_document(cls, document: dict) -> CrosswalkEntry:
        return cls(document["match"], document["sender_code"], document["payer_id"], document["payer_name"],
                   date.fromisoformat(document["effective_from"]),
                   date.fromisoformat(document["effective_to"]) if document.get("effective_to") else None)


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int  # the file's line; 1 is the header
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


class CrosswalkFileError(ValueError):
    """A crosswalk file with at least one bad row; `problems` lists every one."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(str(p) for p in self.problems[:_LISTED])
        super().__init__(f"crosswalk refused, nothing loaded, {len({p.row for p in self.problems})} bad row(s): {listed}")


class Crosswalk:
    """A tenant's crosswalk rows, looked up by the sender's codes and names on a day."""

    def __init__(self, entries: Iterable[CrosswalkEntry]) -> None:
        self.entries = tuple(entries)
        self._by_key: dict[tuple[str, str], list[CrosswalkEntry]] = {}
        for entry in self.entries:
            self._by_key.setdefault((entry.match, entry.sender_code), []).append(entry)
        self.payer_ids = frozenset(e.payer_id for e in self.entries)

    def lookup(self, ref: PayerRef, day: date) -> CrosswalkEntry | None:
        for match, values in (("code", ref.codes), ("name", ref.names)):
            for value in values:
                for entry in self._by_key.get((match, normalized(value)), ()):
                    if entry.is_effective_on(day):
                        return entry
        return None

    def payer_id_for(self, ref: PayerRef, day: date) -> str | None:
        """Our payer id for the payer the sender named, or None (rules in the module docstring)."""
        entry = self.lookup(ref, day)
        if entry is not None:
            return entry.payer_id
        for code in ref.codes:
            candidate = normalized(code)
            if _PAYER_ID.fullmatch(candidate) and (not self.entries or candidate in self.payer_ids):
                return candidate
        return None


EMPTY = Crosswalk(())


def resolve_draft(draft: VisitDraft, crosswalk: Crosswalk, today: date) -> VisitDraft:
    """Set each coverage's payer id from the crosswalk and replace the visit's payer work items
    with those still unresolved. A coverage with no PayerRef (a payer id given by our own
    simulator or an older draft) keeps its payer id."""
    day = draft.visit.date_of_service if draft.visit is not None else today
    coverages, issues = [], []
    for position, coverage in enumerate(draft.coverages):
        ref = draft.payer_refs[position] if position < len(draft.payer_refs) else PayerRef()
        if ref.empty:
            if coverage.payer_id == UNMAPPED_PAYER:
                issues.append(_payer_issue(coverage.order, "PAYER_MISSING", "names no payer"))
            coverages.append(coverage)
            continue
        payer_id = crosswalk.payer_id_for(ref, day)
        entry = crosswalk.lookup(ref, day)
        if payer_id is None:
            issues.append(_payer_issue(coverage.order, "PAYER_UNMAPPED",
                                       "names a payer the tenant's payer crosswalk does not map"))
            payer_id = UNMAPPED_PAYER
        update: dict[str, object] = {"payer_id": payer_id}
        if entry is not None:
            update["payer_name"] = entry.payer_name
        coverages.append(coverage.model_copy(update=update) if payer_id != coverage.payer_id or entry else coverage)
    kept = tuple(i for i in draft.issues if i.area is not Area.PAYER)
    return draft.model_copy(update={"coverages": tuple(coverages), "issues": kept + tuple(issues)})


def _payer_issue(order: CoverageOrder, code: str, what: str) -> Issue:
    return Issue(area=Area.PAYER, code=code, field=f"coverage.{order}.payer", reason=f"the {order} coverage {what}")


def parse_crosswalk_csv(text: str) -> list[CrosswalkEntry]:
    """Every row of a crosswalk CSV, or CrosswalkFileError listing every bad row."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    problems: list[RowProblem] = []
    header = next(reader, None)
    columns = tuple(c.strip().lower() for c in header or ())
    problems += [RowProblem(1, f"missing column {c}") for c in REQUIRED_COLUMNS if c not in columns]
    problems += [RowProblem(1, f"unknown column {c[:40]!r}") for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if problems:
        raise CrosswalkFileError(problems)
    entries: list[CrosswalkEntry] = []
    rows: list[int] = []
    try:
        for cells in reader:
            row = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                problems.append(RowProblem(row, f"has {len(cells)} fields, the header has {len(columns)}"))
                continue
            entry, reasons = _read_row(dict(zip(columns, cells)))
            problems += [RowProblem(row, reason) for reason in reasons]
            if entry is not None:
                entries.append(entry)
                rows.append(row)
    except csv.Error as unreadable:
        problems.append(RowProblem(reader.line_num, f"not readable as CSV: {unreadable}"))
    problems += [RowProblem(rows[later], f"effective dates overlap row {rows[earlier]} (same match and sender_code)")
                 for earlier, later in overlapping(entries)]
    if not entries and not problems:
        problems.append(RowProblem(1, "no rows"))
    if problems:
        raise CrosswalkFileError(sorted(problems, key=lambda p: p.row))
    return entries


def overlapping(entries: Sequence[CrosswalkEntry]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) of positions whose rows share match and sender code and whose dates
    overlap (an open end overlaps every later start)."""
    by_key: dict[tuple[str, str], list[int]] = {}
    for position, entry in enumerate(entries):
        by_key.setdefault((entry.match, entry.sender_code), []).append(position)
    pairs = []
    for positions in by_key.values():
        positions.sort(key=lambda n: entries[n].effective_from)
        for earlier, later in zip(positions, positions[1:]):
            ends = entries[earlier].effective_to
            if ends is None or ends >= entries[later].effective_from:
                pairs.append((earlier, later))
    return pairs


def _read_row(cells: dict[str, str]) -> tuple[CrosswalkEntry | None, list[str]]:
    reasons = []
    match = cells["match"].strip().lower()
    if match not in MATCHES:
        reasons.append("match must be code or name")
    sender_code = normalized(cells["sender_code"])
    if not sender_code or len(sender_code) > 80:
        reasons.append("sender_code must be 1 to 80 characters")
    payer_id = cells["payer_id"].strip().upper()
    if not _PAYER_ID.fullmatch(payer_id):
        reasons.append("payer_id must be 2 to 15 letters or digits")
    payer_name = cells["payer_name"].strip()
    if not payer_name or len(payer_name) > 60:
        reasons.append("payer_name must be 1 to 60 characters")
    starts = _date(cells["effective_from"], "effective_from", reasons, required=True)
    ends = _date(cells.get("effective_to", ""), "effective_to", reasons, required=False)
    if starts and ends and ends < starts:
        reasons.append("effective_to is before effective_from")
    if reasons or starts is None:
        return None, reasons
    return CrosswalkEntry(match, sender_code, payer_id, payer_name, starts, ends), []


def _date(cell: str, column: str, reasons: list[str], *, required: bool) -> date | None:
    text = cell.strip()
    if not text:
        if required:
            reasons.append(f"{column} is empty")
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        reasons.append(f"{column} is not a date like 2026-01-31")
        return None


def issues_for(message: FeedMessage, crosswalk: Crosswalk, today: date) -> tuple[Issue, ...]:
    """The work items `message` alone would open for its visit (or its patient): what
    `rcm ehr inspect` lists, and what a first message for a visit opens in the feed."""
    if not message.visit_number:
        return tuple(i for i in message.issues if i.area in (Area.PATIENT, Area.COVERAGE))
    draft, _ = apply(VisitDraft(visit_number=message.visit_number), message,
                     lambda d: resolve_draft(d, crosswalk, today))
    return draft.issues
