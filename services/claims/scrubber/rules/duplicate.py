"""The same service billed twice: within one claim, or already billed on another claim."""

from __future__ import annotations

import hashlib

from services.claims.scrubber.context import BilledService
from services.claims.scrubber.engine import history_rule, rule
from services.claims.scrubber.facts import line_date, patient

# Modifiers that say "this is a repeat on purpose", so a second identical line is not a duplicate.
REPEAT_MODIFIERS = frozenset({"76", "77", "91", "59", "XE", "XS", "XP", "XU"})


def patient_key(claim) -> str:
    """An opaque digest of payer, member id, patient name and birth date: equal for the same
    patient's claims, and no PHI can be read from it."""
    person = patient(claim)
    raw = f"{claim.payer.payer_id}|{claim.subscriber.member_id}|{person.last_name}|{person.first_name}|{person.birth_date}"
    return hashlib.blake2b(raw.upper().encode(), digest_size=16).hexdigest()


# The rule and then its caller (recording what was billed) ask for the same claim's services.
# The reference keeps the claim alive, so its identity cannot be reused by another object.
_last: list = [None, ()]


def billed_services(claim) -> tuple[BilledService, ...]:
    """The services of `claim` as the duplicate rule compares them (what a caller records as billed)."""
    if _last[0] is claim:
        return _last[1]
    key = patient_key(claim)
    rendering = claim.rendering.npi if claim.rendering is not None else claim.billing.npi
    services = tuple(
        BilledService(key, rendering, day, line.procedure_code)
        for line in claim.lines
        if line.procedure_code and (day := line_date(claim, line)) is not None
        and not REPEAT_MODIFIERS.intersection(line.modifiers)
    )
    _last[0], _last[1] = claim, services
    return services


@rule("DUP-001", "duplicate", "DUPLICATE_LINE", "no two lines bill the same code, modifiers and date (unless marked a repeat)")
def duplicate_lines(claim, context):
    seen = set()
    for line in claim.lines:
        # Institutional lines without a HCPCS code (room and board ...) repeat revenue codes by design.
        if line.procedure_code is None or REPEAT_MODIFIERS.intersection(line.modifiers):
            continue
        key = (line.procedure_code, line.revenue_code, line.modifiers, line_date(claim, line))
        if key in seen:
            yield f"line {line.line_number} repeats {line.procedure_code} on the same date"
        seen.add(key)


@history_rule("DUP-002", "duplicate", "DUPLICATE_OF_BILLED_CLAIM",
              "no service (patient, rendering NPI, date, code) another claim already billed")
def duplicate_of_history(claim, context, history):
    if claim.frequency_code != "1":
        return  # a replacement or void refers to the original on purpose
    for service in billed_services(claim):
        others = [claim_id for claim_id in history.claims_billing(service) if claim_id != claim.claim_id]
        if others:
            yield f"{service.procedure_code} on this date was already billed on claim {sorted(others)[0]}"


RULES = (duplicate_lines, duplicate_of_history)
