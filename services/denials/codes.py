"""CARC and RARC code lists, our CARC-to-category mapping and payers' appeal windows, as data.

The files in `data/` are loaded at run time: a code-list update or a new payer contract is a data
load, not a release. Every code row is in force from `start` up to, not including, `stop` (empty:
still in force), the way the published X12/WPC lists date their codes. The descriptions are our own
short wording, not the published text.

Files (CSV with a header row):
- `carc.csv`, `rarc.csv`: code, description, start, stop
- `carc_categories.csv`: carc, category, start, stop (our mapping; category from DenialCategory)
- `appeal_windows.csv`: payer_id, days (payers without a row get the default window)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Final

DATA_DIR: Final = Path(__file__).parent / "data"


class CodeListError(ValueError):
    """A code-list file that cannot be loaded: names the file and row, never guesses."""


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """One CARC or RARC as in force from `start` up to, not including, `stop` (None: still in force)."""

    code: str
    description: str
    start: date
    stop: date | None = None

    def in_force(self, on: date) -> bool:
        return self.start <= on and (self.stop is None or on < self.stop)


@dataclass(frozen=True, slots=True)
class CodeList:
    """A dated code list (CARC or RARC) with lookups by code and date."""

    name: str
    codes: tuple[ReasonCode, ...]

    def lookup(self, code: str, on: date) -> ReasonCode | None:
        """Return the entry for `code` in force on `on`, or None (unknown, or not in force that day)."""
        for entry in self.codes:
            if entry.code == code and entry.in_force(on):
                return entry
        return None

    def describe(self, code: str, on: date) -> str:
        """Our description of `code` on `on`; an unknown code says so instead of failing."""
        entry = self.lookup(code, on)
        return entry.description if entry else f"unrecognised {self.name} code"


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CodeListError(f"{where}: not a date (YYYY-MM-DD)") from None


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise CodeListError(f"{path.name}: expected the columns {','.join(columns)}")
        for number, row in enumerate(reader, start=2):
            yield number, {key: (value or "").strip() for key, value in row.items()}


def load_code_list(name: str, path: Path) -> CodeList:
    """Load a CARC or RARC list; raise CodeListError for a malformed file."""
    entries = []
    for number, row in _rows(path, ("code", "description", "start", "stop")):
        where = f"{path.name} row {number}"
        if not row["code"] or not row["description"]:
            raise CodeListError(f"{where}: code and description are required")
        stop = _date(row["stop"], where) if row["stop"] else None
        entries.append(ReasonCode(row["code"], row["description"], _date(row["start"], where), stop))
    return CodeList(name, tuple(entries))


def load_category_rows(path: Path) -> tuple[tuple[str, str, date, date | None], ...]:
    """(carc, category, start, stop) rows of a category mapping file; raise CodeListError if malformed."""
    rows = []
    for number, row in _rows(path, ("carc", "category", "start", "stop")):
        where = f"{path.name} row {number}"
        if not row["carc"] or not row["category"]:
            raise CodeListError(f"{where}: carc and category are required")
        stop = _date(row["stop"], where) if row["stop"] else None
        rows.append((row["carc"], row["category"], _date(row["start"], where), stop))
    return tuple(rows)


def load_appeal_windows(path: Path) -> Mapping[str, int]:
    """Appeal window in days by payer id; raise CodeListError for a row without a positive number."""
    windows = {}
    for number, row in _rows(path, ("payer_id", "days")):
        if not row["days"].isdigit() or int(row["days"]) < 1:
            raise CodeListError(f"{path.name} row {number}: days must be a whole number of at least 1")
        windows[row["payer_id"]] = int(row["days"])
    return windows


@lru_cache(maxsize=1)
def carcs() -> CodeList:
    """The shipped CARC list."""
    return load_code_list("CARC", DATA_DIR / "carc.csv")


@lru_cache(maxsize=1)
def rarcs() -> CodeList:
    """The shipped RARC list."""
    return load_code_list("RARC", DATA_DIR / "rarc.csv")


@lru_cache(maxsize=1)
def appeal_windows() -> Mapping[str, int]:
    """The shipped appeal windows by payer id."""
    return load_appeal_windows(DATA_DIR / "appeal_windows.csv")
