"""Per-person productivity from the audit trail: items worked per day and the time from taking an
item to working it. An item is worked by a change that is not a take or a release (a decision, a
resolution, a correction); reads are not work.

    GET /api/productivity?since=&until=&actor=   supervisors and admins, within their tenants
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import ASCENDING

NOT_WORK = ("_TAKEN", "_RELEASED", "_READ")
MAX_RECORDS = 200_000  # a search bound: a month of a large billing company's actions


def is_work(record: Mapping) -> bool:
    return not record.get("read") and not record["action"].endswith(NOT_WORK)


def is_take(record: Mapping) -> bool:
    return not record.get("read") and record["action"].endswith("_TAKEN")


@dataclass
class Day:
    items: set[str] = field(default_factory=set)
    seconds_to_work: list[float] = field(default_factory=list)


def productivity(records: Iterable[Mapping]) -> list[dict]:
    """Per actor and day (UTC): distinct items worked and the median minutes from the actor's latest
    take of an item to working it (None when no item worked that day was taken first). `records`
    in time order."""
    taken: dict[tuple[str, str], datetime] = {}
    days: dict[tuple[str, str], Day] = {}
    for record in records:
        key = (record["actor"], record["subject_id"])
        if is_take(record):
            taken[key] = record["at"]
        elif is_work(record):
            day = days.setdefault((record["actor"], record["at"].date().isoformat()), Day())
            day.items.add(record["subject_id"])
            if key in taken:
                day.seconds_to_work.append((record["at"] - taken.pop(key)).total_seconds())
    return [{"actor": actor, "day": day, "items_worked": len(figures.items),
             "median_minutes_to_work": round(statistics.median(figures.seconds_to_work) / 60, 1)
             if figures.seconds_to_work else None}
            for (actor, day), figures in sorted(days.items())]


async def seconds_since_take(audit, record: Mapping, session) -> float | None:
    """For a worked record: seconds since the same person last took the same item (None if never)."""
    take = await audit.find_one({"actor": record["actor"], "subject_id": record["subject_id"],
                                 "action": {"$regex": "_TAKEN$"}, "read": False, "at": {"$lte": record["at"]}},
                                sort=[("at", -1)], session=session)
    return (record["at"] - take["at"]).total_seconds() if take else None


def query(scope: list[str] | None, since: datetime | None, until: datetime | None, actor: str | None) -> dict:
    found: dict = {"read": False}
    if scope is not None:
        found["tenant_id"] = {"$in": scope}
    if since or until:
        found["at"] = {key: value for key, value in (("$gte", since), ("$lte", until)) if value is not None}
    if actor:
        found["actor"] = actor
    return found


SORT = [("at", ASCENDING), ("_id", ASCENDING)]
