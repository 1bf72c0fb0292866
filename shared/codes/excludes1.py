"""ICD-10-CM Excludes1 notes as code patterns, from the tabular list of `simple-icd-10-cm`.

An Excludes1 note ("NOT CODED HERE") says two conditions cannot be reported together. The notes
are text such as "type 1 diabetes mellitus (E10.-)" or "acute respiratory infection NOS (J22)";
the codes in the parentheses are what matters. A note written on a category or block applies to
every code under it, so a code's exclusions are the notes of the code and of all its ancestors.

Pattern forms in the notes: `E10.-` (the category and everything below), `O24.4-` (a subcategory
and below), `J09.X2` (that code and below), `A00-A09` (a range of categories).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.codes import icd10cm

_PARENTHESES = re.compile(r"\(([^()]*)\)")
_ITEM = re.compile(r"^([A-Z][0-9][0-9A-Z])(?:\.?([0-9A-Z]{0,4}))?-?$")
_RANGE = re.compile(r"^([A-Z][0-9][0-9A-Z])(?:\.[0-9A-Z-]*)?-([A-Z][0-9][0-9A-Z])(?:\.[0-9A-Z-]*)?$")


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Codes from `first` to `last` (first three characters) or starting with `prefix`."""

    prefix: str | None = None
    first: str | None = None
    last: str | None = None

    def matches(self, code: str) -> bool:
        if self.prefix is not None:
            return code.startswith(self.prefix)
        assert self.first is not None and self.last is not None
        return self.first <= code[:3] <= self.last


def parse_note(note: str) -> tuple[Exclusion, ...]:
    """The code patterns named in one Excludes1 note; words outside parentheses are ignored."""
    found: list[Exclusion] = []
    for group in _PARENTHESES.findall(note):
        for item in group.split(","):
            item = item.strip().upper()
            span = _RANGE.match(item)
            if span:
                found.append(Exclusion(first=span.group(1), last=span.group(2)))
                continue
            single = _ITEM.match(item)
            if single:
                found.append(Exclusion(prefix=single.group(1) + (single.group(2) or "")))
    return tuple(found)


@lru_cache(maxsize=1 << 14)
def exclusions(code: str) -> tuple[Exclusion, ...]:
    """Every Excludes1 pattern that applies to `code` (undotted); empty for an unknown code."""
    if not icd10cm.is_valid(code):
        return ()
    tabular = icd10cm._code_set()
    found: list[Exclusion] = []
    for item in (code, *tabular.get_ancestors(code)):
        for note in tabular.get_excludes1(item):
            found.extend(parse_note(note))
    return tuple(found)


@lru_cache(maxsize=1 << 16)
def excluded_together(first: str, second: str) -> bool:
    """True when an Excludes1 note of either code names the other (codes undotted)."""
    if first == second:
        return False
    return any(e.matches(second) for e in exclusions(first)) or any(e.matches(first) for e in exclusions(second))


def chapter(code: str) -> str | None:
    """The tabular chapter number of `code` ("4" for E11.9), or None for an unknown code."""
    if not icd10cm.is_valid(code):
        return None
    ancestors = icd10cm._code_set().get_ancestors(code)
    return str(ancestors[-1]) if ancestors else None
