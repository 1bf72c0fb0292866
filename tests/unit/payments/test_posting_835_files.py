"""Posting a real 835 file: X12 text read with shared.x12, turned into RemittanceReceived and posted
claim by claim and line by line against the claims we submitted. Everything reconciles to the cent:
BPR02 == posted paid + unapplied cash - PLB amounts."""

from __future__ import annotations

from datetime import datetime

from services.payments.domain import Posted, Unapplied, check_balance, post_claim
from services.payments.posting import line_unaccounted
from services.payments.reversals import prior_of, reversed_posting
from shared.events import ClaimPaymentStatus
from shared.ids import stable_id
from shared.money import total
from shared.x12 import InMemoryControlNumbers, read
from shared.x12.samples import sample_partners, sample_professional_claims, sample_remittance
from shared.x12.writers.remittance import write_835
from tests.unit.payments.builders import TENANT, expected_from, unaccounted


def an_835(claims) -> str:
    return write_835([sample_remittance([c.to_claim837() for c in claims])], partners=sample_partners(),
                     control_numbers=InMemoryControlNumbers(), created=datetime(2024, 4, 1, 8, 0))


def post_file(text: str, expected: dict):
    results = []
    prior = []
    for remittance in (r.to_event() for r in read(text).remittances()):
        check_balance(remittance)
        for paid_claim in remittance.claims:
            claim = expected.get(paid_claim.claim_id)
            reverses = None
            if claim is not None and paid_claim.status_code == ClaimPaymentStatus.REVERSAL:
                reverses = reversed_posting(paid_claim, claim.claim_id, prior)
                if reverses is None:
                    results.append(Unapplied("REVERSAL_WITHOUT_ORIGINAL", paid_claim.claim_id, paid_claim.paid))
                    continue
            result = post_claim(remittance, paid_claim, claim, reverses=reverses, denial_id="dnl",
                                posting_id=stable_id("pst", remittance.remittance_id, paid_claim.claim_id,
                                                     paid_claim.status_code.value))
            if isinstance(result, Posted):
                prior.append(prior_of(result.payment))
            results.append(result)
        yield remittance, results


def test_every_dollar_of_an_835_file_is_posted_or_held_and_the_file_reconciles() -> None:
    professional = sample_professional_claims(12)
    expected = {c.claim.claim_id: expected_from(TENANT, c) for c in professional[:-1]}  # one never submitted

    ((remittance, results),) = list(post_file(an_835(professional), expected))

    posted = [r.payment for r in results if isinstance(r, Posted)]
    unapplied = [r for r in results if isinstance(r, Unapplied)]
    assert {u.reason_code for u in unapplied} == {"CLAIM_NOT_FOUND"}
    assert remittance.payment_amount == (total(p.paid for p in posted) + total(u.amount for u in unapplied)
                                         - total(a.amount for a in remittance.provider_adjustments))
    assert all(unaccounted(p) == 0 for p in posted)
    assert all(line_unaccounted(line) == 0 for p in posted for line in p.lines)
    assert all(line.line_item_control_number is not None for p in posted for line in p.lines)
    assert any(p.coinsurance > 0 for p in posted)


def test_a_reversal_in_a_file_whose_original_we_never_posted_is_held_not_posted() -> None:
    professional = sample_professional_claims(12)
    expected = {c.claim.claim_id: expected_from(TENANT, c) for c in professional}

    ((remittance, results),) = list(post_file(an_835(professional), expected))

    (held,) = [r for r in results if isinstance(r, Unapplied)]
    assert held.reason_code == "REVERSAL_WITHOUT_ORIGINAL" and held.amount < 0
    posted = [r.payment for r in results if isinstance(r, Posted)]
    assert remittance.payment_amount == (total(p.paid for p in posted) + held.amount
                                         - total(a.amount for a in remittance.provider_adjustments))
