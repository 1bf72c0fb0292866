"""Registration's hand-off: a registered encounter goes to coding. Coding answers every encounter
with `encounter.coded` or `encounter.held-for-coding`; registration reads both, and an encounter
with neither past its deadline is published again (the same event; coding drops a copy it saw)."""

from __future__ import annotations

from shared import topics
from shared.deadlines import Action, Closing, Handoff

HANDOFFS = (
    Handoff("registered", topics.ENCOUNTER_REGISTERED, Action.RE_EMIT, deadline_seconds=300,
            closed_by=(Closing(topics.ENCOUNTER_CODED, lambda coded: coded.encounter_id),
                       Closing(topics.ENCOUNTER_HELD_FOR_CODING, lambda held: held.encounter_id))),
)
