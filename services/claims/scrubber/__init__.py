"""The claim scrubber: rules over the wire view of a claim (Claim837) before it is submitted.

    from services.claims.scrubber import Scrubber, ScrubContext
    result = Scrubber(ScrubContext(today=clock.today())).scrub(claim837, history=history)
    result.passed, result.findings
"""

from services.claims.scrubber.context import (
    BilledService,
    InMemoryHistory,
    PayerRules,
    ScrubContext,
    ServiceHistory,
)
from services.claims.scrubber.engine import CATEGORIES, Rule, ScrubResult, Scrubber

__all__ = ["CATEGORIES", "BilledService", "InMemoryHistory", "PayerRules", "Rule", "ScrubContext", "ScrubResult",
           "Scrubber", "ServiceHistory"]
