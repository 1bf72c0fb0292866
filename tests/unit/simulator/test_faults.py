"""Partner faults: seeded, at about their rate, and what a whole-batch rejection looks like to claims."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.claims.edi import SentBatch, answers
from shared.x12 import TradingPartners, read, write_999
from shared.x12 import InMemoryControlNumbers
from simulator.faults import PartnerFaults, clearinghouse_down, happens, rejected_batch_report
from tests.support.builders import a_batch_filed, a_submitted_claim

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_a_fault_is_drawn_the_same_way_every_time_for_one_id() -> None:
    draws = [happens(0.5, 2026, "835-twice", f"REM{i}") for i in range(50)]
    assert draws == [happens(0.5, 2026, "835-twice", f"REM{i}") for i in range(50)]


def test_a_fault_happens_at_about_its_rate_and_never_at_rate_zero() -> None:
    hits = sum(happens(0.1, 2026, "271-lost", f"elg{i}") for i in range(5000))
    assert 400 <= hits <= 600
    assert not any(happens(0.0, 2026, "271-lost", f"elg{i}") for i in range(500))


def test_different_kinds_of_fault_fall_on_different_ids() -> None:
    twice = {i for i in range(2000) if happens(0.1, 2026, "835-twice", str(i))}
    late = {i for i in range(2000) if happens(0.1, 2026, "835-late", str(i))}
    assert twice != late


def test_the_clearinghouse_is_down_at_the_end_of_each_period_and_up_at_the_start() -> None:
    faults = PartnerFaults(clearinghouse_down_seconds=20, clearinghouse_down_every_seconds=120)
    assert not clearinghouse_down(faults, START, START)
    assert not clearinghouse_down(faults, START, START + timedelta(seconds=99))
    assert clearinghouse_down(faults, START, START + timedelta(seconds=100))
    assert clearinghouse_down(faults, START, START + timedelta(seconds=119))
    assert not clearinghouse_down(faults, START, START + timedelta(seconds=121))


def test_a_clearinghouse_that_is_never_down_by_default() -> None:
    assert not clearinghouse_down(PartnerFaults(), START, START + timedelta(days=3))


def test_a_999_rejecting_the_batch_rejects_every_claim_in_it() -> None:
    claims = (a_submitted_claim(), a_submitted_claim())
    batch = a_batch_filed(*claims)
    document = read(batch.x12)
    partners = TradingPartners(sender_id="SIMCLEARING", receiver_id="RCMTEST")
    x12 = write_999(document, partners=partners, control_numbers=InMemoryControlNumbers(), created=START,
                    report=rejected_batch_report(document))
    transaction = document.transactions[0]
    sent = SentBatch(batch.batch_id, {transaction.control_number: tuple(c.claim_id for c in claims)})
    found = answers(read(x12), {batch.group_control_number: sent})
    assert sorted(ack.claim_id for _, ack in found) == sorted(c.claim_id for c in claims)
    assert not any(ack.accepted for _, ack in found)
    assert "AK9*R" in x12


def test_interest_added_by_the_payer_keeps_the_835_in_balance_and_readable() -> None:
    from decimal import Decimal

    from services.payments.domain import check_balance
    from shared.x12 import validate
    from simulator.faults import with_interest
    from tests.support.builders import a_remittance, an_835

    claim = a_submitted_claim()
    remittance = a_remittance(claim)
    interest = with_interest(remittance)
    assert [plb.reason for plb in interest.provider_adjustments] == ["L6"]
    added = -interest.provider_adjustments[0].amount
    assert added > 0 and interest.payment_amount == remittance.payment_amount + added
    check_balance(interest)  # BPR02 = Σ CLP04 − Σ PLB, or it raises
    document = read(an_835(interest, [claim]))
    assert validate(document).valid
    assert document.remittances()[0].to_event().provider_adjustments[0].amount == Decimal(-added)


def test_an_835_that_pays_nothing_owes_no_interest() -> None:
    from simulator.faults import with_interest
    from tests.support.builders import a_remittance

    denied = a_remittance(a_submitted_claim(), denied_carc="50")
    assert with_interest(denied) == denied
