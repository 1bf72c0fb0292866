import math
import zlib
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.events import (
    AdjustmentGroup,
    ClaimPaymentStatus,
    CoverageOrder,
    FrequencyCode,
    RemittanceClaim,
    RemittanceReceived,
    SubmittedClaim,
)
from shared.money import to_cents
from simulator.clearinghouse import payer_claim_number_for
from simulator.payer import NO_COST_SHARE, DenialReason, PayerBehaviour, adjudicate
from simulator.population import World

PAYMENT_DATE = date(2025, 7, 15)
DENIAL_CARCS = {"16", "197", "50", "29", "18", "97"}


def remittances(world: World, claims: list[SubmittedClaim], *, seed: int = 1,
                behaviour: PayerBehaviour = PayerBehaviour()) -> list[RemittanceReceived]:
    """One 835 per payer, as a payer pays a provider."""
    by_payer: dict[str, list[SubmittedClaim]] = defaultdict(list)
    for claim in claims:
        by_payer[claim.coverage.payer_id].append(claim)
    return [adjudicate(batch, payer=world.payer(payer_id), seed=seed, behaviour=behaviour,
                       payment_date=PAYMENT_DATE, remittance_id=f"TRN-{payer_id}-{seed}")
            for payer_id, batch in sorted(by_payer.items())]


def remitted_claims(world: World, claims: list[SubmittedClaim], **kwargs) -> list[RemittanceClaim]:
    return [claim for remittance in remittances(world, claims, **kwargs) for claim in remittance.claims]


def all_adjustments(claim: RemittanceClaim):
    return list(claim.adjustments) + [adjustment for line in claim.lines for adjustment in line.adjustments]


def corrected(claim: SubmittedClaim) -> SubmittedClaim:
    return claim.model_copy(update={"frequency_code": FrequencyCode.REPLACEMENT,
                                    "payer_claim_number": payer_claim_number_for(claim.claim_id, "1")})


def multi_line(claims: list[SubmittedClaim]) -> list[SubmittedClaim]:
    return [claim for claim in claims if len(claim.lines) >= 2]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_every_remittance_balances_to_the_cent(world: World, submitted_claims: list[SubmittedClaim],
                                                seed: int) -> None:
    behaviour = PayerBehaviour(deny_rate=0.2, partial_rate=0.2)
    for remittance in remittances(world, submitted_claims[:150], seed=seed, behaviour=behaviour):
        assert remittance.payment_amount == sum((c.paid for c in remittance.claims), Decimal("0.00"))
        for claim in remittance.claims:
            assert claim.billed == claim.paid + sum(a.amount for a in all_adjustments(claim))
            assert claim.billed == sum(line.billed for line in claim.lines)
            assert claim.paid == sum(line.paid for line in claim.lines)
            assert claim.patient_responsibility == sum(
                a.amount for a in all_adjustments(claim) if a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY)


def test_every_line_balances_to_the_cent(world: World, many_claims: list[SubmittedClaim]) -> None:
    for claim in remitted_claims(world, many_claims, behaviour=PayerBehaviour(deny_rate=0.1, partial_rate=0.3)):
        for line in claim.lines:
            assert line.billed == line.paid + sum(adjustment.amount for adjustment in line.adjustments)


def test_no_amount_is_a_float_or_finer_than_a_cent(world: World, submitted_claims: list[SubmittedClaim]) -> None:
    for remittance in remittances(world, submitted_claims):
        amounts = [remittance.payment_amount]
        for claim in remittance.claims:
            amounts += [claim.billed, claim.paid, claim.patient_responsibility]
            amounts += [adjustment.amount for adjustment in all_adjustments(claim)]
            amounts += [amount for line in claim.lines for amount in (line.billed, line.paid)]
        assert all(isinstance(amount, Decimal) and amount.as_tuple().exponent >= -2 for amount in amounts)


def test_the_same_seed_gives_the_same_remittance(world: World, submitted_claims: list[SubmittedClaim]) -> None:
    assert remittances(world, submitted_claims, seed=3) == remittances(world, submitted_claims, seed=3)


def test_a_different_seed_gives_a_different_remittance(world: World, submitted_claims: list[SubmittedClaim]) -> None:
    assert remittances(world, submitted_claims, seed=3) != remittances(world, submitted_claims, seed=4)


