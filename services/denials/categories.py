"""Denial categories and the CARC rules that sort a payer's reason codes into them, as data
(`data/carc_categories.csv`).

A rule is in force from `effective_from` up to, not including, `effective_to`; the dates are the
Start and Stop dates of the public X12/WPC Claim Adjustment Reason Code list, so a retired code
(62, 125) is only recognised on remittances dated before it was retired. A tenant's own rules can be
loaded at run time and passed to `rule_for` (and `categorize`) in place of CARC_RULES: a code-list
update is a data load, not a release.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Final

from services.denials.codes import DATA_DIR, CodeListError, load_category_rows

from shared.events import DenialAction


class DenialCategory(StrEnum):
    MISSING_INFORMATION = "MISSING_INFORMATION"
    AUTHORIZATION = "AUTHORIZATION"
    ELIGIBILITY = "ELIGIBILITY"
    MEDICAL_NECESSITY = "MEDICAL_NECESSITY"
    TIMELY_FILING = "TIMELY_FILING"
    DUPLICATE = "DUPLICATE"
    NON_COVERED = "NON_COVERED"
    BUNDLING = "BUNDLING"
    COORDINATION_OF_BENEFITS = "COORDINATION_OF_BENEFITS"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class CategoryPolicy:
    """What a category means and what we do about it by default."""

    action: DenialAction
    description: str


POLICIES: Final[Mapping[DenialCategory, CategoryPolicy]] = {
    DenialCategory.MISSING_INFORMATION: CategoryPolicy(
        DenialAction.RESUBMIT,
        "The payer could not decide because something on the claim was absent, invalid for the date "
        "of service, or needed an attachment. Nothing was judged on the merits: fix the data and send "
        "a corrected claim.",
    ),
    DenialCategory.AUTHORIZATION: CategoryPolicy(
        DenialAction.RESUBMIT,
        "The service needed a prior authorization or precertification that was missing, did not match, "
        "or was used up. The front desk obtains or finds the authorization number and the claim is "
        "corrected to carry it.",
    ),
    DenialCategory.ELIGIBILITY: CategoryPolicy(
        DenialAction.WRITE_OFF,
        "The payer says it did not cover this patient on the date of service (before coverage began, "
        "after it ended, during a lapse, or no such member). Resending or arguing will not change "
        "that, so the balance is written off this payer and reviewed: finding the right coverage or "
        "billing the patient is a registration task, not a dispute with this payer.",
    ),
    DenialCategory.MEDICAL_NECESSITY: CategoryPolicy(
        DenialAction.APPEAL,
        "The payer judged the service unnecessary, experimental, unproven or above the level the "
        "documentation supports. The claim itself was right; the answer is an appeal with clinical "
        "records.",
    ),
    DenialCategory.TIMELY_FILING: CategoryPolicy(
        DenialAction.WRITE_OFF,
        "The claim reached the payer after its filing limit. Without proof of an earlier submission "
        "the amount is lost, and a contracted provider may not bill the patient for it.",
    ),
    DenialCategory.DUPLICATE: CategoryPolicy(
        DenialAction.WRITE_OFF,
        "The payer already has this claim or service. The original is paid or in process, so this copy "
        "is written off; nothing is lost.",
    ),
    DenialCategory.NON_COVERED: CategoryPolicy(
        DenialAction.WRITE_OFF,
        "The patient's plan excludes the service (routine or preventive, not a benefit). No correction "
        "makes it covered; written off from this payer.",
    ),
    DenialCategory.BUNDLING: CategoryPolicy(
        DenialAction.APPEAL,
        "The payer folded the service into another one billed the same day (NCCI and payer edits). "
        "Worth an appeal when documentation or a modifier shows it was separate and distinct.",
    ),
    DenialCategory.COORDINATION_OF_BENEFITS: CategoryPolicy(
        DenialAction.RESUBMIT,
        "Another payer should pay first, or the claim went to the wrong payer. The claim is corrected "
        "with the right payer order and the other payer's adjudication.",
    ),
    DenialCategory.OTHER: CategoryPolicy(
        DenialAction.APPEAL,
        "A reason we have no rule for. A person reads it; it is queued as an appeal so that it is "
        "looked at before its deadline instead of disappearing.",
    ),
}


@dataclass(frozen=True, slots=True)
class CarcRule:
    """A CARC's category and action, in force from `effective_from` up to, not including,
    `effective_to` (None: still in force)."""

    carc: str
    category: DenialCategory
    action: DenialAction
    effective_from: date
    effective_to: date | None = None
    known: bool = True  # False: no rule for this CARC on that day, so it fell into OTHER

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


def load_rules(path: Path) -> tuple[CarcRule, ...]:
    """Load a CARC-to-category mapping file (see codes.py); each rule takes its category's action.
    Raises CodeListError for a malformed file or a category we do not have."""
    rules = []
    for carc, name, start, stop in load_category_rows(path):
        try:
            category = DenialCategory(name)
        except ValueError:
            raise CodeListError(f"{path.name}: unknown category {name!r} for CARC {carc}") from None
        rules.append(CarcRule(carc, category, POLICIES[category].action, start, stop))
    return tuple(rules)


# (CARC, category, Start, Stop): our mapping, dated as the CARC list dates its codes.
CARC_RULES: Final[tuple[CarcRule, ...]] = load_rules(DATA_DIR / "carc_categories.csv")


def rule_for(carc: str, on: date, rules: Sequence[CarcRule] = CARC_RULES) -> CarcRule:
    """Return the first rule for `carc` in force on `on`; a CARC with none (unknown, or not in force
    that day) gets an OTHER rule, never an error, so an unexpected code still reaches a person."""
    for rule in rules:
        if rule.carc == carc and rule.in_force(on):
            return rule
    return CarcRule(carc, DenialCategory.OTHER, POLICIES[DenialCategory.OTHER].action, date.min, known=False)
