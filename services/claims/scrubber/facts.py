"""Facts about a Claim837 that several rules need: the patient, dates of service, age."""

from __future__ import annotations

from datetime import date

from shared.x12.models.claim import Claim837, Person, ServiceLine

TELEHEALTH_PLACES = frozenset({"02", "10"})


def patient(claim: Claim837) -> Person:
    """The person who received care: the 2000C patient, or the subscriber when they are the patient."""
    return claim.patient if claim.patient is not None else claim.subscriber.person


def line_date(claim: Claim837, line: ServiceLine) -> date | None:
    if line.date_of_service is not None:
        return line.date_of_service
    return claim.institutional.statement_from if claim.institutional is not None else None


# Several rules ask for the first date of service of the claim being scrubbed; the engine runs
# every rule over one claim before the next, so remembering the last answer saves recomputing it.
# The reference to the claim keeps it alive, so its identity cannot be reused by another object.
_last: list = [None, None]


def first_date_of_service(claim: Claim837) -> date | None:
    if _last[0] is claim:
        return _last[1]
    days = [day for line in claim.lines if (day := line_date(claim, line)) is not None]
    if claim.institutional is not None:
        days.append(claim.institutional.statement_from)
    first = min(days) if days else None
    _last[0], _last[1] = claim, first
    return first


def line_place(claim: Claim837, line: ServiceLine) -> str | None:
    return line.place_of_service or claim.place_of_service


def age_in_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
