"""The simulated payer's 835 file: valid against the guide, and read back to the same remittance."""

from datetime import date
from decimal import Decimal

from shared.x12 import read, validate
from simulator.claim_view import SimClaim
from tests.support.builders import a_remittance, a_submitted_claim, an_835


def test_the_835_validates_and_reads_back_to_the_payers_remittance() -> None:
    claims = [a_submitted_claim() for _ in range(3)]
    paid = a_remittance(*claims[:2])
    denied = a_remittance(claims[2], denied_carc="16")
    remittance = paid.model_copy(update={"claims": paid.claims + denied.claims,
                                         "payment_amount": paid.payment_amount + denied.payment_amount})
    document = read(an_835(remittance, claims))
    assert validate(document).valid, validate(document).errors
    (read_back,) = [r.to_event() for r in document.remittances()]
    assert read_back.remittance_id == remittance.remittance_id
    assert read_back.payment_amount == remittance.payment_amount
    assert [c.model_dump(exclude={"lines"}) for c in read_back.claims] == [
        c.model_dump(exclude={"lines"}) for c in remittance.claims]
    for got, sent in zip(read_back.claims, remittance.claims, strict=True):
        assert [line.model_dump(exclude={"service_date"}) for line in got.lines] == [
            line.model_dump(exclude={"service_date"}) for line in sent.lines]


def test_a_claim_read_from_an_837_keeps_what_the_partners_decide_on() -> None:
    claim = a_submitted_claim()
    view = SimClaim.of(claim)
    assert (view.claim_id, view.payer_id, view.rendering_npi, view.billing_npi) == (
        claim.claim_id, claim.coverage.payer_id, claim.visit.rendering.npi, claim.visit.billing.npi)
    assert view.total_charge == claim.total_charge == sum((line.charge for line in claim.lines), Decimal("0.00"))
    assert view.date_of_service == date(2026, 11, 1)
