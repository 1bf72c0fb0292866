"""Money is Decimal to the cent, never float.

`Money` validates that an amount has at most two decimal places, so a remittance amount such as
12.345 is refused at the boundary instead of being rounded somewhere downstream.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2),
    PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str, when_used="json"),
]


def to_cents(amount: Decimal) -> int:
    """Return `amount` as integer cents; raise ValueError if it has fractions of a cent."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("amount has fractions of a cent")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Return integer cents as a Decimal with two places."""
    return (Decimal(cents) / 100).quantize(CENT)


def stored_amount(value) -> Decimal:
    """An amount read back from MongoDB (Decimal128) or from text, as a Decimal."""
    return value.to_decimal() if hasattr(value, "to_decimal") else Decimal(str(value))


def total(amounts) -> Decimal:
    """Sum Decimal amounts exactly, starting from 0.00 so an empty sum still has two places."""
    result = ZERO
    for amount in amounts:
        result += amount
    return result
