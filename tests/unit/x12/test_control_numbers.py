from __future__ import annotations

from shared.x12 import ControlNumbers, InMemoryControlNumbers
from shared.x12.control_numbers import MAX_CONTROL_NUMBER


def test_numbers_count_up_per_sender_and_kind() -> None:
    numbers: ControlNumbers = InMemoryControlNumbers()
    assert [numbers.next_interchange("CLINIC") for _ in range(3)] == [1, 2, 3]
    assert numbers.next_interchange("OTHER") == 1
    assert numbers.next_group("CLINIC") == 1
    assert numbers.next_transaction_set("CLINIC") == 1


def test_numbers_wrap_around_after_nine_digits() -> None:
    numbers = InMemoryControlNumbers(start=MAX_CONTROL_NUMBER)
    assert [numbers.next_group("CLINIC") for _ in range(2)] == [MAX_CONTROL_NUMBER, 1]
