"""A broker that loses what it acknowledged, as the local broker does when it restarts under load:
the process's relay is told the events were published (their outbox rows are deleted) but they
never reach the topic. Only the first `count` events of a topic are lost."""

from __future__ import annotations

from shared.topics import Topic


def lose_events(runtime, topic: Topic, count: int = 1) -> list[str]:
    """Make `runtime`'s outbox relay lose its next `count` events on `topic`; return the list the
    lost events' ids are appended to."""
    relay = runtime.relay
    publish = relay._publish
    lost: list[str] = []

    async def publish_losing(rows) -> int:
        kept, gone = [], []
        for row in rows:
            if row["topic"] == topic.name and len(lost) < count:
                lost.append(row["event_id"])
                gone.append(row)
            else:
                kept.append(row)
        await relay._delete(gone)  # "acknowledged": the relay forgets them
        return (await publish(kept) if kept else 0) + len(gone)

    relay._publish = publish_losing
    return lost
