"""The scrub engine: named rules run over the wire view of a claim (Claim837) before it is sent.

A rule is a small unit with an id ("PRV-001"), a category, a severity and a check. The engine
works out the claim's facts once (ClaimFacts: patient, dates, payer rules ...) and calls each
check with the claim and those facts. A check returns its messages, an empty tuple when the
claim passes; the engine turns each message into a Finding carrying the rule's id, category,
code and severity. An `error` blocks submission; a `warning` does not. Messages name codes,
line numbers and ids only, never patient data.

    scrubber = Scrubber(ScrubContext(today=clock.today()))
    result = scrubber.scrub(claim837, history=history)   # ScrubResult(findings, passed)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from shared.events import Finding
from shared.x12.models.claim import Claim837

from services.claims.scrubber.context import ScrubContext, ServiceHistory
from services.claims.scrubber.facts import ClaimFacts, Need

Category = Literal[
    "demographics", "provider", "code_validity", "diagnosis_pointer", "ncci_ptp", "mue", "age_sex",
    "excludes1", "telehealth", "timely_filing", "duplicate", "frequency", "cob", "payer_rule", "balancing",
]
CATEGORIES: Final[tuple[str, ...]] = Category.__args__  # type: ignore[attr-defined]
Severity = Literal["error", "warning"]
MESSAGE_LIMIT: Final = 200  # Finding.message is ShortText; a code read from a file may be long
Check = Callable[[Claim837, ClaimFacts], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # "PRV-001": stable, listed in services/claims/README.md
    category: Category
    code: str  # the Finding code, e.g. "BILLING_NPI_INVALID"
    severity: Severity
    what: str  # one line for the README and the work queue
    check: Check
    # What a claim must have for the rule to find anything (facts.NEEDS): the check is called only
    # for claims that have it, so it need not test that itself.
    needs: Need | None = None

    def run(self, claim: Claim837, context: ScrubContext, history: ServiceHistory | None) -> list[Finding]:
        """This rule's findings on `claim` (what Scrubber.scrub would report for it)."""
        facts = ClaimFacts(claim, context, history)
        if self.needs is not None and not facts.have(self.needs):
            return []
        return [self.finding(message) for message in self.check(claim, facts)]

    def finding(self, message: str) -> Finding:
        return Finding(code=self.code, message=message[:MESSAGE_LIMIT], severity=self.severity, rule=self.id,
                       category=self.category)


def rule(id: str, category: Category, code: str, what: str, severity: Severity = "error",
         needs: Need | None = None) -> Callable[[Check], Rule]:
    """Decorator: turn a check function into a Rule."""

    def wrap(check: Check) -> Rule:
        return Rule(id, category, code, severity, what, check, needs)

    return wrap


@dataclass(frozen=True, slots=True)
class ScrubResult:
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        """True when no finding blocks submission (warnings do not)."""
        # Asked of every claim, and most have no findings: a loop, not a generator, to answer fast.
        for finding in self.findings:
            if finding.severity == "error":
                return False
        return True

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.severity == "error")


_PASSED = ScrubResult(())


class Scrubber:
    """Runs every rule over a claim. Pure: no I/O, `today` and history come from the caller."""

    def __init__(self, context: ScrubContext, rules: Sequence[Rule] | None = None) -> None:
        from services.claims.scrubber.rules import RULES

        self.context = context
        self.rules: tuple[Rule, ...] = tuple(RULES if rules is None else rules)
        # The rules worth running for each combination of what a claim has (ClaimFacts.has), in
        # rule order, as (check, rule) pairs: chosen when first met, not rule by rule per claim.
        self._applicable: dict[tuple[bool, ...], tuple[tuple[Check, Rule], ...]] = {}

    def scrub(self, claim: Claim837, history: ServiceHistory | None = None) -> ScrubResult:
        """Every finding of every rule, in rule order. Without `history` the duplicate rule that
        compares with earlier claims is skipped."""
        facts = ClaimFacts(claim, self.context, history)
        applicable = self._applicable.get(facts.has)
        if applicable is None:
            applicable = self._applicable[facts.has] = tuple(
                (each.check, each) for each in self.rules if each.needs is None or facts.have(each.needs))
        findings: list[Finding] = []
        for check, each in applicable:  # some 60 times per claim: kept to a call and a test
            messages = check(claim, facts)
            if messages:
                findings.extend(each.finding(message) for message in messages)
        return ScrubResult(tuple(findings)) if findings else _PASSED
