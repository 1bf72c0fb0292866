"""Pieces shared by several transaction sets: adjustments, addresses, named parties."""

from __future__ import annotations

from decimal import Decimal

from shared.x12.models.base import model


@model
class CasAdjustment:
    """One CAS triplet: group code (CO, PR, OA, PI, CR), reason code (CARC), amount, optional quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@model
class PostalAddress:
    """N3/N4. PHI when it is a patient's or subscriber's address."""

    line1: str
    city: str
    state: str
    postal_code: str
    line2: str | None = None


@model
class Party:
    """An organization named in an NM1 or N1 segment with its identifier (payer, payee, submitter)."""

    name: str
    identifier: str | None = None
    qualifier: str | None = None  # NM108 / N103, e.g. PI payer id, XX NPI, 46 ETIN, FI tax id


@model
class Individual:
    """A person named in an NM1 segment (PHI): patient or insured on an 835, subscriber on a 27x."""

    last_name: str
    first_name: str | None = None
    identifier: str | None = None  # NM109, e.g. the member id
    qualifier: str | None = None  # NM108, e.g. MI member id
