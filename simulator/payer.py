"""A simulated payer: adjudicates submitted claims and answers with an 835 remittance.

Each claim is paid, denied whole or denied on one line, by a draw seeded with the run's seed, the
claim id and its frequency code. Some denials are about the claim's data (a missing modifier, a
diagnosis that does not support the procedure, the place of service): the payer remembers why
(simulator/corrections.py) and pays the corrected claim (frequency 7) only when the correction
changed that data; otherwise it denies it again for the same reason. A corrected claim after any
other denial (missing information, authorization) is paid. Amounts are computed in integer cents and every claim balances to the cent:

    billed = paid + contractual (CO) + patient responsibility (PR) + denials (CO)

Adjustments are reported on the service lines (line-level CAS), so each line balances too; denial
remark codes (RARC) go on the claim for a whole-claim denial and on the line for a line denial.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from shared.events import (
    Adjustment,
    AdjustmentGroup,
    ChargeLine,
    ClaimPaymentStatus,
    CoverageOrder,
    FrequencyCode,
    RemittanceClaim,
    RemittanceLine,
    RemittanceReceived,
    SubmittedClaim,
)
from shared.money import from_cents, to_cents
from simulator.claim_view import SimClaim
from simulator.clearinghouse import payer_claim_number_of
from simulator.corrections import CorrectableDenial, Remembered, denial_fixed, remember_denial
from simulator.population import PayerProfile


class DenialReason(StrEnum):
    MISSING_INFORMATION = "missing_information"  # CO-16 with M51 or MA130: correct and resubmit
    NO_AUTHORIZATION = "no_authorization"  # CO-197: get the authorization, resubmit
    NOT_MEDICALLY_NECESSARY = "not_medically_necessary"  # CO-50: appeal with records
    TIMELY_FILING = "timely_filing"  # CO-29: write off
    DUPLICATE = "duplicate"  # CO-18: write off
    # Denials whose fix is in the claim's data (simulator/corrections.py checks the corrected claim):
    MISSING_MODIFIER = "missing_modifier"  # CO-4: add the modifier the procedure needs
    DIAGNOSIS_INCONSISTENT = "diagnosis_inconsistent"  # CO-11: point the line to the diagnosis it treats
    INVALID_PLACE_OF_SERVICE = "invalid_place_of_service"  # CO-5: bill the place the service was done


# reason -> (CARC, remark codes one of which the payer adds, or none)
DENIAL_CODES: dict[DenialReason, tuple[str, tuple[str, ...]]] = {
    DenialReason.MISSING_INFORMATION: ("16", ("M51", "MA130")),
    DenialReason.NO_AUTHORIZATION: ("197", ()),
    DenialReason.NOT_MEDICALLY_NECESSARY: ("50", ()),
    DenialReason.TIMELY_FILING: ("29", ()),
    DenialReason.DUPLICATE: ("18", ()),
    DenialReason.MISSING_MODIFIER: ("4", ()),
    DenialReason.DIAGNOSIS_INCONSISTENT: ("11", ()),
    DenialReason.INVALID_PLACE_OF_SERVICE: ("5", ()),
}
# A line denied while the rest of the claim pays: bundled into another service, or not necessary.
LINE_DENIALS: tuple[tuple[str, tuple[str, ...], int], ...] = (("97", ("M15",), 60), ("50", (), 40))
CONTRACTUAL_CARC = "45"  # charge exceeds the fee schedule
DEDUCTIBLE_CARC, COINSURANCE_CARC, COPAY_CARC = "1", "2", "3"
# Preventive care, wellness visits, vaccines and screening carry no cost share (ACA preventive rules).
NO_COST_SHARE = frozenset({"99391", "99392", "99393", "99394", "99395", "99396", "99397", "G0438", "G0439",
                           "90686", "90471", "90460", "96110"})


@dataclass(frozen=True, slots=True)
class PayerBehaviour:
    """How often this payer denies, and why."""

    deny_rate: float = 0.08  # whole-claim denials
    partial_rate: float = 0.05  # one line denied, the rest paid (claims with two or more lines)
    denial_mix: tuple[tuple[DenialReason, int], ...] = (
        (DenialReason.MISSING_INFORMATION, 30),
        (DenialReason.NO_AUTHORIZATION, 20),
        (DenialReason.NOT_MEDICALLY_NECESSARY, 20),
        (DenialReason.TIMELY_FILING, 10),
        (DenialReason.DUPLICATE, 20),
        (DenialReason.MISSING_MODIFIER, 10),
        (DenialReason.DIAGNOSIS_INCONSISTENT, 10),
        (DenialReason.INVALID_PLACE_OF_SERVICE, 10),
    )

    def __post_init__(self) -> None:
        if not (0.0 <= self.deny_rate <= 1.0 and 0.0 <= self.partial_rate <= 1.0
                and self.deny_rate + self.partial_rate <= 1.0):
            raise ValueError("deny_rate and partial_rate must be within 0..1 and add up to at most 1")
        if not self.denial_mix or any(weight < 0 for _, weight in self.denial_mix) \
                or sum(weight for _, weight in self.denial_mix) <= 0:
            raise ValueError("denial_mix needs non-negative weights with a positive total")


def adjudicate(claims: Sequence[SimClaim | SubmittedClaim], *, payer: PayerProfile, seed: int,
               behaviour: PayerBehaviour = PayerBehaviour(), payment_date: date,
               remittance_id: str) -> RemittanceReceived:
    """Return one 835 paying `claims`: BPR02 is the sum of the claims' paid amounts (no PLB).

    Raises ValueError for a claim addressed to another payer, or a void (frequency 8), which this
    simulator does not reverse.
    """
    return adjudicate_remembering(claims, payer=payer, seed=seed, behaviour=behaviour, payment_date=payment_date,
                                  remittance_id=remittance_id)[0]


def adjudicate_remembering(claims: Sequence[SimClaim | SubmittedClaim], *, payer: PayerProfile, seed: int,
                           behaviour: PayerBehaviour = PayerBehaviour(), payment_date: date, remittance_id: str,
                           remembered: Mapping[str, Remembered] | None = None,
                           ) -> tuple[RemittanceReceived, dict[str, Remembered]]:
    """`adjudicate`, judging each corrected claim against what the payer `remembered` of its
    denial (by claim id), and returning what it remembers now of the claims it denied for a
    reason in their data."""
    remembered = remembered or {}
    remitted, memory = [], {}
    for claim in claims:
        view = SimClaim.of(claim)
        answer, denied_for = _adjudicate_claim(view, payer, seed, behaviour, remembered.get(view.claim_id))
        remitted.append(answer)
        if denied_for is not None:
            memory[view.claim_id] = denied_for
    payment_cents = sum(to_cents(claim.paid) for claim in remitted)
    return RemittanceReceived(
        remittance_id=remittance_id,
        payer_id=payer.payer_id,
        payment_amount=from_cents(payment_cents),
        payment_method="ACH" if payment_cents > 0 else "NON",  # NON: an 835 that moves no money
        payment_date=payment_date,
        claims=tuple(remitted),
    ), memory


@dataclass(slots=True)
class _LineResult:
    line: ChargeLine
    paid: int = 0  # cents
    adjustments: tuple[tuple[AdjustmentGroup, str, int], ...] = ()  # (group, CARC, cents)
    rarcs: tuple[str, ...] = ()

    @property
    def patient_responsibility(self) -> int:
        return sum(cents for group, _, cents in self.adjustments
                   if group is AdjustmentGroup.PATIENT_RESPONSIBILITY)


def _adjudicate_claim(claim: SimClaim, payer: PayerProfile, seed: int, behaviour: PayerBehaviour,
                      remembered: Remembered | None = None) -> tuple[RemittanceClaim, Remembered | None]:
    if claim.payer_id != payer.payer_id:
        raise ValueError(f"claim {claim.claim_id} is for payer {claim.payer_id}, not {payer.payer_id}")
    if claim.frequency_code is FrequencyCode.VOID:
        raise ValueError(f"claim {claim.claim_id} is a void; the simulated payer does not reverse payments")
    rng = random.Random(f"835|{seed}|{claim.claim_id}|{claim.frequency_code.value}")
    draw = rng.random()
    corrected = claim.frequency_code is FrequencyCode.REPLACEMENT
    if corrected and remembered is not None and not denial_fixed(claim, remembered):
        reason = DenialReason(remembered.reason)  # the correction left the reason in place
        return _deny_claim(rng, claim, reason), remembered
    # Any other corrected claim fixes what was denied; paying it lets the denial work end.
    if corrected or draw >= behaviour.deny_rate + behaviour.partial_rate:
        return _remit(claim, _price_lines(rng, claim.lines, payer, denied_line=None), _processed_status(claim)), None
    if draw < behaviour.deny_rate:
        reasons = [reason for reason, _ in behaviour.denial_mix]
        reason = rng.choices(reasons, weights=[weight for _, weight in behaviour.denial_mix])[0]
        memory = remember_denial(claim, CorrectableDenial(reason.value)) if reason.value in _CORRECTABLE else None
        return _deny_claim(rng, claim, reason), memory
    denied_line = rng.randrange(1, len(claim.lines)) if len(claim.lines) >= 2 else None
    return _remit(claim, _price_lines(rng, claim.lines, payer, denied_line), _processed_status(claim)), None


_CORRECTABLE = frozenset(reason.value for reason in CorrectableDenial)


def _price_lines(rng: random.Random, lines: Sequence[ChargeLine], payer: PayerProfile,
                 denied_line: int | None) -> list[_LineResult]:
    """Price every line on the payer's fee schedule, denying the line at index `denied_line`, if any."""
    share = payer.patient_share
    deductible_left = share.deductible_cents if rng.random() < share.deductible_rate else 0
    copay_left = share.copay_cents
    results = []
    for index, line in enumerate(lines):
        charge = to_cents(line.charge)
        if index == denied_line:
            carc, rarcs, _ = rng.choices(LINE_DENIALS, weights=[weight for *_, weight in LINE_DENIALS])[0]
            results.append(_LineResult(line, 0, _positive((AdjustmentGroup.CONTRACTUAL, carc, charge)), rarcs))
            continue
        # Integer division rounds the allowed amount down to the cent, as fee schedules do.
        allowed = charge * payer.allowed_ratio_bp // 10_000
        # About one line in 30 is priced 10% under the contract (an outdated fee schedule at the
        # payer), so payments' underpayment follow-up has work in the demo. Chosen by the line's
        # control number, not by `rng`, so every other draw of a seeded run stays as it was.
        if zlib.crc32(line.line_item_control_number.encode()) % 30 == 0:
            allowed = allowed * 9 // 10
        deductible = copay = coinsurance = 0
        if line.procedure_code not in NO_COST_SHARE:
            deductible = min(deductible_left, allowed)
            deductible_left -= deductible
            copay = min(copay_left, allowed - deductible)
            copay_left -= copay
            coinsurance = (allowed - deductible - copay) * share.coinsurance_bp // 10_000
        results.append(_LineResult(line, allowed - deductible - copay - coinsurance, _positive(
            (AdjustmentGroup.CONTRACTUAL, CONTRACTUAL_CARC, charge - allowed),
            (AdjustmentGroup.PATIENT_RESPONSIBILITY, DEDUCTIBLE_CARC, deductible),
            (AdjustmentGroup.PATIENT_RESPONSIBILITY, COINSURANCE_CARC, coinsurance),
            (AdjustmentGroup.PATIENT_RESPONSIBILITY, COPAY_CARC, copay),
        )))
    return results


