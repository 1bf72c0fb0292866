"""What the partners answered each batch, kept so that a batch sent again gets the same answers:
the same 999, 277CA and 835 files under the same event ids, which our consumers drop if they
read them before. A real clearinghouse treats a file sent again under the same ISA13 as a
duplicate in the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import InsertOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from shared import topics
from shared.envelope import Envelope
from shared.outbox import outbox_document

_TOPIC_OF = {topic.event_type: topic for topic in topics.ALL}


class AnswerRecord:
    def __init__(self, collection: AsyncCollection) -> None:
        self._answers = collection

    async def recorded(self, batch_ids: Sequence[str], session: AsyncClientSession) -> dict[str, list[dict[str, Any]]]:
        """The outbox rows each of these batches was answered with, by batch id (answered batches only)."""
        cursor = self._answers.find({"_id": {"$in": sorted(set(batch_ids))}}, session=session)
        return {doc["_id"]: doc["rows"] async for doc in cursor}

    async def record(self, answered: Mapping[str, Sequence[Envelope]], session: AsyncClientSession) -> None:
        writes = [InsertOne({"_id": batch_id, "rows": [outbox_document(_TOPIC_OF[e.event_type], e) for e in sent]})
                  for batch_id, sent in answered.items() if sent]
        if writes:
            await self._answers.bulk_write(writes, ordered=False, session=session)
