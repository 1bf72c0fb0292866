"""The scrub engine: named rules run over the wire view of a claim (Claim837) before it is sent.

A rule is a small unit with an id ("PRV-001"), a category, a severity and a check. The check
returns messages (empty when the claim passes); the engine turns each into a Finding carrying
the rule's id, category, code and severity. An `error` blocks submission; a `warning` does not.
Messages name codes, line numbers and ids only, never patient data.

    scrubber = Scrubber(ScrubContext(today=clock.today()))
    result = scrubber.scrub(claim837, history=history)   # ScrubResult(findings, passed)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from shared.events import Finding
from shared.x12.models.claim import Claim837

from services.claims.scrubber.context import ScrubContext, ServiceHistory

Category = Literal[
    "demographics", "provider", "code_validity", "diagnosis_pointer", "ncci_ptp", "mue", "age_sex",
    "excludes1", "telehealth", "timely_filing", "duplicate", "frequency", "cob", "payer_rule", "balancing",
]
CATEGORIES: Final[tuple[str, ...]] = Category.__args__  # type: ignore[attr-defined]
Severity = Literal["error", "warning"]
MESSAGE_LIMIT: Final = 200  # Finding.message is ShortText; a code read from a file may be long
Check = Callable[[Claim837, ScrubContext], Iterable[str]]
HistoryCheck = Callable[[Claim837, ScrubContext, ServiceHistory], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # "PRV-001": stable, listed in services/claims/README.md
    category: Category
    code: str  # the Finding code, e.g. "BILLING_NPI_INVALID"
    severity: Severity
    what: str  # one line for the README and the work queue
    check: Check | None = None
    history_check: HistoryCheck | None = None  # rules that need the services already billed
    # What a claim must have for the rule to find anything: "prior_payers" (COB data) or
    # "institutional"; the engine does not call the rule for other claims.
    needs: Literal["prior_payers", "institutional"] | None = None

    def run(self, claim: Claim837, context: ScrubContext, history: ServiceHistory | None) -> list[Finding]:
        if self.history_check is not None:
            messages = self.history_check(claim, context, history) if history is not None else ()
        else:
            assert self.check is not None
            messages = self.check(claim, context)
        return [
            Finding(code=self.code, message=message[:MESSAGE_LIMIT], severity=self.severity, rule=self.id,
                    category=self.category)
            for message in messages
        ]


def rule(id: str, category: Category, code: str, what: str, severity: Severity = "error",
         needs: Literal["prior_payers", "institutional"] | None = None) -> Callable[[Check], Rule]:
    """Decorator: turn a check function into a Rule."""

    def wrap(check: Check) -> Rule:
        return Rule(id, category, code, severity, what, check=check, needs=needs)

    return wrap


def history_rule(id: str, category: Category, code: str, what: str,
                 severity: Severity = "error") -> Callable[[HistoryCheck], Rule]:
    def wrap(check: HistoryCheck) -> Rule:
        return Rule(id, category, code, severity, what, history_check=check)

    return wrap


@dataclass(frozen=True, slots=True)
class ScrubResult:
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        """True when no finding blocks submission (warnings do not)."""
        return not any(finding.severity == "error" for finding in self.findings)

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
        self._order = {each.id: position for position, each in enumerate(self.rules)}
        # The rules worth running, by (institutional, has prior payers): chosen once per claim,
        # as (check, rule) pairs for plain rules and the rules that need the history apart.
        self._applicable: dict[tuple[bool, bool], tuple[tuple[tuple[Check, Rule], ...], tuple[Rule, ...]]] = {}
        for institutional in (False, True):
            for prior in (False, True):
                chosen = [each for each in self.rules
                          if each.needs is None or (each.needs == "institutional" and institutional)
                          or (each.needs == "prior_payers" and prior)]
                self._applicable[(institutional, prior)] = (
                    tuple((each.check, each) for each in chosen if each.check is not None),
                    tuple(each for each in chosen if each.check is None),
                )

    def scrub(self, claim: Claim837, history: ServiceHistory | None = None) -> ScrubResult:
        """Every finding of every rule, in rule order. Without `history` the duplicate rule that
        compares with earlier claims is skipped."""
        # The same as `Rule.run` for each rule, unrolled: this loop runs some 70 times per claim.
        # Findings keep rule order: the history rules are put back in their place when they fire.
        context = self.context
        plain, with_history = self._applicable[(claim.institutional is not None, bool(claim.prior_payers))]
        fired: list[tuple[Rule, str]] = []
        for check, each in plain:
            for message in check(claim, context):
                fired.append((each, message))
        if history is not None:
            for each in with_history:
                for message in each.history_check(claim, context, history):  # type: ignore[misc]
                    fired.append((each, message))
        if not fired:
            return _PASSED
        order = self._order
        fired.sort(key=lambda pair: order[pair[0].id])
        return ScrubResult(tuple(
            Finding(code=each.code, message=message[:MESSAGE_LIMIT], severity=each.severity, rule=each.id,
                    category=each.category)
            for each, message in fired))
