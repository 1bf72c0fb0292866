"""A tenant's chargemaster: what the practice charges for each procedure, with effective dates.

A chargemaster is data, loaded per tenant at run time (a price change is a file upload, not a
release). Each entry prices one procedure code, optionally for one modifier (26 and TC often price
differently from the global service), from `effective_from` through `effective_to` inclusive.

A file is all or nothing: `parse_chargemaster_csv` checks every row and raises one
`ChargemasterFileError` naming every bad row, so a half-loaded price list can never bill at
yesterday's prices for some codes and today's for others.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from shared.codes.procedures import is_valid_modifier, is_valid_procedure_code
from shared.errors import RcmError
from shared.money import CENT

# One unit over ten million is a typo, and the cap keeps 50 lines of 999 units inside Money's
# 14 digits.
MAX_UNIT_PRICE: Final = Decimal("9999999.99")
MAX_DESCRIPTION_LENGTH: Final = 200

REQUIRED_COLUMNS: Final = ("procedure_code", "modifier", "unit_price", "effective_from", "description")
OPTIONAL_COLUMNS: Final = ("effective_to",)

_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN_VALUE_LENGTH = 20
_LISTED_PROBLEMS = 20  # in the exception message; `problems` keeps them all


class CodingError(RcmError):
    """Base of the coding service's errors: bad input that retrying will not fix."""

    code = "CODING_ERROR"


class InvalidChargemasterEntry(CodingError):
    """An entry built in code breaks a chargemaster rule (bad code, price or dates)."""

    code = "CHARGEMASTER_ENTRY_INVALID"


class DuplicateChargemasterEntry(CodingError):
    """Two entries price the same code and modifier from the same day, so neither can win."""

    code = "CHARGEMASTER_ENTRY_DUPLICATE"


class OverlappingChargemasterEntry(CodingError):
    """A new entry's dates overlap a stored entry of the same code and modifier."""

    code = "CHARGEMASTER_ENTRY_OVERLAPS"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row of a chargemaster file was refused. Row 1 is the header."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


class ChargemasterFileError(CodingError):
    """A chargemaster file with at least one bad row; `problems` lists every one of them."""

    code = "CHARGEMASTER_FILE_INVALID"

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems: tuple[RowProblem, ...] = tuple(problems)
        rows = {p.row for p in self.problems}
        listed = "; ".join(str(p) for p in self.problems[:_LISTED_PROBLEMS])
        more = len(self.problems) - _LISTED_PROBLEMS
        super().__init__(f"chargemaster file refused, nothing loaded, {len(rows)} bad row(s): {listed}"
                         + (f"; and {more} more" if more > 0 else ""))


@dataclass(frozen=True, slots=True)
class ChargemasterEntry:
    """One price: `unit_price` for `procedure_code` billed with `modifier` first (or, when None,
    billed with no modifier of its own price) on every date of service from `effective_from`
    through `effective_to` (open-ended when None).

    Raises InvalidChargemasterEntry when a rule is broken; `unit_price` is kept with two places."""

    procedure_code: str
    modifier: str | None
    unit_price: Decimal
    effective_from: date
    effective_to: date | None
    description: str

    def __post_init__(self) -> None:
        problems = _entry_problems(self.procedure_code, self.modifier, self.unit_price,
                                   self.effective_from, self.effective_to, self.description)
        if problems:
            raise InvalidChargemasterEntry(
                f"chargemaster entry for {_shown(self.procedure_code)}: " + "; ".join(problems))
        # 12.5 and 12.50 are one price; keeping two places makes every charge print alike
        # (copy_abs turns a "-0.00" into 0.00; real negatives were refused above).
        object.__setattr__(self, "unit_price", self.unit_price.quantize(CENT).copy_abs())

    @property
    def key(self) -> tuple[str, str | None, date]:
        """What must be unique in a chargemaster: code, modifier and first effective day."""
        return (self.procedure_code, self.modifier, self.effective_from)

    def is_effective_on(self, date_of_service: date) -> bool:
        """True when this price applies to a service on `date_of_service`."""
        return self.effective_from <= date_of_service and (
            self.effective_to is None or date_of_service <= self.effective_to)


