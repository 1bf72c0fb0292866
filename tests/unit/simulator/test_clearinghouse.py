import math
import re

from shared.events import FrequencyCode, SubmittedClaim
from simulator.clearinghouse import acknowledge, payer_claim_number_for

STATUS_CODE = re.compile(r"^A[0-8]_\d{1,3}(_[A-Z0-9]{2})?$")


def corrected(claim: SubmittedClaim) -> SubmittedClaim:
    return claim.model_copy(update={"frequency_code": FrequencyCode.REPLACEMENT,
                                    "payer_claim_number": payer_claim_number_for(claim.claim_id, "1")})


def with_rendering_npi(claim: SubmittedClaim, npi: str) -> SubmittedClaim:
    rendering = claim.visit.rendering.model_copy(update={"npi": npi})
    return claim.model_copy(update={"visit": claim.visit.model_copy(update={"rendering": rendering})})


def test_the_same_batch_and_seed_get_the_same_acknowledgement(submitted_claims: list[SubmittedClaim]) -> None:
    batch = submitted_claims
    assert acknowledge(batch, seed=1, reject_rate=0.2) == acknowledge(batch, seed=1, reject_rate=0.2)


def test_a_different_seed_rejects_different_claims(submitted_claims: list[SubmittedClaim]) -> None:
    batch = submitted_claims
    first = [ack.accepted for ack in acknowledge(batch, seed=1, reject_rate=0.2)]
    other = [ack.accepted for ack in acknowledge(batch, seed=2, reject_rate=0.2)]
    assert first != other


def test_every_claim_gets_one_acknowledgement_in_batch_order(submitted_claims: list[SubmittedClaim]) -> None:
    batch = submitted_claims[:50]
    acknowledged = acknowledge(batch, seed=1)
    assert [ack.claim_id for ack in acknowledged] == [c.claim_id for c in batch]


def test_originals_are_rejected_at_about_the_reject_rate(many_claims: list[SubmittedClaim]) -> None:
    acknowledgements = acknowledge(many_claims, seed=4, reject_rate=0.1)
    rejected = sum(not ack.accepted for ack in acknowledgements)
    assert abs(rejected - 200) <= 4 * math.sqrt(2_000 * 0.1 * 0.9)


def test_a_zero_reject_rate_accepts_every_clean_claim(submitted_claims: list[SubmittedClaim]) -> None:
    assert all(ack.accepted for ack in acknowledge(submitted_claims, seed=4, reject_rate=0))


def test_corrected_claims_are_always_accepted(submitted_claims: list[SubmittedClaim]) -> None:
    batch = [corrected(claim) for claim in submitted_claims]
    assert all(ack.accepted for ack in acknowledge(batch, seed=4, reject_rate=1.0))


def test_a_rejection_carries_277ca_codes_and_no_payer_claim_number(submitted_claims: list[SubmittedClaim]) -> None:
    acknowledgements = acknowledge(submitted_claims, seed=4, reject_rate=1.0)
    for ack in acknowledgements:
        assert not ack.accepted and ack.payer_claim_number is None
        assert ack.status_codes and all(STATUS_CODE.match(code) for code in ack.status_codes)
    assert len({ack.status_codes for ack in acknowledgements}) > 1


def test_an_accepted_claim_gets_the_payer_claim_number_of_its_submission(
        submitted_claims: list[SubmittedClaim]) -> None:
    acknowledgements = acknowledge(submitted_claims, seed=4, reject_rate=0)
    for claim, ack in zip(submitted_claims, acknowledgements, strict=True):
        assert ack.payer_claim_number == payer_claim_number_for(claim.claim_id, claim.frequency_code)
        assert re.fullmatch(r"PCN\d{12}", ack.payer_claim_number)


def test_a_corrected_claim_keeps_the_payer_claim_number_of_the_original(
        submitted_claims: list[SubmittedClaim]) -> None:
    claim = corrected(submitted_claims[0])
    ack = acknowledge([claim], seed=4)[0]
    assert ack.payer_claim_number == claim.payer_claim_number


def test_a_claim_with_a_wrong_rendering_npi_check_digit_is_always_rejected(
        submitted_claims: list[SubmittedClaim]) -> None:
    claim = submitted_claims[0]
    npi = claim.visit.rendering.npi
    broken = with_rendering_npi(claim, npi[:-1] + str((int(npi[-1]) + 1) % 10))
    ack = acknowledge([broken], seed=4, reject_rate=0)[0]
    assert not ack.accepted and ack.status_codes == ("A7_562_82",)
