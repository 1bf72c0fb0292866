"""Effective-dated code tables: HCPCS Level II, place of service and modifiers, loaded from data.

A code is valid on a date of service when one of its rows covers that date
(`effective_from <= date <= effective_to`, an empty `effective_to` meaning still in force). Loading
a newer file beside the current one only adds rows: a code deleted next year stays valid for this
year's dates of service, and a code added next year is valid only from its first day.

The shipped files (shared/codes/data/) are public CMS lists:
  place_of_service.csv  the whole CMS place-of-service list (code,effective_from,effective_to,name)
  hcpcs_level2.csv      a small subset of HCPCS Level II (code,effective_from,effective_to,short_description)
  modifiers.csv         CPT and HCPCS modifiers with a neutral meaning in our own words
A customer loads the full quarterly HCPCS file with `load_cms_hcpcs` (see its docstring).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


class CodeTableError(ValueError):
    """A code table file that cannot be loaded; the message names the file's row, never PHI."""


@dataclass(frozen=True, slots=True)
class CodeEntry:
    code: str
    effective_from: date
    effective_to: date | None  # None: still in force
    text: str  # a short public description or our own words; never AMA text

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class CodeTable:
    """Rows by code; `lookup(code, day)` answers for a date of service."""

    def __init__(self, name: str, entries: Iterable[CodeEntry] = ()) -> None:
        self.name = name
        self._by_code: dict[str, list[CodeEntry]] = {}
        self.load(entries)

    def load(self, entries: Iterable[CodeEntry]) -> int:
        """Add rows (a newer year beside the current one); return how many were new."""
        added = 0
        for entry in entries:
            rows = self._by_code.setdefault(entry.code, [])
            if entry not in rows:
                rows.append(entry)
                added += 1
        return added

    def lookup(self, code: str, day: date) -> CodeEntry | None:
        """The row of `code` in force on `day`, or None when the code is unknown or not in force."""
        for entry in self._by_code.get(code, ()):
            if entry.covers(day):
                return entry
        return None

    def is_valid(self, code: str, day: date) -> bool:
        return self.lookup(code, day) is not None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)


def _day(text: str, where: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 8 and text.isdigit():  # CMS files write YYYYMMDD
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date.fromisoformat(text)
    except ValueError:
        raise CodeTableError(f"{where}: '{text}' is not a date") from None


def parse_table_csv(text: str, *, name: str) -> Iterator[CodeEntry]:
    """Rows of our CSV layout: code,effective_from,effective_to,<description>."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or [column.strip() for column in header[:3]] != ["code", "effective_from", "effective_to"]:
        raise CodeTableError(f"{name}: the header must start with code,effective_from,effective_to")
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < 4:
            raise CodeTableError(f"{name} row {number}: four columns expected")
        where = f"{name} row {number}"
        start = _day(row[1], where)
        if start is None:
            raise CodeTableError(f"{where}: effective_from is required")
        yield CodeEntry(row[0].strip().upper(), start, _day(row[2], where), row[3].strip())


def load_cms_hcpcs(text: str, *, name: str = "CMS HCPCS file") -> Iterator[CodeEntry]:
    """HCPCS Level II rows of the CMS quarterly file (HCPC<year>_<quarter>_ANWEB), saved as CSV.

    Columns used, by their CMS header names: `HCPC` (the code), `RECID` (3 = first line of a
    procedure code, 4 = its continuation; 7/8 = modifiers, skipped here), `SHORT DESCRIPTION`,
    `ACT EFF DT` or `ADD DT` (YYYYMMDD, when the row took effect) and `TERM DT` (YYYYMMDD, empty
    while in force). Other columns (pricing, coverage, BETOS ...) are ignored. CPT codes are not
    in this file.
    """
    reader = csv.DictReader(io.StringIO(text))
    needed = {"HCPC", "RECID", "SHORT DESCRIPTION", "TERM DT"}
    if reader.fieldnames is None or not needed <= {f.strip() for f in reader.fieldnames}:
        raise CodeTableError(f"{name}: columns {', '.join(sorted(needed))} are required")
    for number, raw in enumerate(reader, start=2):
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        if row["RECID"] != "3":
            continue
        where = f"{name} row {number}"
        start = _day(row.get("ACT EFF DT", ""), where) or _day(row.get("ADD DT", ""), where)
        if start is None:
            raise CodeTableError(f"{where}: neither ACT EFF DT nor ADD DT is set")
        yield CodeEntry(row["HCPC"].upper(), start, _day(row["TERM DT"], where), row["SHORT DESCRIPTION"])


def _shipped(file_name: str, table_name: str) -> CodeTable:
    path = DATA / file_name
    return CodeTable(table_name, parse_table_csv(path.read_text(), name=file_name))


@cache
def hcpcs_level2() -> CodeTable:
    """The shipped HCPCS Level II subset (shared/codes/data/hcpcs_level2.csv)."""
    return _shipped("hcpcs_level2.csv", "hcpcs")


@cache
def places_of_service() -> CodeTable:
    """The CMS place-of-service list (shared/codes/data/place_of_service.csv)."""
    return _shipped("place_of_service.csv", "place_of_service")


@cache
def modifiers() -> CodeTable:
    """CPT and HCPCS modifiers (shared/codes/data/modifiers.csv)."""
    return _shipped("modifiers.csv", "modifiers")