class Chargemaster:
    """A tenant's prices, looked up by procedure code, modifiers and date of service."""

    def __init__(self, entries: Iterable[ChargemasterEntry]) -> None:
        """Raise DuplicateChargemasterEntry if two entries share code, modifier and effective_from."""
        seen: set[tuple[str, str | None, date]] = set()
        by_code_and_modifier: dict[tuple[str, str | None], list[ChargemasterEntry]] = {}
        for entry in entries:
            if entry.key in seen:
                raise DuplicateChargemasterEntry(
                    f"two chargemaster entries for {entry.procedure_code} modifier "
                    f"{entry.modifier or '(none)'} from {entry.effective_from.isoformat()}")
            seen.add(entry.key)
            by_code_and_modifier.setdefault((entry.procedure_code, entry.modifier), []).append(entry)
        for candidates in by_code_and_modifier.values():
            candidates.sort(key=lambda e: e.effective_from, reverse=True)  # newest first
        self._entries = by_code_and_modifier

    def __len__(self) -> int:
        return sum(len(candidates) for candidates in self._entries.values())

    def entry(self, procedure_code: str, modifiers: Sequence[str],
              date_of_service: date) -> ChargemasterEntry | None:
        """The entry that prices this service, or None when the chargemaster has no price for it.

        An entry for the first-listed modifier (the pricing modifier, e.g. 26 or TC) wins over the
        code's entry without a modifier; entries for other modifiers never apply. Among entries in
        effect on `date_of_service`, the newest `effective_from` wins."""
        if modifiers:
            priced_for_modifier = self._newest(procedure_code, modifiers[0], date_of_service)
            if priced_for_modifier is not None:
                return priced_for_modifier
        return self._newest(procedure_code, None, date_of_service)

    def price(self, procedure_code: str, modifiers: Sequence[str],
              date_of_service: date) -> Decimal | None:
        """The unit price of this service on `date_of_service` (see `entry`), or None if unpriced."""
        found = self.entry(procedure_code, modifiers, date_of_service)
        return None if found is None else found.unit_price

    def _newest(self, procedure_code: str, modifier: str | None,
                date_of_service: date) -> ChargemasterEntry | None:
        for candidate in self._entries.get((procedure_code, modifier), ()):
            if candidate.is_effective_on(date_of_service):
                return candidate
        return None


def parse_chargemaster_csv(text: str) -> list[ChargemasterEntry]:
    """Read a chargemaster CSV (header `procedure_code,modifier,unit_price,effective_from,
    description`, optionally `effective_to`; dates YYYY-MM-DD; an empty modifier means none).

    Return every entry, or raise ChargemasterFileError listing every bad row: nothing is returned
    from a file with any bad row."""
    # strict: an unclosed quote is an error, not the rest of the file swallowed into one cell.
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    header = next(reader, None)
    columns, problems = _read_header(header)
    if columns is None:
        raise ChargemasterFileError(problems)

    entries: list[ChargemasterEntry] = []
    rows: list[int] = []  # the file row of each entry
    first_row_of_key: dict[tuple[str, str | None, date], int] = {}
    try:
        for cells in reader:
            row = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, often the last one
            if len(cells) != len(columns):
                problems.append(RowProblem(row, f"has {len(cells)} fields, the header has {len(columns)}"))
                continue
            entry, reasons = _read_row(dict(zip(columns, cells)))
            problems.extend(RowProblem(row, reason) for reason in reasons)
            if entry is None:
                continue
            if entry.key in first_row_of_key:
                problems.append(RowProblem(row, "same procedure_code, modifier and effective_from as row "
                                                f"{first_row_of_key[entry.key]}"))
                continue
            first_row_of_key[entry.key] = row
            entries.append(entry)
            rows.append(row)
    except csv.Error as unreadable:  # e.g. an unclosed quote: the rest of the file is unreadable
        problems.append(RowProblem(reader.line_num, f"not readable as CSV: {unreadable}"))

    problems += [RowProblem(rows[later], f"effective dates overlap row {rows[earlier]} "
                                         "(same procedure_code and modifier)")
                 for earlier, later in overlapping(entries)]
    if problems:
        raise ChargemasterFileError(sorted(problems, key=lambda p: p.row))
    return entries