def _deny_claim(rng: random.Random, claim: SimClaim, reason: DenialReason) -> RemittanceClaim:
    carc, remark_choices = DENIAL_CODES[reason]
    rarcs = (rng.choice(remark_choices),) if remark_choices else ()
    results = [_LineResult(line, 0, _positive((AdjustmentGroup.CONTRACTUAL, carc, to_cents(line.charge))))
               for line in claim.lines]
    return _remit(claim, results, ClaimPaymentStatus.DENIED, rarcs)


def _remit(claim: SimClaim, results: Sequence[_LineResult], status: ClaimPaymentStatus,
           rarcs: tuple[str, ...] = ()) -> RemittanceClaim:
    lines = tuple(
        RemittanceLine(
            line_item_control_number=result.line.line_item_control_number,
            procedure_code=result.line.procedure_code,
            modifiers=result.line.modifiers,
            units=result.line.units,
            billed=result.line.charge,
            paid=from_cents(result.paid),
            adjustments=tuple(_adjustment(*adjustment) for adjustment in result.adjustments),
            rarcs=result.rarcs,
        )
        for result in results
    )
    return RemittanceClaim(
        claim_id=claim.claim_id,
        status_code=status,
        billed=from_cents(sum(to_cents(result.line.charge) for result in results)),
        paid=from_cents(sum(result.paid for result in results)),
        patient_responsibility=from_cents(sum(result.patient_responsibility for result in results)),
        payer_claim_number=payer_claim_number_of(claim),
        frequency_code=claim.frequency_code,
        lines=lines,
        rarcs=rarcs,
    )


@lru_cache(maxsize=16_384)
def _adjustment(group: AdjustmentGroup, carc: str, cents: int) -> Adjustment:
    # Adjustments are frozen values and repeat a lot (one payer, one code, one price): build each once.
    return Adjustment(group=group, carc=carc, amount=from_cents(cents))


def _processed_status(claim: SimClaim) -> ClaimPaymentStatus:
    # Without the primary's adjudication (COB loops) on the claim, a secondary or tertiary payer here
    # prices the claim as if it were first, but still says in which order it processed it.
    return {
        CoverageOrder.PRIMARY: ClaimPaymentStatus.PROCESSED_AS_PRIMARY,
        CoverageOrder.SECONDARY: ClaimPaymentStatus.PROCESSED_AS_SECONDARY,
        CoverageOrder.TERTIARY: ClaimPaymentStatus.PROCESSED_AS_TERTIARY,
    }[claim.order]


def _positive(*adjustments: tuple[AdjustmentGroup, str, int]) -> tuple[tuple[AdjustmentGroup, str, int], ...]:
    """Only adjustments that move money: an 835 carries no zero CAS amounts."""
    return tuple(adjustment for adjustment in adjustments if adjustment[2] != 0)
