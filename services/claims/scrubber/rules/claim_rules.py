"""Telehealth, timely filing, frequency, COB and balancing: rules about the claim as a whole."""

from __future__ import annotations

from decimal import Decimal

from services.claims.scrubber.engine import rule
from services.claims.scrubber.facts import TELEHEALTH_PLACES

TELEHEALTH_MODIFIERS = frozenset({"95", "GT", "93", "FQ", "FR"})
FILING_WARNING_DAYS = 14
FREQUENCIES = frozenset("1234578")  # original, interim bills 2-4, late charge 5, replacement, void
ZERO = Decimal("0")


@rule("TEL-001", "telehealth", "TELEHEALTH_MODIFIER_MISSING",
      "a line at POS 02 or 10 carries the payer's telehealth modifier", needs="telehealth")
def telehealth_modifier(claim, facts):
    wanted = facts.payer.telehealth_modifiers
    messages = ()
    for line, _, place in facts.lines:
        if place in TELEHEALTH_PLACES and not wanted.intersection(line.modifiers):
            messages += (f"line {line.line_number} is telehealth (POS {place}) without "
                         f"modifier {' or '.join(sorted(wanted))}",)
    return messages


@rule("TEL-002", "telehealth", "TELEHEALTH_MODIFIER_OFF_TELEHEALTH",
      "a telehealth modifier only on a telehealth place of service", "warning", needs="modifiers")
def telehealth_place(claim, facts):
    messages = ()
    for line, _, place in facts.lines:
        if place is not None and place not in TELEHEALTH_PLACES and TELEHEALTH_MODIFIERS.intersection(line.modifiers):
            messages += (f"line {line.line_number} has a telehealth modifier at POS {place}",)
    return messages


@rule("TFL-001", "timely_filing", "TIMELY_FILING_EXPIRED", "an original claim arrives within the payer's filing limit from the date of service")
def timely_filing(claim, facts):
    days = facts.payer.timely_filing_days
    if facts.days_since_service is not None and facts.days_since_service > days and claim.frequency_code == "1":
        return (f"filing limit of payer {claim.payer.payer_id} ({days} days from the date of service) has passed",)
    return ()


@rule("TFL-002", "timely_filing", "DATE_OF_SERVICE_IN_FUTURE", "no date of service after today")
def not_in_future(claim, facts):
    first, today = facts.first_date_of_service, facts.today
    if first is not None:
        for line in claim.lines:
            if (line.date_of_service or first) > today:
                return ("a date of service is after today",)
    return ()


@rule("TFL-003", "timely_filing", "TIMELY_FILING_NEAR", "warn when the filing limit is two weeks away", "warning")
def filing_soon(claim, facts):
    if facts.days_since_service is None:
        return ()
    days_left = facts.payer.timely_filing_days - facts.days_since_service
    if 0 <= days_left <= FILING_WARNING_DAYS:
        return (f"filing limit of payer {claim.payer.payer_id} ends in {days_left} days",)
    return ()


@rule("FRQ-001", "frequency", "PAYER_CLAIM_NUMBER_MISSING", "a replacement (7) or void (8) names the payer's claim number",
      needs="replacement")
def replacement_names_original(claim, facts):
    # Payers match a correction on their own claim number; without it the claim is a duplicate.
    if not claim.payer_claim_number:
        return (f"frequency {claim.frequency_code} claim needs the payer claim number",)
    return ()


@rule("FRQ-002", "frequency", "FREQUENCY_CODE_INVALID", "the claim frequency code is one X12 allows")
def frequency_known(claim, facts):
    if claim.frequency_code not in FREQUENCIES or (claim.institutional is None and claim.frequency_code not in "178"):
        return (f"claim frequency code {claim.frequency_code} is not allowed on this claim type",)
    return ()


@rule("FRQ-003", "frequency", "PAYER_CLAIM_NUMBER_ON_ORIGINAL", "an original claim carries no payer claim number", "warning",
      needs="payer_claim_number")
def original_without_reference(claim, facts):
    if claim.frequency_code == "1":
        return ("an original claim names a payer claim number; a correction should be frequency 7",)
    return ()


@rule("COB-001", "cob", "PRIOR_PAYER_MISSING", "a secondary or tertiary claim carries the prior payer's adjudication",
      needs="secondary")
def secondary_has_prior(claim, facts):
    if not claim.prior_payers:
        return (f"responsibility {claim.subscriber.payer_responsibility} claim has no prior payer adjudication",)
    return ()


