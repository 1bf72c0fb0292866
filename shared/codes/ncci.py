"""NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE), loaded from CMS files.

The real tables list CPT codes, so only loaders and a small synthetic fixture ship here
(shared/codes/data/ncci_ptp_synthetic.txt, mue_synthetic.csv); a customer loads the quarterly CMS
files with the same loaders.

PTP file (practitioner or hospital, tab-separated text as CMS publishes it; header lines before
the first code row are skipped), columns in order:
  1 Column 1 code   2 Column 2 code (bundled into column 1 when billed together)
  3 "*" if in existence prior to 1996   4 Effective date YYYYMMDD   5 Deletion date YYYYMMDD or "*"
  6 Modifier indicator: 0 never allowed together, 1 allowed with an NCCI-associated modifier,
    9 not applicable (the edit is void)   7 PTP edit rationale (text, ignored)

MUE file (CSV as CMS publishes it; header lines skipped), columns in order:
  1 HCPCS/CPT code   2 MUE value (units)   3 MUE adjudication indicator ("1 Line Edit",
  "2 Date of Service Edit: Policy", "3 Date of Service Edit: Clinical")   4 MUE rationale (ignored)
An MUE file has no dates per row: the quarter's start date is passed to the loader.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from shared.codes.code_tables import CodeTableError

DATA = Path(__file__).parent / "data"

# Modifiers that let a column-2 code be paid beside its column-1 code when the indicator is 1
# (CMS NCCI policy manual, "NCCI-associated modifiers").
NCCI_ASSOCIATED_MODIFIERS = frozenset({
    "24", "25", "27", "57", "58", "59", "78", "79", "91", "E1", "E2", "E3", "E4", "F1", "F2", "F3",
    "F4", "F5", "F6", "F7", "F8", "F9", "FA", "LC", "LD", "LM", "LT", "RC", "RI", "RT", "T1", "T2",
    "T3", "T4", "T5", "T6", "T7", "T8", "T9", "TA", "XE", "XP", "XS", "XU",
})


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    effective_from: date
    deleted_on: date | None
    modifier_indicator: str  # "0", "1" or "9"

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.deleted_on is None or day < self.deleted_on)


@dataclass(frozen=True, slots=True)
class MueLimit:
    code: str
    units: int
    per_day: bool  # adjudication indicator 2 or 3: units of all lines of the date add up
    effective_from: date


def _yyyymmdd(text: str, where: str) -> date | None:
    text = text.strip()
    if text in ("", "*"):
        return None
    if len(text) != 8 or not text.isdigit():
        raise CodeTableError(f"{where}: '{text}' is not a YYYYMMDD date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CodeTableError(f"{where}: '{text}' is not a date") from None


def _is_code(text: str) -> bool:
    return len(text) == 5 and text.isalnum()


def load_ptp(text: str, *, name: str = "PTP file") -> Iterator[PtpEdit]:
    """PTP edits of a CMS PTP file (layout in the module docstring)."""
    for number, line in enumerate(text.splitlines(), start=1):
        fields = [field.strip() for field in line.split("\t")]
        if not fields or not _is_code(fields[0]):
            continue  # title and header lines
        where = f"{name} line {number}"
        if len(fields) < 6 or not _is_code(fields[1]):
            raise CodeTableError(f"{where}: six tab-separated columns expected")
        start = _yyyymmdd(fields[3], where)
        if start is None or fields[5] not in ("0", "1", "9"):
            raise CodeTableError(f"{where}: effective date and modifier indicator 0, 1 or 9 are required")
        yield PtpEdit(fields[0].upper(), fields[1].upper(), start, _yyyymmdd(fields[4], where), fields[5])


def load_mue(text: str, *, effective_from: date, name: str = "MUE file") -> Iterator[MueLimit]:
    """MUE limits of a CMS MUE file (layout in the module docstring)."""
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not _is_code(row[0].strip()):
            continue
        where = f"{name} line {number}"
        if len(row) < 3 or not row[1].strip().isdigit() or row[2].strip()[:1] not in ("1", "2", "3"):
            raise CodeTableError(f"{where}: code, MUE value and adjudication indicator 1-3 expected")
        yield MueLimit(row[0].strip().upper(), int(row[1]), row[2].strip()[0] != "1", effective_from)


class PtpTable:
    """PTP edits by code pair; a newer quarter loads beside the current one."""

    def __init__(self, edits: Iterable[PtpEdit] = ()) -> None:
        self._pairs: dict[tuple[str, str], list[PtpEdit]] = {}
        self.codes: set[str] = set()
        self.load(edits)

    def load(self, edits: Iterable[PtpEdit]) -> None:
        for edit in edits:
            self._pairs.setdefault((edit.column1, edit.column2), []).append(edit)
            self.codes.update((edit.column1, edit.column2))

    def edit(self, column1: str, column2: str, day: date) -> PtpEdit | None:
        """The edit in force on `day` that bundles `column2` into `column1`, if any (indicator 9 is none)."""
        for edit in self._pairs.get((column1, column2), ()):
            if edit.in_force(day) and edit.modifier_indicator != "9":
                return edit
        return None


class MueTable:
    """MUE limits by code; the newest quarter in force on the date of service wins."""

    def __init__(self, limits: Iterable[MueLimit] = ()) -> None:
        self._by_code: dict[str, list[MueLimit]] = {}
        # Answers by (code, date): a scrub asks about the same few codes and dates again and again.
        self._answers: dict[tuple[str, date], MueLimit | None] = {}
        self.load(limits)

    def load(self, limits: Iterable[MueLimit]) -> None:
        for limit in limits:
            rows = self._by_code.setdefault(limit.code, [])
            rows.append(limit)
            rows.sort(key=lambda row: row.effective_from, reverse=True)
        self._answers.clear()

    def limit(self, code: str, day: date) -> MueLimit | None:
        """The limit in force for `code` on `day` (the newest quarter that had begun), or None."""
        key = (code, day)
        try:
            return self._answers[key]
        except KeyError:
            pass
        found = next((limit for limit in self._by_code.get(code, ()) if limit.effective_from <= day), None)
        if len(self._answers) < 1 << 16:
            self._answers[key] = found
        return found


@cache
def synthetic_ptp() -> PtpTable:
    """The shipped synthetic PTP fixture (real-pattern pairs, not the CMS table)."""
    path = DATA / "ncci_ptp_synthetic.txt"
    return PtpTable(load_ptp(path.read_text(), name=path.name))


@cache
def synthetic_mue() -> MueTable:
    """The shipped synthetic MUE fixture, in force from 2020-01-01."""
    path = DATA / "mue_synthetic.csv"
    return MueTable(load_mue(path.read_text(), effective_from=date(2020, 1, 1), name=path.name))
