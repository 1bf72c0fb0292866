"""National Provider Identifier check digit (CMS NPI standard, ISO/IEC 7812 Luhn with prefix 80840)."""

import re
from functools import lru_cache

_NPI = re.compile(r"^[12]\d{9}$")


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total


def npi_check_digit(first_nine: str) -> str:
    """Return the check digit for the first nine digits of an NPI."""
    if not re.fullmatch(r"\d{9}", first_nine):
        raise ValueError("an NPI body is nine digits")
    # The NPI check digit is Luhn over '80840' + the nine digits + the check digit.
    for check in range(10):
        if _luhn_sum("80840" + first_nine + str(check)) % 10 == 0:
            return str(check)
    raise AssertionError("unreachable: one Luhn digit always fits")


@lru_cache(maxsize=1 << 16)  # a practice bills with a few NPIs thousands of times
def is_valid_npi(npi: str) -> bool:
    """True when `npi` has ten digits, starts with 1 or 2 and its check digit is right."""
    return bool(_NPI.match(npi)) and _luhn_sum("80840" + npi) % 10 == 0
