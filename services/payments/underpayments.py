"""Underpayments: a line paid below what the payer's contract says it should be.

Expected = the contract's allowed amount per unit x units (fee_schedule.py). What the provider
received for the line is what the payer paid plus the patient's share (the contract's allowed
amount is split between them). When received falls short of expected by more than the tolerance,
an underpayment item is opened for follow-up. Denied lines (paid nothing, no patient share) are
denials, not underpayments, and reversals never open one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from services.payments.expected_claims import ExpectedClaim
from services.payments.fee_schedule import FeeScheduleEntry, allowed_amount
from shared.events import LinePosted, PaymentOutcome, PaymentPosted, UnderpaymentOpened
from shared.ids import stable_id
from shared.money import ZERO


def line_received(line: LinePosted) -> Decimal:
    return line.paid + line.deductible + line.coinsurance + line.copay + line.other_patient_responsibility


def find_underpayments(payment: PaymentPosted, expected: ExpectedClaim, schedule: Sequence[FeeScheduleEntry],
                       modifiers_of: dict[str, tuple[str, ...]], tolerance: Decimal) -> tuple[UnderpaymentOpened, ...]:
    """Return an UnderpaymentOpened per line of `payment` whose received amount is below the
    contract's expected amount by more than `tolerance`. `modifiers_of` gives each submitted line's
    modifiers by control number; a line the schedule does not price opens nothing."""
    if payment.outcome in (PaymentOutcome.REVERSED, PaymentOutcome.DENIED):
        return ()
    found = []
    for position, line in enumerate(payment.lines):
        received = line_received(line)
        if line.paid == ZERO and received == ZERO:
            continue  # a denied line: the denials queue works it
        modifiers = modifiers_of.get(line.line_item_control_number or "", ())
        per_unit = allowed_amount(schedule, payment.payer_id, line.procedure_code, modifiers, expected.date_of_service)
        if per_unit is None:
            continue
        owed = per_unit * line.units
        if owed - received > tolerance:
            found.append(UnderpaymentOpened(
                underpayment_id=stable_id("und", payment.posting_id, str(position)),
                claim_id=payment.claim_id,
                encounter_id=payment.encounter_id,
                payer_id=payment.payer_id,
                remittance_id=payment.remittance_id,
                line_item_control_number=line.line_item_control_number,
                procedure_code=line.procedure_code,
                expected=owed,
                received=received,
                shortfall=owed - received,
            ))
    return tuple(found)
