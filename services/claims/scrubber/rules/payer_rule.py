"""Rules a payer sets for itself, loaded as data per payer (services/claims/scrubber/payers/)."""

from __future__ import annotations

from services.claims.scrubber.engine import rule


@rule("PAY-001", "payer_rule", "PAYER_RULES_MISSING", "the payer has a rules file (else defaults apply)", "warning")
def payer_known(claim, facts):
    if facts.payer_rules is None:
        return (f"payer {claim.payer.payer_id} has no rules on file; default limits apply",)
    return ()


@rule("PAY-002", "payer_rule", "PROCEDURE_NOT_COVERED", "no procedure the payer never covers")
def not_covered(claim, facts):
    rules = facts.payer_rules
    messages = ()
    if rules is not None and rules.not_covered:
        for line in claim.lines:
            if line.procedure_code in rules.not_covered:
                messages += (f"line {line.line_number} {line.procedure_code} is not covered by payer {rules.payer_id}",)
    return messages


@rule("PAY-003", "payer_rule", "GROUP_NUMBER_REQUIRED", "the group number when the payer requires it")
def group_number(claim, facts):
    rules = facts.payer_rules
    if rules is not None and rules.requires_group_number and not claim.subscriber.group_number:
        return (f"payer {rules.payer_id} requires the subscriber's group number",)
    return ()


@rule("PAY-004", "payer_rule", "PAYER_MODIFIER_REQUIRED", "a code the payer wants modified carries one of its modifiers")
def required_modifiers(claim, facts):
    rules = facts.payer_rules
    messages = ()
    if rules is not None and rules.required_modifiers:
        for line in claim.lines:
            wanted = rules.required_modifiers.get(line.procedure_code or "")
            if wanted and not wanted.intersection(line.modifiers):
                messages += (f"line {line.line_number} {line.procedure_code} needs modifier "
                             f"{' or '.join(sorted(wanted))} for payer {rules.payer_id}",)
    return messages


RULES = (payer_known, not_covered, group_number, required_modifiers)
