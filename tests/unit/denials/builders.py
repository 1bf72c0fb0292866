"""Builders of synthetic denials for the denials domain tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.events import Adjustment, AdjustmentGroup, ClaimDenied
from shared.ids import encounter_id_for, stable_id

PAYMENT_DATE = date(2025, 4, 1)


def an_adjustment(carc: str, amount: str = "100.00", group: str = "CO") -> Adjustment:
    return Adjustment(group=AdjustmentGroup(group), carc=carc, amount=Decimal(amount))


def a_denial(
    *adjustments: Adjustment,
    whole_claim: bool = True,
    payment_date: date = PAYMENT_DATE,
    denial_id: str = "dnl_1",
    payer_claim_number: str = "PCN-0001",
    denied_amount: str | None = None,
) -> ClaimDenied:
    """A denial for CO-16 of 100.00 unless told otherwise; the denied amount is the adjustments' sum."""
    reasons = adjustments or (an_adjustment("16"),)
    return ClaimDenied(
        denial_id=denial_id,
        claim_id=stable_id("clm", "unit-test", denial_id),
        encounter_id=encounter_id_for("clinic-north", f"visit-{denial_id}"),
        payer_id="ACMEHEALTH",
        payer_claim_number=payer_claim_number,
        remittance_id="TRN-20250401-1",
        whole_claim=whole_claim,
        denied_amount=Decimal(denied_amount) if denied_amount else sum((a.amount for a in reasons), Decimal("0.00")),
        adjustments=reasons,
        rarcs=("N290",),
        date_of_service=date(2025, 3, 3),
        payment_date=payment_date,
    )


def a_work_item(denial_id: str = "dnl_1", *, amount: str = "100.00", deadline: date = date(2025, 6, 30),
                category: str = "MEDICAL_NECESSITY", status: str = "open", assignee: str | None = None,
                whole_claim: bool = True, payer_id: str = "ACMEHEALTH", carcs: tuple[str, ...] = ("CO-50",),
                rarcs: tuple[str, ...] = ("N115",), billed: str | None = "250.00",
                procedure_codes: tuple[str, ...] = ("99214",), rendering_npi: str | None = "1234567893",
                payment_date: date = PAYMENT_DATE, tenant_id: str = "clinic-north"):
    """An open medical-necessity work item unless told otherwise."""
    from services.denials.categories import DenialCategory
    from services.denials.queue import ItemStatus, WorkItem
    from shared.events import DenialAction

    return WorkItem(
        denial_id=denial_id, tenant_id=tenant_id, claim_id=stable_id("clm", "unit-test", denial_id),
        encounter_id=encounter_id_for("clinic-north", f"visit-{denial_id}"), payer_id=payer_id,
        payer_claim_number="PCN-0001", category=DenialCategory(category), action=DenialAction.APPEAL,
        deciding_carc=carcs[0].split("-")[1], carc_known=category != "OTHER", carcs=carcs, rarcs=rarcs,
        whole_claim=whole_claim, amount=Decimal(amount), billed=Decimal(billed) if billed else None,
        procedure_codes=procedure_codes, rendering_npi=rendering_npi, date_of_service=date(2025, 3, 3),
        payment_date=payment_date, appeal_deadline=deadline, status=ItemStatus(status), assignee=assignee)
