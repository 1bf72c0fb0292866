"""Line-level posting: each SVC line split into paid, contractual, the patient's share by kind
(deductible, coinsurance, copay, other PR) and other adjustments, tied to the submitted line it
answers (REF*6R first, then code + modifiers + date of service + units).

Amounts keep the payer's signs, so a reversal's lines are the negation of the original's and the
two cancel line for line. Every line satisfies billed == paid + contractual + deductible +
coinsurance + copay + other PR + other, to the cent (the line was balance-checked before).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from services.payments.expected_claims import ExpectedClaim, match_lines
from shared.events import Adjustment, AdjustmentGroup, LinePosted, RemittanceClaim
from shared.money import total

# CO reasons that are the agreed price (see domain.CONTRACTUAL_CARCS; repeated here to keep this
# module free of the domain's imports).
_CONTRACTUAL: Final = frozenset({"45", "253"})
DEDUCTIBLE: Final = "1"
COINSURANCE: Final = "2"
COPAY: Final = "3"


@dataclass(frozen=True, slots=True)
class PatientShare:
    """The patient responsibility (PR) of some adjustments, by kind."""

    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    other: Decimal

    @property
    def total(self) -> Decimal:
        return self.deductible + self.coinsurance + self.copay + self.other


def patient_share(adjustments: Iterable[Adjustment]) -> PatientShare:
    """Split the PR adjustments among `adjustments` into deductible (CARC 1), coinsurance (2),
    copay (3) and other (e.g. 96 non-covered, billed to the patient)."""
    pr = [a for a in adjustments if a.group == AdjustmentGroup.PATIENT_RESPONSIBILITY]
    deductible = total(a.amount for a in pr if a.carc == DEDUCTIBLE)
    coinsurance = total(a.amount for a in pr if a.carc == COINSURANCE)
    copay = total(a.amount for a in pr if a.carc == COPAY)
    return PatientShare(deductible, coinsurance, copay, total(a.amount for a in pr) - deductible - coinsurance - copay)


def contractual(adjustments: Iterable[Adjustment]) -> Decimal:
    return total(a.amount for a in adjustments if a.group == AdjustmentGroup.CONTRACTUAL and a.carc in _CONTRACTUAL)


def post_lines(paid_claim: RemittanceClaim, expected: ExpectedClaim) -> tuple[LinePosted, ...]:
    """Return one LinePosted per SVC line of `paid_claim`, in the payer's order. A line that matches
    no submitted line keeps the payer's own code and no control number (it is posted by amount)."""
    matches = match_lines(paid_claim.lines, expected.lines, expected.date_of_service)
    posted = []
    for line, match in zip(paid_claim.lines, matches, strict=True):
        share = patient_share(line.adjustments)
        written_off = contractual(line.adjustments)
        other = total(a.amount for a in line.adjustments) - written_off - share.total
        posted.append(LinePosted(
            line_item_control_number=None if match is None else match.line_item_control_number,
            procedure_code=line.procedure_code if match is None else match.procedure_code,
            units=line.units if match is None else match.units,
            billed=line.billed,
            paid=line.paid,
            contractual_adjustment=written_off,
            deductible=share.deductible,
            coinsurance=share.coinsurance,
            copay=share.copay,
            other_patient_responsibility=share.other,
            other_adjustment=other,
            adjustments=line.adjustments,
        ))
    return tuple(posted)


def line_unaccounted(line: LinePosted) -> Decimal:
    """What a posted line leaves unexplained of its billed amount; 0.00 when it balances."""
    return line.billed - (
        line.paid + line.contractual_adjustment + line.deductible + line.coinsurance + line.copay
        + line.other_patient_responsibility + line.other_adjustment
    )

