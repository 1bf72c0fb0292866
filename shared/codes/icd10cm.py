"""ICD-10-CM diagnosis codes: the FY2026 code set as shipped by the pinned `simple-icd-10-cm` package.

Only a *billable* code may go on a claim: one that exists and is a leaf of the tabular list. A
category or subcategory with children (E11, S52.521) is a header and payers reject it.

Lookups are cached: the package walks its own dictionaries on every call, and one encounter asks
about the same few codes several times. The package parses its tabular XML (about three seconds)
the first time a lookup runs; a service calls `load()` at startup so no encounter pays that.
"""

from __future__ import annotations

import re
import warnings
from functools import cache, lru_cache
from types import ModuleType

# A letter, a digit, an alphanumeric, then optionally up to four more characters; a dot is
# allowed only after the third character (E11.9 or E119, never E1.19).
_WRITTEN_CODE = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")

# Large enough for every billable code (about 74,000) plus the malformed ones an EHR sends.
_CACHE_SIZE = 1 << 17


@cache
def _code_set() -> ModuleType:
    # The package parses its tabular XML once, on import, through importlib.resources calls that
    # Python 3.11 deprecates; the warnings are the package's, not ours to act on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm
    return simple_icd_10_cm


def load() -> None:
    """Load the code set now (about three seconds) instead of on the first lookup."""
    _code_set()


def normalize(code: str) -> str:
    """Return `code` as claims carry it: trimmed, uppercase, without the dot ('e11.9' -> 'E119').

    This only rewrites; it does not say whether the code exists (see `is_billable`)."""
    return code.strip().upper().replace(".", "")


@lru_cache(maxsize=_CACHE_SIZE)
def _known(code: str) -> str | None:
    """The code without its dot if the code set has it, else None. A chapter ('1') or block
    ('A00-A09') is in the package's tree too, but is never a diagnosis, so the format check
    keeps them out."""
    written = code.strip().upper()
    if not _WRITTEN_CODE.fullmatch(written):
        return None
    undotted = written.replace(".", "")
    return undotted if _code_set().is_valid_item(undotted) else None


@lru_cache(maxsize=_CACHE_SIZE)
def is_valid(code: str) -> bool:
    """True when `code` (dotted or not, any case) is in the ICD-10-CM code set, header or not."""
    return _known(code) is not None


@lru_cache(maxsize=_CACHE_SIZE)
def is_billable(code: str) -> bool:
    """True when `code` (dotted or not, any case) exists and has no children, so it may be billed."""
    known = _known(code)
    # is_leaf raises ValueError for a code the package does not know; _known has ruled that out.
    return known is not None and bool(_code_set().is_leaf(known))


@lru_cache(maxsize=_CACHE_SIZE)
def description(code: str) -> str | None:
    """The code set's description of `code` (dotted or not, any case); None if it is not a code."""
    known = _known(code)
    return None if known is None else str(_code_set().get_description(known))
