"""Which outbox shards a relay may publish: leases in the process's `leases` collection.

Every outbox row carries a shard, a hash of its Kafka key (`shard_of`). One relay at a time holds a
shard's lease, and it publishes that shard's rows in the order they were written, so the events of
one key leave in order whichever replica wrote them. Relays of one scope (one outbox collection:
a service's consumers, or registration's feed gateway) share the shards out between them: each
announces itself with a heartbeat, takes at most its fair share (shards ÷ live relays, rounded up)
and gives back what it holds beyond that, so a new replica gets shards within a renewal or two, and
the shards of a replica that died are taken over once its leases expire.

A relay releases shards only between passes, and takes only free or expired ones, so two relays
never publish one shard at the same time (as long as a pass is bounded in time: see outbox.py).
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta, timezone

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.clock import Clock

# Fixed: a key's shard must not change while its rows wait in an outbox. More shards than replicas
# lets replicas add publishing capacity; 16 is more relays than any service here runs.
SHARDS = 16
LEASE_SECONDS = 15
RENEW_SECONDS = 5  # a held lease is renewed once this old, well before it expires
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def shard_of(key: str | None) -> int:
    """The outbox shard of a Kafka key (crc32, stable across processes and versions)."""
    return zlib.crc32(key.encode()) % SHARDS if key else 0


class ShardLeases:
    def __init__(self, leases: AsyncCollection, *, scope: str, owner: str, clock: Clock) -> None:
        self._leases = leases
        self._scope = scope
        self._owner = owner
        self._clock = clock
        self._held: frozenset[int] = frozenset()
        self._renewed_at: datetime | None = None
        self._aside_until: datetime | None = None

    @property
    def held(self) -> frozenset[int]:
        return self._held

    def _shard_id(self, shard: int) -> str:
        return f"{self._scope}:shard:{shard}"

    async def refresh(self) -> frozenset[int]:
        """Renew the heartbeat and the held leases, give back shards beyond the fair share, take free
        ones up to it; return the shards this relay may publish now. Cheap between renewals."""
        now = self._clock.now()
        if self._aside_until is not None and now < self._aside_until:
            return frozenset()
        if self._renewed_at is not None and now - self._renewed_at < timedelta(seconds=RENEW_SECONDS):
            return self._held
        self._held, self._renewed_at, self._aside_until = frozenset(), None, None
        expires = now + timedelta(seconds=LEASE_SECONDS)
        await self._leases.update_one(
            {"_id": f"{self._scope}:relay:{self._owner}"},
            {"$set": {"scope": self._scope, "kind": "relay", "owner": self._owner, "expires_at": expires}}, upsert=True)
        live = await self._leases.count_documents({"scope": self._scope, "kind": "relay", "expires_at": {"$gt": now}})
        fair = -(-SHARDS // max(live, 1))
        current = {row["shard"]: row for row in await self._leases.find({"scope": self._scope, "kind": "shard"}).to_list()}
        mine = sorted(shard for shard, row in current.items() if row.get("owner") == self._owner)
        keep, extra = mine[:fair], mine[fair:]
        if extra:
            await self._leases.update_many({"_id": {"$in": [self._shard_id(s) for s in extra]}, "owner": self._owner},
                                           {"$set": {"owner": None, "expires_at": _EPOCH}})
        held = set(keep)
        if keep:
            await self._leases.update_many({"_id": {"$in": [self._shard_id(s) for s in keep]}, "owner": self._owner},
                                           {"$set": {"expires_at": expires}})
        # Start at a place of our own, so relays starting together do not all race for shard 0.
        start = zlib.crc32(self._owner.encode()) % SHARDS
        for shard in [(start + n) % SHARDS for n in range(SHARDS)]:
            if len(held) >= fair:
                break
            row = current.get(shard)
            if shard in held or (row is not None and row.get("owner") and row["expires_at"].replace(tzinfo=now.tzinfo) > now):
                continue
            if await self._take(shard, now, expires):
                held.add(shard)
        self._held, self._renewed_at = frozenset(held), now
        return self._held

    async def _take(self, shard: int, now: datetime, expires: datetime) -> bool:
        try:
            await self._leases.update_one(
                {"_id": self._shard_id(shard), "$or": [{"owner": self._owner}, {"owner": None}, {"expires_at": {"$lt": now}}]},
                {"$set": {"scope": self._scope, "kind": "shard", "shard": shard, "owner": self._owner,
                          "expires_at": expires}},
                upsert=True)
        except DuplicateKeyError:
            return False  # another relay took it first
        return True

    async def step_aside(self) -> bool:
        """If another relay of this scope is alive, give back every shard and stay out for a lease
        period, so it publishes them while this one cannot; return whether this relay stepped aside."""
        now = self._clock.now()
        others = await self._leases.count_documents({"scope": self._scope, "kind": "relay", "owner": {"$ne": self._owner},
                                                     "expires_at": {"$gt": now}})
        if not others:
            return False  # alone: keeping the shards loses nothing
        await self.release()
        self._aside_until = now + timedelta(seconds=LEASE_SECONDS)
        return True

    async def release(self) -> None:
        """Give back every shard and the heartbeat (a clean stop): another replica takes over at once."""
        self._held, self._renewed_at = frozenset(), None
        await self._leases.update_many({"scope": self._scope, "kind": "shard", "owner": self._owner},
                                       {"$set": {"owner": None, "expires_at": _EPOCH}})
        await self._leases.delete_one({"_id": f"{self._scope}:relay:{self._owner}"})
