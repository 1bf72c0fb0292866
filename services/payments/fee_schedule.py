"""Per-payer contract fee schedules: the allowed amount a payer agreed to pay for a service.

CSV header: `payer_id,procedure_code,modifiers,effective_from,effective_to,allowed`. `modifiers`
is empty or up to four two-character modifiers separated by spaces (order ignored);
`effective_to` is empty for an open-ended rate; `allowed` is the amount for ONE unit, to the cent.
Every row is validated before anything is loaded, and an error names the row and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from services.payments.balance import PaymentsError

HEADER: Final = ("payer_id", "procedure_code", "modifiers", "effective_from", "effective_to", "allowed")
_PAYER = re.compile(r"^[A-Z0-9]{2,15}$")
_CODE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")


class FeeScheduleInvalid(PaymentsError):
    code = "FEE_SCHEDULE_INVALID"

    def __init__(self, row: int, column: str, problem: str) -> None:
        self.row, self.column = row, column
        super().__init__(f"row {row}, column {column}: {problem}")


@dataclass(frozen=True, slots=True)
class FeeScheduleEntry:
    payer_id: str
    procedure_code: str
    modifiers: tuple[str, ...]  # sorted
    effective_from: date
    effective_to: date | None
    allowed: Decimal  # per unit

    def covers(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def parse_fee_schedule_csv(text: str) -> tuple[FeeScheduleEntry, ...]:
    """Return every row as an entry; raise FeeScheduleInvalid (row number counting the header as
    row 1) at the first bad row or column, or when two rows of one service overlap in time."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        raise FeeScheduleInvalid(1, "header", f"expected {','.join(HEADER)}")
    entries = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(HEADER):
            raise FeeScheduleInvalid(number, "row", f"expected {len(HEADER)} columns, found {len(row)}")
        entries.append(_entry(number, dict(zip(HEADER, (cell.strip() for cell in row), strict=True))))
    _refuse_overlaps(entries)
    return tuple(entry for entry, _ in entries)


def _entry(number: int, cells: dict[str, str]) -> tuple[FeeScheduleEntry, int]:
    if not _PAYER.match(cells["payer_id"]):
        raise FeeScheduleInvalid(number, "payer_id", "2 to 15 capital letters or digits")
    if not _CODE.match(cells["procedure_code"]):
        raise FeeScheduleInvalid(number, "procedure_code", "five capital letters or digits (CPT/HCPCS)")
    modifiers = tuple(sorted(cells["modifiers"].split()))
    if len(modifiers) > 4 or not all(_MODIFIER.match(m) for m in modifiers):
        raise FeeScheduleInvalid(number, "modifiers", "up to four two-character modifiers separated by spaces")
    effective_from = _date(number, "effective_from", cells["effective_from"])
    effective_to = _date(number, "effective_to", cells["effective_to"]) if cells["effective_to"] else None
    if effective_to is not None and effective_to < effective_from:
        raise FeeScheduleInvalid(number, "effective_to", "before effective_from")
    try:
        allowed = Decimal(cells["allowed"])
    except InvalidOperation:
        raise FeeScheduleInvalid(number, "allowed", "not an amount") from None
    if not allowed.is_finite() or allowed < 0 or allowed != allowed.quantize(Decimal("0.01")) or allowed >= 10**9:
        raise FeeScheduleInvalid(number, "allowed", "a non-negative amount with at most two decimals")
    entry = FeeScheduleEntry(cells["payer_id"], cells["procedure_code"], modifiers, effective_from, effective_to,
                             allowed.quantize(Decimal("0.01")))
    return entry, number


def _date(number: int, column: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FeeScheduleInvalid(number, column, "a date as YYYY-MM-DD") from None


def _refuse_overlaps(entries: Sequence[tuple[FeeScheduleEntry, int]]) -> None:
    seen: dict[tuple[str, str, tuple[str, ...]], list[tuple[FeeScheduleEntry, int]]] = {}
    for entry, number in entries:
        key = (entry.payer_id, entry.procedure_code, entry.modifiers)
        for other, _ in seen.get(key, []):
            ends = other.effective_to or date.max
            if entry.effective_from <= ends and other.effective_from <= (entry.effective_to or date.max):
                raise FeeScheduleInvalid(number, "effective_from", "overlaps another row of the same service")
        seen.setdefault(key, []).append((entry, number))


def allowed_amount(entries: Iterable[FeeScheduleEntry], payer_id: str, procedure_code: str,
                   modifiers: Sequence[str], on: date) -> Decimal | None:
    """The contract's per-unit allowed amount for a service on a date, or None when the payer's
    schedule does not price it. A row for exactly these modifiers wins; then a row for the
    first-listed (pricing) modifier alone, e.g. 26 or TC; then the code's row without modifiers."""
    wanted = tuple(sorted(modifiers))
    candidates = [e for e in entries if e.payer_id == payer_id and e.procedure_code == procedure_code and e.covers(on)]
    for modifiers_of_row in (wanted, tuple(modifiers[:1]), ()):
        for entry in candidates:
            if entry.modifiers == modifiers_of_row:
                return entry.allowed
    return None