def test_a_paid_line_is_allowed_at_the_payer_ratio_rounded_down(world: World,
                                                                submitted_claims: list[SubmittedClaim]) -> None:
    never_deny = PayerBehaviour(deny_rate=0, partial_rate=0)
    for remittance in remittances(world, submitted_claims, behaviour=never_deny):
        ratio_bp = world.payer(remittance.payer_id).allowed_ratio_bp
        for line in (line for claim in remittance.claims for line in claim.lines):
            contractual = sum(a.amount for a in line.adjustments if (a.group, a.carc) == ("CO", "45"))
            at_contract = to_cents(line.billed) * ratio_bp // 10_000
            if zlib.crc32(line.line_item_control_number.encode()) % 30 == 0:
                at_contract = at_contract * 9 // 10  # the payer's injected underpayment
            assert to_cents(line.billed - contractual) == at_contract


def test_a_few_lines_are_underpaid_against_the_contract(world: World, many_claims: list[SubmittedClaim]) -> None:
    never_deny = PayerBehaviour(deny_rate=0, partial_rate=0)
    lines = [line for remittance in remittances(world, many_claims, behaviour=never_deny)
             for claim in remittance.claims for line in claim.lines]
    underpaid = [line for line in lines if zlib.crc32(line.line_item_control_number.encode()) % 30 == 0]
    assert 0 < len(underpaid) < len(lines) / 10


def test_preventive_services_carry_no_patient_responsibility(world: World,
                                                             many_claims: list[SubmittedClaim]) -> None:
    lines = [line for claim in remitted_claims(world, many_claims) for line in claim.lines
             if line.procedure_code in NO_COST_SHARE]
    assert lines
    assert not any(a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY for line in lines for a in line.adjustments)


def test_patients_owe_deductible_coinsurance_and_copays(world: World, many_claims: list[SubmittedClaim]) -> None:
    carcs = {a.carc for claim in remitted_claims(world, many_claims) for a in all_adjustments(claim)
             if a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY}
    assert carcs == {"1", "2", "3"}


def test_a_denied_claim_pays_nothing_and_adjusts_the_whole_charge(world: World,
                                                                  submitted_claims: list[SubmittedClaim]) -> None:
    for claim in remitted_claims(world, submitted_claims, behaviour=PayerBehaviour(deny_rate=1.0, partial_rate=0)):
        assert claim.status_code is ClaimPaymentStatus.DENIED
        assert claim.paid == 0 and claim.patient_responsibility == 0
        adjustments = all_adjustments(claim)
        assert {(a.group, a.carc) for a in adjustments} <= {("CO", carc) for carc in ("16", "197", "50", "29", "18", "4", "11", "5")}
        assert len({a.carc for a in adjustments}) == 1


def test_a_missing_information_denial_carries_remark_m51_or_ma130(world: World,
                                                                  submitted_claims: list[SubmittedClaim]) -> None:
    behaviour = PayerBehaviour(deny_rate=1.0, partial_rate=0,
                               denial_mix=((DenialReason.MISSING_INFORMATION, 1),))
    for claim in remitted_claims(world, submitted_claims, behaviour=behaviour):
        assert {a.carc for a in all_adjustments(claim)} == {"16"}
        assert claim.rarcs in (("M51",), ("MA130",))


def test_the_denial_mix_covers_every_reason(world: World, many_claims: list[SubmittedClaim]) -> None:
    denied = remitted_claims(world, many_claims, behaviour=PayerBehaviour(deny_rate=1.0, partial_rate=0))
    assert {all_adjustments(claim)[0].carc for claim in denied} == {"16", "197", "50", "29", "18", "4", "11", "5"}


def test_a_partial_denial_zeroes_one_line_and_pays_the_rest(world: World,
                                                            submitted_claims: list[SubmittedClaim]) -> None:
    behaviour = PayerBehaviour(deny_rate=0, partial_rate=1.0)
    for claim in remitted_claims(world, multi_line(submitted_claims), behaviour=behaviour):
        assert claim.status_code is ClaimPaymentStatus.PROCESSED_AS_PRIMARY
        denied = [line for line in claim.lines if {a.carc for a in line.adjustments} & {"97", "50"}]
        assert len(denied) == 1 and denied[0].paid == 0 and denied[0] is not claim.lines[0]
        assert [a.amount for a in denied[0].adjustments] == [denied[0].billed]


