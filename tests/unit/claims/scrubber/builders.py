"""Clean synthetic Claim837s for the scrubber tests; each test breaks one thing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from shared.codes.npi import npi_check_digit
from shared.x12.models.claim import (
    BillingProvider,
    Claim837,
    ClaimPayer,
    ClaimProvider,
    InstitutionalDetails,
    LineAdjudication,
    PayerAdjudication,
    Person,
    ServiceLine,
    Subscriber,
)
from shared.x12.models.common import CasAdjustment, PostalAddress

from services.claims.scrubber import ScrubContext

TODAY = date(2026, 3, 20)
DOS = date(2026, 3, 2)


def npi(body: str) -> str:
    return body + npi_check_digit(body)


BILLING_NPI, RENDERING_NPI = npi("123456789"), npi("198765432")


def a_line(number: int, code: str, charge: str, *, pointers=(1,), modifiers=(), units="1", day=DOS) -> ServiceLine:
    return ServiceLine(line_number=number, charge=Decimal(charge), units=Decimal(units), date_of_service=day,
                       procedure_code=code, modifiers=tuple(modifiers), diagnosis_pointers=tuple(pointers))


def a_person(**changes) -> Person:
    base = Person("SYNTHETICA", "TESTY", date(1980, 5, 5), "F",
                  PostalAddress("100 SYNTHETIC WAY", "TESTVILLE", "OH", "00001"))
    return replace(base, **changes)


def a_claim(**changes) -> Claim837:
    """An original 837P to SIMBLUE01: office visit and blood draw for hypertension and diabetes."""
    lines = (a_line(1, "99213", "140.00", pointers=(1, 2)), a_line(2, "36415", "18.00", pointers=(2,)))
    base = Claim837(
        claim_id="clm_" + "a" * 24,
        total_charge=Decimal("158.00"),
        frequency_code="1",
        billing=BillingProvider(BILLING_NPI, "TEST FAMILY GROUP", "001234567",
                                PostalAddress("1 TEST PLAZA", "TESTVILLE", "OH", "00002"), "193400000X"),
        subscriber=Subscriber("SIM000000001", a_person(), "P", "GRP00001", "CI"),
        payer=ClaimPayer("SIMBLUE01", "Synthetic Blue Plan"),
        diagnoses=("I10", "E119"),
        lines=lines,
        place_of_service="11",
        rendering=ClaimProvider(RENDERING_NPI, "TESTDOC", "ALPHA", "207Q00000X"),
    )
    return replace(base, **changes)


def with_lines(claim: Claim837, *lines: ServiceLine) -> Claim837:
    """`claim` with these lines and a total that still balances."""
    return replace(claim, lines=lines, total_charge=sum((line.charge for line in lines), Decimal("0")))


def with_line(claim: Claim837, index: int = 0, **changes) -> Claim837:
    lines = list(claim.lines)
    lines[index] = replace(lines[index], **changes)
    return with_lines(claim, *lines)


def a_secondary_claim(**changes) -> Claim837:
    """A secondary claim to SIMBLUE01 after SIMACME02 paid 80 % of each line (balanced)."""
    claim = a_claim(subscriber=Subscriber("SIM000000002", a_person(), "S", "GRP00001", "CI"))
    results = tuple(
        LineAdjudication(line.line_number, line.charge * Decimal("0.8"), line.units, date(2026, 3, 15),
                         line.procedure_code, adjustments=(CasAdjustment("PR", "2", line.charge * Decimal("0.2")),))
        for line in claim.lines
    )
    prior = PayerAdjudication("SIMACME02", "Acme Test Health HMO", "SIM000000009", a_person(),
                              sum((r.paid for r in results), Decimal("0")), lines=results)
    return replace(claim, prior_payers=(prior,), **changes)


def an_institutional_claim(**changes) -> Claim837:
    claim = a_claim(place_of_service=None, rendering=None)
    lines = tuple(replace(line, revenue_code="0510", diagnosis_pointers=()) for line in claim.lines)
    details = InstitutionalDetails("13", DOS, DOS,
                                   attending=ClaimProvider(RENDERING_NPI, "TESTDOC", "ALPHA", "207Q00000X"))
    return replace(claim, lines=lines, institutional=details, **changes)


def a_context(**changes) -> ScrubContext:
    changes.setdefault("today", TODAY)
    return ScrubContext(**changes)
