"""Contract fee schedules for the simulated payers: what each payer agreed to allow per unit of
each service a practice bills, in the CSV that `rcm payments fee-schedule load` reads.

The simulated payers price a line at `allowed_ratio_bp` of its charge (payer.py), so the contract
is that ratio of the practice's chargemaster price, rounded down to the cent. A line the payer
underpays (payer.py) then falls below the contract and payments opens an underpayment item.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import ROUND_DOWN, Decimal

from simulator.population import PAYERS, Practice, build_world

HEADER = ("payer_id", "procedure_code", "modifiers", "effective_from", "effective_to", "allowed")
CONTRACT_START = date(2020, 1, 1)


def fee_schedule_csv(practice: Practice) -> str:
    """The contract fee schedule of every simulated payer for `practice`'s chargemaster."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for payer in PAYERS:
        for row in practice.chargemaster:
            allowed = (row.unit_price * payer.allowed_ratio_bp / 10_000).quantize(Decimal("0.01"), ROUND_DOWN)
            writer.writerow((payer.payer_id, row.procedure_code, row.modifier or "", CONTRACT_START.isoformat(), "",
                             f"{allowed:.2f}"))
    return out.getvalue()


def demo_fee_schedule_csv(seed: int, tenant_id: str) -> str:
    """The fee schedule of the demo world's practice `tenant_id`; KeyError if there is none."""
    practices = {p.tenant_id: p for p in build_world(seed, patients_per_practice=1).practices}
    return fee_schedule_csv(practices[tenant_id])
