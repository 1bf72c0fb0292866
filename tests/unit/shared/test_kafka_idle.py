"""The idle fetch back-off: no wait while fetches bring records, then a wait that doubles with each
empty fetch in a row up to the maximum, and none again once records come."""

from __future__ import annotations


from shared import kafka_idle


def test_the_wait_doubles_while_idle_up_to_the_maximum() -> None:
    waits = [kafka_idle.idle_wait(n, 0.05, 0.4) for n in range(7)]
    assert waits == [0.0, 0.05, 0.1, 0.2, 0.4, 0.4, 0.4]
    assert kafka_idle.idle_wait(3, 0.05, 0.05) == 0.05  # the maximum at the first wait: a fixed back-off
    assert kafka_idle.idle_wait(3, 0.0, 0.4) == 0.0  # turned off
    assert kafka_idle.idle_wait(10_000, 0.05, 0.4) == 0.4


class _Fetcher:
    pass


async def test_the_fetcher_waits_after_empty_fetches_and_not_after_records(monkeypatch) -> None:
    answers = iter([False, False, True, False])
    slept: list[float] = []

    async def fetch(self, assignment, node_id, request) -> bool:
        return next(answers)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(kafka_idle, "_original", fetch)
    monkeypatch.setattr(kafka_idle.asyncio, "sleep", sleep)
    monkeypatch.setattr(kafka_idle, "_idle_seconds", 0.05)
    monkeypatch.setattr(kafka_idle, "_idle_max_seconds", 0.4)
    fetcher = _Fetcher()
    results = [await kafka_idle._fetch_with_idle_backoff(fetcher, None, 0, None) for _ in range(4)]
    assert results == [False, False, True, False]
    assert slept == [0.05, 0.1, 0.05]  # the streak starts again after the fetch that brought records
