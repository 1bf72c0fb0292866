"""PLB: interest, recoupments and forward balances posted to the provider's account with the payer,
so an 835 with provider-level adjustments reconciles to the cent."""

from __future__ import annotations

from services.payments.domain import check_balance
from services.payments.provider_account import ProviderAccount, plb_entry_id, post_provider_adjustments
from shared.money import ZERO, total
from tests.unit.payments.builders import PAYER, TENANT, a_claim, a_line, a_plb, a_remittance, co, money


def test_interest_and_a_recoupment_post_to_the_account_and_the_835_reconciles() -> None:
    remittance = a_remittance(a_claim(a_line("100.00", None, co("45", "20.00"))),
                              provider_adjustments=(a_plb("L6", "-1.25"), a_plb("WO", "30.00")))
    check_balance(remittance)

    entries, account = post_provider_adjustments(remittance, ProviderAccount(TENANT, PAYER, ZERO))

    assert [(e.kind, e.amount, e.account_balance) for e in entries] == [
        ("interest", money("-1.25"), money("1.25")), ("recoupment", money("30.00"), money("-28.75"))]
    assert account.balance == money("-28.75")
    # what the payer sent = what it paid on claims + what the account moved
    assert remittance.payment_amount == total(c.paid for c in remittance.claims) + account.balance


def test_a_forward_balance_carries_on_from_the_account_s_earlier_balance() -> None:
    remittance = a_remittance(a_claim(a_line("100.00", None, co("45", "90.00"))),
                              provider_adjustments=(a_plb("FB", "25.00"),), payment_amount="-15.00")

    entries, account = post_provider_adjustments(remittance, ProviderAccount(TENANT, PAYER, money("40.00")))

    assert entries[0].kind == "forward_balance"
    assert account.balance == money("15.00")


def test_the_plb_entries_of_one_835_have_the_same_ids_every_time() -> None:
    remittance = a_remittance(a_claim(a_line("100.00", "100.00")), provider_adjustments=(a_plb("L6", "-2.00"),))

    first, _ = post_provider_adjustments(remittance, ProviderAccount(TENANT, PAYER, ZERO))
    again, _ = post_provider_adjustments(remittance, ProviderAccount(TENANT, PAYER, ZERO))

    assert [e.entry_id for e in first] == [e.entry_id for e in again] == [plb_entry_id(remittance.remittance_id, 0)]