def overlapping(entries: Sequence[ChargemasterEntry]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) of positions in `entries` whose date ranges overlap for the same code
    and modifier. An entry without `effective_to` runs until the next entry of its code and
    modifier starts (that is how a price change is added), so only an explicit end can overlap."""
    by_key: dict[tuple[str, str | None], list[int]] = {}
    for position, entry in enumerate(entries):
        by_key.setdefault((entry.procedure_code, entry.modifier), []).append(position)
    pairs: list[tuple[int, int]] = []
    for positions in by_key.values():
        positions.sort(key=lambda n: entries[n].effective_from)
        for earlier, later in zip(positions, positions[1:]):
            ends = entries[earlier].effective_to
            if ends is not None and ends >= entries[later].effective_from:
                pairs.append((earlier, later))
    return pairs


def _read_header(header: list[str] | None) -> tuple[tuple[str, ...] | None, list[RowProblem]]:
    if header is None or not any(cell.strip() for cell in header):
        return None, [RowProblem(1, "no header; expected " + ",".join(REQUIRED_COLUMNS))]
    columns = tuple(cell.strip().lower() for cell in header)
    problems = [RowProblem(1, f"missing column {name}") for name in REQUIRED_COLUMNS if name not in columns]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    problems += [RowProblem(1, f"unknown column {_shown(name)}") for name in columns if name not in known]
    problems += [RowProblem(1, f"column {name} appears twice")
                 for name in dict.fromkeys(columns) if columns.count(name) > 1]
    return (None if problems else columns), problems


def _read_row(cells: dict[str, str]) -> tuple[ChargemasterEntry | None, list[str]]:
    """Parse one row's cells; return the entry, or None and every reason it is bad."""
    unreadable: dict[str, str] = {}  # column -> why its cell could not be read
    procedure_code = cells["procedure_code"].strip().upper()
    modifier = cells["modifier"].strip().upper() or None
    unit_price = _read_amount(cells["unit_price"], unreadable)
    effective_from = _read_date("effective_from", cells["effective_from"], unreadable, required=True)
    effective_to = _read_date("effective_to", cells.get("effective_to", ""), unreadable, required=False)
    description = cells["description"].strip()
    # The other cells are still checked, so one pass over a file reports all that is wrong with a row.
    reasons = [*unreadable.values(), *_entry_problems(
        procedure_code, modifier, unit_price, effective_from, effective_to, description,
        already_reported=frozenset(unreadable))]
    if reasons or unit_price is None or effective_from is None:
        return None, reasons
    return ChargemasterEntry(procedure_code, modifier, unit_price, effective_from, effective_to, description), []


def _read_amount(cell: str, unreadable: dict[str, str]) -> Decimal | None:
    text = cell.strip()
    if not _AMOUNT.fullmatch(text):
        unreadable["unit_price"] = f"unit_price {_shown(text)} is not an amount like 125.00"
        return None
    return Decimal(text)


def _read_date(column: str, cell: str, unreadable: dict[str, str], *, required: bool) -> date | None:
    text = cell.strip()
    if not text:
        if required:
            unreadable[column] = f"{column} is empty"
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        unreadable[column] = f"{column} {_shown(text)} is not a date like 2026-01-31"
        return None


def _entry_problems(procedure_code: object, modifier: object, unit_price: object, effective_from: object,
                    effective_to: object, description: object, *,
                    already_reported: frozenset[str] = frozenset()) -> list[str]:
    """Every rule an entry breaks, skipping the columns in `already_reported` (a file cell that
    did not parse has its own reason)."""
    problems: list[str] = []
    if not isinstance(procedure_code, str) or not is_valid_procedure_code(procedure_code):
        problems.append(f"procedure_code {_shown(procedure_code)} is not a CPT or HCPCS code")
    if modifier is not None and (not isinstance(modifier, str) or not is_valid_modifier(modifier)):
        problems.append(f"modifier {_shown(modifier)} is not two letters or digits")
    if "unit_price" not in already_reported:
        problems += _price_problems(unit_price)
    if "effective_from" not in already_reported and not _is_date(effective_from):
        problems.append("effective_from is not a date")
    if "effective_to" not in already_reported and effective_to is not None and not _is_date(effective_to):
        problems.append("effective_to is not a date")
    elif _is_date(effective_from) and _is_date(effective_to) and effective_to < effective_from:  # type: ignore[operator]
        problems.append("effective_to is before effective_from")
    if not isinstance(description, str) or not description.strip():
        problems.append("description is empty")
    elif len(description) > MAX_DESCRIPTION_LENGTH:
        problems.append(f"description is longer than {MAX_DESCRIPTION_LENGTH} characters")
    return problems


def _price_problems(unit_price: object) -> list[str]:
    if not isinstance(unit_price, Decimal):
        return [f"unit_price must be a Decimal, not {type(unit_price).__name__}"]
    if not unit_price.is_finite():
        return ["unit_price is not a number"]
    if unit_price < 0:
        return [f"unit_price {_shown(unit_price)} is negative"]
    if unit_price > MAX_UNIT_PRICE:
        return [f"unit_price {_shown(unit_price)} is over {MAX_UNIT_PRICE}"]
    try:
        exact_to_the_cent = unit_price == unit_price.quantize(CENT)
    except InvalidOperation:
        exact_to_the_cent = False
    if not exact_to_the_cent:
        return [f"unit_price {_shown(unit_price)} has fractions of a cent"]
    return []


def _is_date(value: object) -> bool:
    # datetime is a date subclass, but a price starts on a day, not at an instant.
    return isinstance(value, date) and not isinstance(value, datetime)


def _shown(value: object) -> str:
    """A cell value quoted for a message, cut short: chargemaster cells are not PHI, but a wrong
    file (say, a patient list uploaded by mistake) could be."""
    text = str(value)
    if len(text) > _SHOWN_VALUE_LENGTH:
        text = text[:_SHOWN_VALUE_LENGTH] + "..."
    return repr(text)
