"""The dashboard process's KPI and broker metrics on /metrics.

A background task recomputes every family from the read model and the broker every
`interval` seconds; a scrape returns the latest snapshot and never waits on MongoDB or Kafka. A
family whose source failed keeps its last good snapshot, and rcm_kpi_refresh_errors counts the failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timezone

from prometheus_client import Counter, Gauge
from prometheus_client.core import Metric
from prometheus_client.registry import Collector
from pymongo.errors import PyMongoError
from aiokafka.errors import KafkaError

from dashboard import fact_metrics, facts, kpi_metrics
from dashboard.broker_metrics import BrokerReader
from shared import metrics
from shared.logging import get_logger

log = get_logger(__name__)

REFRESH_ERRORS = Counter("rcm_kpi_refresh_errors", "KPI or broker metric refreshes that failed", ["source"],
                         registry=metrics.REGISTRY)
REFRESHED_AT = Gauge("rcm_kpi_refreshed_timestamp_seconds", "When the KPI metrics were last recomputed",
                     registry=metrics.REGISTRY)

# Only what the KPIs read: ids, statuses, dates and amounts.
_ROW_FIELDS = {"tenant_id": 1, "payer_id": 1, "claim_status": 1, "held_for_coding": 1, "first_scrub": 1,
               "first_adjudication": 1, "denial_categories": 1, "billed": 1, "postings": 1,
               "date_of_service": 1, "claim_created_at": 1, "held_for_eligibility": 1, "eligibility_findings": 1}


class SnapshotCollector(Collector):
    """Serves the families last computed by `refresh`."""

    def __init__(self) -> None:
        self._families: dict[str, list[Metric]] = {}

    def collect(self) -> Iterator[Metric]:
        for families in list(self._families.values()):
            yield from families

    def describe(self) -> list[Metric]:
        return []  # the family names depend on the snapshot: no description at registration

    def replace(self, source: str, families: list[Metric]) -> None:
        self._families[source] = families


class KpiExporter:
    def __init__(self, encounters, broker: BrokerReader, *, interval: float,
                 today: Callable[[], datetime] = lambda: datetime.now(timezone.utc), database=None) -> None:
        """`database`: the dashboard's database, whose fact collections (dashboard/facts.py) are
        exported too; None exports the encounter KPIs only."""
        self._encounters = encounters
        self._database = database
        self._broker = broker
        self._interval = interval
        self._today = today
        self.collector = SnapshotCollector()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        metrics.REGISTRY.register(self.collector)
        await self._broker.start()
        self._task = asyncio.create_task(self._run(), name="kpi-metrics")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._broker.stop()
        metrics.REGISTRY.unregister(self.collector)

    async def refresh(self) -> None:
        await self._refresh("kpis", self._kpi_families, PyMongoError)
        await self._refresh("broker", self._broker.families, KafkaError)
        REFRESHED_AT.set_to_current_time()

    async def _kpi_families(self) -> list[Metric]:
        rows = await self._encounters.find({}, _ROW_FIELDS).to_list()
        found = kpi_metrics.families(rows, self._today().date())
        if self._database is not None:
            documents = {name: await self._database[name].find({}).to_list() for name in facts.COLLECTIONS}
            pairs = {(row.get("tenant_id") or kpi_metrics.UNKNOWN, row.get("payer_id") or kpi_metrics.UNKNOWN)
                     for row in rows}
            found += fact_metrics.families(fact_metrics.Facts.of(documents), pairs)
        return found

    async def _refresh(self, source: str, compute: Callable[[], Awaitable[list[Metric]]], transient) -> None:
        try:
            self.collector.replace(source, await compute())
        except (transient, OSError, asyncio.TimeoutError) as failure:
            REFRESH_ERRORS.labels(source).inc()
            log.warning("metrics refresh failed", source=source, error=type(failure).__name__)

    async def _run(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self._interval)
