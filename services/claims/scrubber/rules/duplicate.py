"""The same service billed twice: within one claim, or already billed on another claim."""

from __future__ import annotations

import hashlib

from services.claims.scrubber.context import BilledService
from services.claims.scrubber.engine import rule
from services.claims.scrubber.facts import patient, statement_start

# Modifiers that say "this is a repeat on purpose", so a second identical line is not a duplicate.
REPEAT_MODIFIERS = frozenset({"76", "77", "91", "59", "XE", "XS", "XP", "XU"})


# A copy of an empty 16-byte BLAKE2b costs less than making one with its keyword arguments.
_DIGEST = hashlib.blake2b(digest_size=16)


def patient_key(claim) -> str:
    """An opaque digest of payer, member id, patient name and birth date: equal for the same
    patient's claims, and no PHI can be read from it."""
    person = patient(claim)
    # str() of a date is its isoformat(); calling that directly skips the format machinery.
    born = person.birth_date.isoformat() if person.birth_date is not None else None
    digest = _DIGEST.copy()
    digest.update(f"{claim.payer.payer_id}|{claim.subscriber.member_id}|{person.last_name}|{person.first_name}|{born}"
                  .upper().encode())
    return digest.hexdigest()


# The duplicate rule and then its caller, recording what the claim billed (services/claims/checks.py,
# the CLI), ask for the same claim's services one after the other: the last answer is kept, which
# saves the digest and the services a second time. The reference to the claim keeps it alive, so
# its identity cannot be reused by another object.
_last: list = [None, ()]


def billed_services(claim) -> tuple[BilledService, ...]:
    """The services of `claim` as the duplicate rule compares them (what a caller records as billed)."""
    if _last[0] is claim:
        return _last[1]
    key = patient_key(claim)
    rendering = claim.rendering.npi if claim.rendering is not None else claim.billing.npi
    start = statement_start(claim)
    services = []
    for line in claim.lines:
        day = line.date_of_service if line.date_of_service is not None else start
        if line.procedure_code and day is not None and REPEAT_MODIFIERS.isdisjoint(line.modifiers):
            services.append(BilledService._make((key, rendering, day, line.procedure_code)))  # _make: no keywords
    _last[0], _last[1] = claim, tuple(services)
    return _last[1]


@rule("DUP-001", "duplicate", "DUPLICATE_LINE", "no two lines bill the same code, modifiers and date (unless marked a repeat)",
      needs="several_lines")
def duplicate_lines(claim, facts):
    messages = ()
    seen = set()
    for line, day, _ in facts.lines:
        # Institutional lines without a HCPCS code (room and board ...) repeat revenue codes by design.
        if line.procedure_code is None or REPEAT_MODIFIERS.intersection(line.modifiers):
            continue
        key = (line.procedure_code, line.revenue_code, line.modifiers, day)
        if key in seen:
            messages += (f"line {line.line_number} repeats {line.procedure_code} on the same date",)
        seen.add(key)
    return messages


@rule("DUP-002", "duplicate", "DUPLICATE_OF_BILLED_CLAIM",
      "no service (patient, rendering NPI, date, code) another claim already billed", needs="history")
def duplicate_of_history(claim, facts):
    if claim.frequency_code != "1":
        return ()  # a replacement or void refers to the original on purpose
    messages = ()
    for service in billed_services(claim):
        billed_on = facts.history.claims_billing(service)
        if not billed_on:
            continue  # the common case: nothing billed this service before
        others = [claim_id for claim_id in billed_on if claim_id != claim.claim_id]
        if others:
            messages += (f"{service.procedure_code} on this date was already billed on claim {sorted(others)[0]}",)
    return messages


RULES = (duplicate_lines, duplicate_of_history)
