"""MongoDB wiring through pymongo's AsyncMongoClient (Motor is deprecated upstream), and the
transaction runner every consumer uses."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

T = TypeVar("T")


def connect(uri: str) -> AsyncMongoClient:
    """A client that does not connect until first used (importing or building an app stays offline)."""
    return AsyncMongoClient(uri, tz_aware=True, connect=False, serverSelectionTimeoutMS=10_000)


async def in_transaction(
    client: AsyncMongoClient,
    work: Callable[[AsyncClientSession], Awaitable[T]],
    *,
    attempts: int = 10,
) -> T:
    """Run `work(session)` in one majority-committed transaction.

    Retries the whole transaction on MongoDB's transient labels (write conflicts, elections) and the
    commit on an unknown commit result, as the drivers' convenient API does; anything else propagates.
    """
    for attempt in range(1, attempts + 1):
        async with client.start_session() as session:
            try:
                async with await session.start_transaction(
                    read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
                ):
                    return await work(session)
            except (ConnectionFailure, OperationFailure) as failure:
                transient = failure.has_error_label("TransientTransactionError") or failure.has_error_label(
                    "UnknownTransactionCommitResult")
                if attempt < attempts and transient:
                    # Jittered backoff, so two writers that conflicted do not collide again in step.
                    await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)
                    continue
                raise
    raise AssertionError("unreachable")


__all__ = ["AsyncClientSession", "AsyncMongoClient", "PyMongoError", "connect", "in_transaction"]
