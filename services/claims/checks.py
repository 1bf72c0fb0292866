"""What claims checks before a claim leaves: can it be written as an 837P at all (edi.py), and the
scrubber's rules on exactly that 837P (scrubber/). Pure: the code sets and payer rules come in a
ScrubContext built once per process, and what was billed before comes in a ServiceHistory."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from services.claims import edi
from services.claims.scrubber import BilledService, InMemoryHistory, ScrubContext, Scrubber, ServiceHistory
from services.claims.scrubber.rules.duplicate import billed_services
from shared.events import Finding, SubmittedClaim
from shared.x12 import PayerAdjudication, UnencodableValue


@lru_cache(maxsize=1)
def default_context() -> ScrubContext:
    """The code sets, NCCI/MUE tables and payer rules, loaded once per process (a few seconds)."""
    return ScrubContext(today=date.today())


_SCRUBBERS: dict[tuple[int, date], tuple[ScrubContext, Scrubber]] = {}


def _scrubber(context: ScrubContext, today: date) -> Scrubber:
    """One Scrubber per context and day (building one prepares the rule tables)."""
    key = (id(context), today)
    cached = _SCRUBBERS.get(key)
    if cached is None or cached[0] is not context:
        if len(_SCRUBBERS) > 16:
            _SCRUBBERS.clear()
        cached = _SCRUBBERS[key] = (context, Scrubber(context.on(today)))
    return cached[1]


class ClaimChecks:
    """The pre-submission audit of one batch of claims. `history` answers which services other
    claims already billed; the checks add each claim that passes, so two copies of one visit in
    the same batch are caught too. `passed` holds what each claim that passed bills, for the
    caller to remember."""

    def __init__(self, context: ScrubContext | None = None, history: ServiceHistory | None = None) -> None:
        self.context = context or default_context()
        self.history = history if history is not None else InMemoryHistory()
        self.passed: dict[str, tuple[BilledService, ...]] = {}

    def findings(self, claim: SubmittedClaim, today: date,
                 prior_payers: tuple[PayerAdjudication, ...] = ()) -> list[Finding]:
        encoding = edi.encoding_findings(claim, prior_payers)
        if encoding:
            return encoding  # the rules read the 837P; a claim that cannot become one stops here
        wire = edi.to_claim837(claim, prior_payers)
        result = _scrubber(self.context, today).scrub(wire, history=self.history)
        if result.passed:
            self.passed[claim.claim_id] = billed_services(wire)
            if isinstance(self.history, InMemoryHistory):
                self.history.record(claim.claim_id, self.passed[claim.claim_id])
        return list(result.findings)


def billed(claim: SubmittedClaim) -> tuple[BilledService, ...]:
    """The services `claim` bills, as the duplicate rule compares them; () if it has no 837P."""
    try:
        return billed_services(edi.to_claim837(claim))
    except UnencodableValue:
        return ()
