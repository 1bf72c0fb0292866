"""An in-memory stand-in for DenialsRepository, for the API and CLI unit tests only: it keeps the
same contract (get, items, change with its emitted events) without MongoDB. The real repository's
transaction is proved by tests/integration/denials."""

from __future__ import annotations

from datetime import date, datetime

from services.denials.queue import WorkItem
from services.denials.repository import UnknownWorkItem


class InMemoryDenials:
    def __init__(self, *items: WorkItem) -> None:
        self.stored = {item.denial_id: item for item in items}
        self.emitted: list[tuple[str, object]] = []  # (topic name, payload), in commit order
        self.commits = 0

    async def get(self, denial_id: str) -> WorkItem:
        if denial_id not in self.stored:
            raise UnknownWorkItem(f"no work item {denial_id}")
        return self.stored[denial_id]

    async def items(self, *, statuses=(), category=None, payer_id=None, paid_from: date | None = None,
                    paid_to: date | None = None, limit: int = 1000) -> list[WorkItem]:
        return [item for item in self.stored.values()
                if (not statuses or item.status.value in statuses) and (not category or item.category == category)
                and (not payer_id or item.payer_id == payer_id)
                and (paid_from is None or item.payment_date >= paid_from)
                and (paid_to is None or item.payment_date <= paid_to)][:limit or None]

    async def change(self, denial_id: str, decide, now: datetime, after_commit=None) -> WorkItem:
        changed, emits = decide(await self.get(denial_id))
        self.stored[denial_id] = changed
        self.emitted += [(topic.name, payload) for topic, payload in emits]
        self.commits += 1
        if after_commit is not None:
            after_commit()
        return changed


class FrozenClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()
