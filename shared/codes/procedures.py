"""Procedure codes (CPT and HCPCS Level II) and modifiers, checked by format only.

CPT code descriptions are licensed by the AMA, so this project ships no CPT text: a CPT code is
valid here when it has the right shape. HCPCS Level II codes are public (CMS), but their list is a
quarterly data load, not part of this module.

Shapes:
  CPT Category I         five digits                    99213
  CPT Category II        four digits and F (tracking)   3074F
  CPT Category III       four digits and T (emerging)   0042T
  CPT PLA                four digits and U (lab tests)  0001U
  CPT MAAA               four digits and M              0002M
  HCPCS Level II         a letter in use and 4 digits   J1885
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

ProcedureKind = Literal["cpt", "cpt_category_ii", "cpt_category_iii", "cpt_pla", "cpt_maaa", "hcpcs"]

# First letters CMS uses for HCPCS Level II. D (dental) is the ADA's CDT code set and is not
# distributed in the HCPCS file; I, N, O, W, X, Y and Z are not assigned.
HCPCS_LEVEL_II_LETTERS: Final = frozenset("ABCEGHJKLMPQRSTUV")

_CPT_SUFFIXES: Final[Mapping[str, ProcedureKind]] = MappingProxyType({
    "F": "cpt_category_ii",
    "T": "cpt_category_iii",
    "U": "cpt_pla",
    "M": "cpt_maaa",
})

_MODIFIER = re.compile(r"[A-Z0-9]{2}")

# Plain-English meanings in our own words (not the AMA's descriptors), for people reading a
# work queue. Any two-character modifier may be valid; these are only the ones worth explaining.
MODIFIER_MEANINGS: Final[Mapping[str, str]] = MappingProxyType({
    "25": "A separate, significant evaluation and management visit on the same day as a procedure",
    "26": "Only the professional part (the reading and report) of a service",
    "50": "Done on both sides of the body in one session",
    "51": "One of several procedures done in the same session",
    "59": "A service distinct from the others that day, not normally billed with them",
    "76": "The same procedure repeated by the same clinician",
    "77": "The same procedure repeated by a different clinician",
    "91": "A lab test repeated the same day to get a new result",
    "95": "Delivered as live telehealth with audio and video",
    "GA": "The patient signed a waiver (ABN) accepting they may have to pay",
    "GT": "Delivered through live audio and video telecommunication (older telehealth marker)",
    "GY": "Not covered by the program by law, billed to obtain a denial",
    "GZ": "Expected to be denied as not medically necessary, and no waiver (ABN) was signed",
    "KX": "The documentation the payer's policy requires is on file (e.g. to exceed a cap)",
    "LT": "Done on the left side of the body",
    "QW": "A lab test waived under CLIA",
    "RT": "Done on the right side of the body",
    "TC": "Only the technical part (equipment and staff) of a service",
    "XE": "Distinct because it happened at a separate encounter",
    "XP": "Distinct because a different practitioner performed it",
    "XS": "Distinct because it was on a separate organ or structure",
    "XU": "Distinct because it does not overlap the usual parts of the main service",
})


def classify(code: str) -> ProcedureKind | None:
    """Return which procedure code set `code` belongs to by its shape, or None if it fits none.

    The code must already be uppercase and five characters; nothing is trimmed or corrected."""
    if len(code) != 5 or not code.isascii():
        return None
    body, last = code[:4], code[4]
    if code.isdigit():
        return "cpt"
    if body.isdigit():
        return _CPT_SUFFIXES.get(last)
    if code[0] in HCPCS_LEVEL_II_LETTERS and code[1:].isdigit():
        return "hcpcs"
    return None


def is_valid_procedure_code(code: str) -> bool:
    """True when `code` has the shape of a CPT or HCPCS Level II code."""
    return classify(code) is not None


def is_valid_modifier(modifier: str) -> bool:
    """True when `modifier` is two uppercase letters or digits (e.g. '25', 'LT', 'XU')."""
    return _MODIFIER.fullmatch(modifier) is not None


def modifier_meaning(modifier: str) -> str | None:
    """Our one-line explanation of a common modifier, or None for one we do not explain."""
    return MODIFIER_MEANINGS.get(modifier)
