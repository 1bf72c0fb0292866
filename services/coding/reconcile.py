"""Coding's hand-off: a coded encounter goes to claims, which opens a claim and announces every
status of it. Coding reads those announcements; a coded encounter with no claim status past its
deadline is published again (the same event; claims opens one claim per encounter and payer)."""

from __future__ import annotations

from shared import topics
from shared.deadlines import Action, Closing, Handoff

HANDOFFS = (
    Handoff("coded", topics.ENCOUNTER_CODED, Action.RE_EMIT, deadline_seconds=300,
            closed_by=(Closing(topics.CLAIM_STATUS_CHANGED, lambda changed: changed.encounter_id),)),
)
