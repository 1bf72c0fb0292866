"""Every scrub rule, in the order the engine runs them. A new rule goes in its category's module
and in that module's RULES; ids are never reused."""

from __future__ import annotations

from services.claims.scrubber.engine import Rule
from services.claims.scrubber.rules import (
    age_sex,
    claim_rules,
    code_validity,
    demographics,
    diagnosis_pointer,
    duplicate,
    excludes1,
    ncci,
    payer_rule,
    provider,
)

RULES: tuple[Rule, ...] = (
    *demographics.RULES,
    *provider.RULES,
    *code_validity.RULES,
    *diagnosis_pointer.RULES,
    *ncci.RULES,
    *age_sex.RULES,
    *excludes1.RULES,
    *claim_rules.TELEHEALTH,
    *claim_rules.TIMELY_FILING,
    *duplicate.RULES,
    *claim_rules.FREQUENCY,
    *claim_rules.COB,
    *payer_rule.RULES,
    *claim_rules.BALANCING,
)

BY_ID: dict[str, Rule] = {each.id: each for each in RULES}
assert len(BY_ID) == len(RULES), "rule ids must be unique"
