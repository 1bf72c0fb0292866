"""Coding settings: the shared RCM_* settings plus how documentation checks act."""

from typing import Literal

from shared.settings import ServiceSettings


class CodingSettings(ServiceSettings):
    # RCM_CODING_REVIEW_ON_DISAGREEMENT: what a note that does not back the principal diagnosis
    # does. "hold" parks the encounter in the review queue; "warn" codes it and keeps the finding
    # with the coded encounter; "off" skips the suggestion checks.
    coding_review_on_disagreement: Literal["hold", "warn", "off"] = "warn"
