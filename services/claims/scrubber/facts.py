"""Facts about one Claim837 that several rules need, worked out once per claim before the rules
run (ClaimFacts): the patient, who rendered the care, each line with its date and place of
service, the first date of service, the payer's rules, the ICD-10-CM version in force on that
date, and which of the things some rules need (NEEDS: prior payers, several lines, modifiers ...)
the claim has."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final, Literal, TypeVar

from shared.x12.models.claim import Claim837, ClaimProvider, Person, ServiceLine

from services.claims.scrubber.context import (
    DEFAULT_PAYER_RULES,
    IcdVersion,
    PayerRules,
    ScrubContext,
    ServiceHistory,
)

TELEHEALTH_PLACES = frozenset({"02", "10"})
T = TypeVar("T")


def patient(claim: Claim837) -> Person:
    """The person who received care: the 2000C patient, or the subscriber when they are the patient."""
    return claim.patient if claim.patient is not None else claim.subscriber.person


def rendering(claim: Claim837) -> ClaimProvider | None:
    """Who rendered the care: the rendering provider, or on an 837I the attending; None if neither."""
    if claim.rendering is not None:
        return claim.rendering
    return claim.institutional.attending if claim.institutional is not None else None


def statement_start(claim: Claim837) -> date | None:
    """The first day of an 837I's statement period, the date of service of its lines that have
    none of their own; None on an 837P, whose lines each carry theirs."""
    return claim.institutional.statement_from if claim.institutional is not None else None


def age_in_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# What a claim may have that some rules need to find anything: a rule names one as `needs`, and
# its check is not called for a claim without it. ClaimFacts.has says which a claim has.
Need = Literal["prior_payers", "secondary", "institutional", "history", "replacement", "payer_claim_number",
               "male_patient", "female_patient", "several_lines", "several_diagnoses", "modifiers", "telehealth"]
NEEDS: Final[tuple[Need, ...]] = Need.__args__  # type: ignore[attr-defined]


class ClaimFacts:
    """What the rules ask about the claim being scrubbed, worked out once when the scrub begins and
    handed to every rule's check with the claim. Rules read it and never change it. (A class with
    slots, filled in __init__: built for every claim, where a NamedTuple or a frozen dataclass costs
    several times more.)"""

    __slots__ = ("context", "history", "today", "payer_rules", "payer", "patient", "rendering", "lines",
                 "first_date_of_service", "days_since_service", "icd", "has", "_shared")

    context: ScrubContext
    history: ServiceHistory | None  # services other claims billed; None when the caller has none
    today: date
    payer_rules: PayerRules | None  # the payer's own rules file; None when it has none
    payer: PayerRules  # payer_rules, or the defaults for a payer without a file
    patient: Person
    rendering: ClaimProvider | None  # as rendering() gives it
    # Each of claim.lines with its date of service (the line's, else the statement_start) and its
    # place of service (the line's, else the claim's): `for line, day, place in facts.lines`.
    lines: list[tuple[ServiceLine, date | None, str | None]]
    first_date_of_service: date | None  # the earliest line date or statement start; None if no date
    days_since_service: int | None  # from first_date_of_service to today
    icd: IcdVersion | None  # the ICD-10-CM version in force on first_date_of_service
    has: tuple[bool, ...]  # for each of NEEDS, whether the claim (and the scrub) has it

    def __init__(self, claim: Claim837, context: ScrubContext, history: ServiceHistory | None = None) -> None:
        """The facts of `claim`, judged with `context` and, for the duplicate rule, `history`."""
        start = statement_start(claim)
        # One pass over the lines: this runs for every claim.
        lines: list[tuple[ServiceLine, date | None, str | None]] = []
        first, modified, telehealth = start, False, False
        for line in claim.lines:
            day = line.date_of_service if line.date_of_service is not None else start
            if day is not None and (first is None or day < first):
                first = day
            place = line.place_of_service or claim.place_of_service
            lines.append((line, day, place))
            modified = modified or bool(line.modifiers)
            telehealth = telehealth or place in TELEHEALTH_PLACES
        self.context = context
        self.history = history
        self.today = context.today
        self.payer_rules = context.payer(claim.payer.payer_id)
        self.payer = self.payer_rules if self.payer_rules is not None else DEFAULT_PAYER_RULES
        self.patient = patient(claim)
        self.rendering = rendering(claim)
        self.lines = lines
        self.first_date_of_service = first
        self.days_since_service = (context.today - first).days if first is not None else None
        self.icd = context.icd.on(first) if first is not None else None
        self.has = (  # in the order of NEEDS
            bool(claim.prior_payers), claim.subscriber.payer_responsibility in ("S", "T"),
            claim.institutional is not None, history is not None, claim.frequency_code in ("7", "8"),
            bool(claim.payer_claim_number), self.patient.sex == "M", self.patient.sex == "F",
            len(claim.lines) > 1, len(claim.diagnoses) > 1, modified, telehealth,
        )
        self._shared: dict[Callable[[Claim837, ClaimFacts], Any], Any] | None = None

    def have(self, need: Need) -> bool:
        """Whether the claim has what a rule that `needs` this asks for."""
        return self.has[NEEDS.index(need)]

    def shared(self, work: Callable[[Claim837, ClaimFacts], T], claim: Claim837) -> T:
        """`work(claim, self)`, worked out for the first rule that asks and kept for the others: for
        what the rules of one module share (the NCCI pairs, the MUE limits), too specific to be a
        fact of every claim."""
        if self._shared is None:
            self._shared = {}
        elif work in self._shared:
            return self._shared[work]
        answer = self._shared[work] = work(claim, self)
        return answer
