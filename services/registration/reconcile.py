"""Registration's hand-offs.

- `requested`: a visit the feeds acknowledged (AA) is queued as `registration.requested` for
  registration's own consumers. Until the encounter is registered (registration's encounters),
  the request is published again past its deadline (the same event; a visit registers once).
- `registered`: a registered encounter goes to coding, which answers every encounter with
  `encounter.coded` or `encounter.held-for-coding`; registration reads both, and an encounter with
  neither past its deadline is published again (the same event; coding drops a copy it saw).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared import topics
from shared.deadlines import Action, Closing, Handoff


def handoffs(database: AsyncDatabase) -> tuple[Handoff, ...]:
    encounters = database["encounters"]

    async def not_registered(docs: Sequence[Mapping[str, Any]], session: AsyncClientSession) -> set[str]:
        cursor = encounters.find({"_id": {"$in": [doc["key"] for doc in docs]}}, {"_id": 1}, session=session)
        registered = {doc["_id"] async for doc in cursor}
        return {doc["_id"] for doc in docs if doc["key"] not in registered}

    return (
        Handoff("requested", topics.REGISTRATION_REQUESTED, Action.RE_EMIT, deadline_seconds=300,
                keyed_by_correlation=True, waiting=not_registered),
        Handoff("registered", topics.ENCOUNTER_REGISTERED, Action.RE_EMIT, deadline_seconds=300,
                closed_by=(Closing(topics.ENCOUNTER_CODED, lambda coded: coded.encounter_id),
                           Closing(topics.ENCOUNTER_HELD_FOR_CODING, lambda held: held.encounter_id))),
    )