def test_denials_and_partial_denials_come_at_about_their_rates(world: World,
                                                               many_claims: list[SubmittedClaim]) -> None:
    claims = multi_line(many_claims)
    outcomes = Counter()
    for claim in remitted_claims(world, claims, behaviour=PayerBehaviour(deny_rate=0.1, partial_rate=0.1)):
        if claim.status_code is ClaimPaymentStatus.DENIED:
            outcomes["denied"] += 1
        elif any(a.carc in {"97", "50"} for a in all_adjustments(claim)):
            outcomes["partial"] += 1
    tolerance = 4 * math.sqrt(len(claims) * 0.1 * 0.9)
    assert abs(outcomes["denied"] - len(claims) * 0.1) <= tolerance
    assert abs(outcomes["partial"] - len(claims) * 0.1) <= tolerance


def test_corrected_claims_are_always_paid(world: World, submitted_claims: list[SubmittedClaim]) -> None:
    always_deny = PayerBehaviour(deny_rate=0.5, partial_rate=0.5)
    for claim in remitted_claims(world, [corrected(c) for c in submitted_claims], behaviour=always_deny):
        assert claim.status_code is ClaimPaymentStatus.PROCESSED_AS_PRIMARY
        assert claim.frequency_code is FrequencyCode.REPLACEMENT
        assert not {a.carc for a in all_adjustments(claim)} & DENIAL_CARCS


def test_a_corrected_claim_is_paid_under_the_original_payer_claim_number(
        world: World, submitted_claims: list[SubmittedClaim]) -> None:
    claim = corrected(submitted_claims[0])
    remitted = remitted_claims(world, [claim])[0]
    assert remitted.payer_claim_number == claim.payer_claim_number


def test_an_original_claim_is_paid_under_the_clearinghouse_payer_claim_number(
        world: World, submitted_claims: list[SubmittedClaim]) -> None:
    claim = submitted_claims[0]
    remitted = remitted_claims(world, [claim])[0]
    assert remitted.payer_claim_number == payer_claim_number_for(claim.claim_id, FrequencyCode.ORIGINAL)


def test_remittance_lines_carry_the_line_item_control_numbers_of_the_claim(
        world: World, submitted_claims: list[SubmittedClaim]) -> None:
    by_id = {claim.claim_id: claim for claim in submitted_claims}
    for remitted in remitted_claims(world, submitted_claims):
        submitted = by_id[remitted.claim_id]
        assert [(l.line_item_control_number, l.procedure_code, l.modifiers, l.units, l.billed)
                for l in remitted.lines] == \
               [(l.line_item_control_number, l.procedure_code, l.modifiers, l.units, l.charge)
                for l in submitted.lines]


def test_an_835_that_pays_nothing_is_sent_as_non_payment(world: World,
                                                         submitted_claims: list[SubmittedClaim]) -> None:
    for remittance in remittances(world, submitted_claims, behaviour=PayerBehaviour(deny_rate=1.0, partial_rate=0)):
        assert remittance.payment_amount == 0 and remittance.payment_method == "NON"


def test_an_835_that_pays_is_sent_by_ach(world: World, submitted_claims: list[SubmittedClaim]) -> None:
    for remittance in remittances(world, submitted_claims):
        assert remittance.payment_amount > 0 and remittance.payment_method == "ACH"


def test_a_secondary_payer_says_it_processed_the_claim_as_secondary(
        world: World, submitted_claims: list[SubmittedClaim]) -> None:
    claim = submitted_claims[0]
    secondary = claim.model_copy(update={"coverage": claim.coverage.model_copy(
        update={"order": CoverageOrder.SECONDARY})})
    remitted = remitted_claims(world, [secondary], behaviour=PayerBehaviour(deny_rate=0, partial_rate=0))[0]
    assert remitted.status_code is ClaimPaymentStatus.PROCESSED_AS_SECONDARY


def test_a_claim_for_another_payer_is_refused(world: World, submitted_claims: list[SubmittedClaim]) -> None:
    claim = submitted_claims[0]
    other = next(payer for payer in world.payers if payer.payer_id != claim.coverage.payer_id)
    with pytest.raises(ValueError, match=claim.claim_id):
        adjudicate([claim], payer=other, seed=1, payment_date=PAYMENT_DATE, remittance_id="TRN-1")


def test_rates_adding_up_to_more_than_one_are_refused() -> None:
    with pytest.raises(ValueError):
        PayerBehaviour(deny_rate=0.6, partial_rate=0.6)
