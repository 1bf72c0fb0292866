"""The simulated payers' contract fee schedules: the simulated payer pays every line at its
contract except the few it underpays, and payments' underpayment check finds exactly those."""

from __future__ import annotations

import zlib
from collections import defaultdict
from decimal import Decimal

from services.payments.domain import Posted, post_claim
from tests.unit.payments.builders import expected_from
from services.payments.fee_schedule import parse_fee_schedule_csv
from services.payments.underpayments import find_underpayments
from simulator.contracts import fee_schedule_csv
from simulator.payer import PayerBehaviour, adjudicate
from simulator.population import World
from tests.unit.simulator.conftest import START


def test_payments_finds_exactly_the_lines_the_simulated_payers_underpaid(world: World, submitted_claims) -> None:
    tenant_of = {practice.billing.npi: practice.tenant_id for practice in world.practices}
    schedules = {p.tenant_id: parse_fee_schedule_csv(fee_schedule_csv(p)) for p in world.practices}
    by_payer = defaultdict(list)
    for claim in submitted_claims:
        by_payer[claim.coverage.payer_id].append(claim)
    found, injected = set(), set()
    for payer_id, claims in by_payer.items():
        remittance = adjudicate(claims, payer=world.payer(payer_id), seed=1, payment_date=START,
                                behaviour=PayerBehaviour(deny_rate=0, partial_rate=0), remittance_id=f"TRN-{payer_id}")
        submitted = {c.claim_id: c for c in claims}
        for paid_claim in remittance.claims:
            claim = submitted[paid_claim.claim_id]
            tenant = tenant_of[claim.visit.billing.npi]
            expected = expected_from(tenant, claim)
            result = post_claim(remittance, paid_claim, expected, posting_id=f"pst-{claim.claim_id}", denial_id="d")
            assert isinstance(result, Posted)
            modifiers = {line.line_item_control_number: line.modifiers for line in expected.lines}
            items = find_underpayments(result.payment, expected, schedules[tenant], modifiers, Decimal("1.00"))
            found |= {item.line_item_control_number for item in items}
            injected |= {line.line_item_control_number for line in claim.lines
                         if zlib.crc32(line.line_item_control_number.encode()) % 30 == 0
                         and line.charge * world.payer(payer_id).allowed_ratio_bp / 10_000 / 10 > Decimal("1.00")}
    assert injected and found == injected