@rule("COB-002", "cob", "PRIOR_ADJUDICATION_DATE_MISSING", "each prior payer's adjudication date is known", needs="prior_payers")
def prior_has_date(claim, facts):
    messages = ()
    for prior in claim.prior_payers:
        if prior.adjudication_date is None and not prior.lines:
            messages += (f"prior payer {prior.payer_id} has no adjudication date and no line results",)
    return messages


@rule("COB-003", "cob", "PRIOR_PAID_EXCEEDS_CHARGE", "a prior payer paid no more than the claim charge", needs="prior_payers")
def prior_paid_within_charge(claim, facts):
    messages = ()
    for prior in claim.prior_payers:
        if prior.paid > claim.total_charge or prior.paid < ZERO:
            messages += (f"prior payer {prior.payer_id} paid {prior.paid} on a {claim.total_charge} claim",)
    return messages


@rule("COB-004", "cob", "PRIOR_LINE_UNKNOWN", "prior payer line results refer to lines of this claim", needs="prior_payers")
def prior_lines_exist(claim, facts):
    numbers = {line.line_number for line in claim.lines}
    messages = ()
    for prior in claim.prior_payers:
        for result in prior.lines:
            if result.line_number not in numbers:
                messages += (f"prior payer {prior.payer_id} reports line {result.line_number}, which the claim lacks",)
    return messages


@rule("COB-005", "cob", "PRIOR_PAYER_IS_THIS_PAYER", "the prior payer is not the payer billed now", needs="prior_payers")
def prior_is_other_payer(claim, facts):
    messages = ()
    for prior in claim.prior_payers:
        if prior.payer_id == claim.payer.payer_id:
            messages += (f"prior payer {prior.payer_id} is the payer this claim is sent to",)
    return messages


@rule("BAL-001", "balancing", "CLAIM_OUT_OF_BALANCE", "the claim total equals the sum of its line charges")
def charges_balance(claim, facts):
    lines = ZERO
    for line in claim.lines:
        lines += line.charge
    if lines != claim.total_charge:
        return (f"claim total {claim.total_charge} differs from line total {lines}",)
    return ()


@rule("BAL-002", "balancing", "LINE_CHARGE_NEGATIVE", "no line charge below zero")
def line_charge_positive(claim, facts):
    messages = ()
    for line in claim.lines:
        if line.charge < ZERO:
            messages += (f"line {line.line_number} charge is negative",)
    return messages


@rule("BAL-003", "balancing", "PRIOR_LINE_OUT_OF_BALANCE", "a prior payer's line paid plus adjustments equals the line charge", needs="prior_payers")
def prior_lines_balance(claim, facts):
    charges = {line.line_number: line.charge for line in claim.lines}
    messages = ()
    for prior in claim.prior_payers:
        for result in prior.lines:
            charge = charges.get(result.line_number)
            adjusted = result.paid + sum((cas.amount for cas in result.adjustments), ZERO)
            if charge is not None and adjusted != charge:
                messages += (f"prior payer {prior.payer_id} line {result.line_number}: paid and adjustments "
                             f"{adjusted} != charge {charge}",)
    return messages


@rule("BAL-004", "balancing", "PRIOR_CLAIM_OUT_OF_BALANCE",
      "a prior payer's paid plus all adjustments equals the claim charge", needs="prior_payers")
def prior_claim_balances(claim, facts):
    messages = ()
    for prior in claim.prior_payers:
        adjusted = prior.paid + sum((cas.amount for cas in prior.adjustments), ZERO)
        adjusted += sum((cas.amount for result in prior.lines for cas in result.adjustments), ZERO)
        if adjusted != claim.total_charge:
            messages += (f"prior payer {prior.payer_id}: paid and adjustments {adjusted} != claim total "
                         f"{claim.total_charge}",)
    return messages


@rule("BAL-005", "balancing", "PRIOR_PAID_MISMATCH", "a prior payer's claim paid equals the sum of its line payments", needs="prior_payers")
def prior_paid_matches_lines(claim, facts):
    messages = ()
    for prior in claim.prior_payers:
        if prior.lines:
            lines = sum((result.paid for result in prior.lines), ZERO)
            if lines != prior.paid:
                messages += (f"prior payer {prior.payer_id} paid {prior.paid} but its lines add up to {lines}",)
    return messages


TELEHEALTH = (telehealth_modifier, telehealth_place)
TIMELY_FILING = (timely_filing, not_in_future, filing_soon)
FREQUENCY = (replacement_names_original, frequency_known, original_without_reference)
COB = (secondary_has_prior, prior_has_date, prior_paid_within_charge, prior_lines_exist, prior_is_other_payer)
BALANCING = (charges_balance, line_charge_positive, prior_lines_balance, prior_claim_balances, prior_paid_matches_lines)
