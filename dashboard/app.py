"""Wiring of the dashboard projection: consumes the flow's events into the read model (encounter
rows, and the fact collections of dashboard/facts.py), keeps the audit trail (dashboard/audit.py,
searched on /api/audit), and exports the KPIs, the fact aggregates,
stage latencies, consumer lag and dead-letter sizes on /metrics."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pymongo import ASCENDING

from dashboard import audit, facts, projection
from dashboard.broker_metrics import BrokerReader
from dashboard.exporter import KpiExporter
from dashboard.settings import DashboardSettings
from dashboard.stage_latency import latencies
from shared import metrics, topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICE = "dashboard"



def _each(project: Callable[[Envelope], list]) -> Callable[[Sequence[Envelope]], list]:
    """A batch's updates: each event's, in order."""
    return lambda events: [write for event in events for write in project(event)]


# The encounter rows, by topic: a batch of events -> its updates, applied in order.
_PROJECTIONS: tuple[tuple[topics.Topic, Callable[[Sequence[Envelope]], list]], ...] = (
    (topics.ENCOUNTER_REGISTERED, _each(projection.registered)),
    (topics.ENCOUNTER_HELD_FOR_CODING, _each(projection.held_for_coding)),
    (topics.CLAIM_STATUS_CHANGED, projection.claim_status_changes),  # one update per encounter per batch
    (topics.PAYMENT_POSTED, _each(projection.payment_posted)),
    (topics.DENIAL_WORKED, _each(projection.denial_worked)),
    (topics.ENCOUNTER_HELD_FOR_ELIGIBILITY, _each(projection.held_for_eligibility)),
)
# Facts kept beside the encounter rows, one collection each: (topic, project -> [(collection, write)]).
_FACTS: tuple[tuple[topics.Topic, Callable[[Envelope], list[facts.Write]]], ...] = (
    (topics.CLAIM_SCRUB_FAILED, facts.scrub_failed),
    (topics.CODING_REVIEW_DECIDED, facts.coding_review_decided),
    (topics.PROVIDER_ADJUSTMENT_POSTED, facts.provider_adjustment_posted),
    (topics.REMITTANCE_HELD, facts.remittance_held),
    (topics.UNDERPAYMENT_OPENED, facts.underpayment_opened),
    (topics.PATIENT_BALANCE_CHANGED, facts.patient_balance_changed),
    (topics.PATIENT_STATEMENT_ISSUED, facts.patient_statement_issued),
)
_LATENCY_FIELDS = {"registered_at": 1, "submitted_at": 1, "paid_at": 1}


def build_runtime(settings: ServiceSettings | None = None) -> ServiceRuntime:
    settings = settings or DashboardSettings()
    runtime = ServiceRuntime(SERVICE, settings)
    encounters = runtime.db["encounters"]
    interval = settings.kpi_metrics_interval if isinstance(settings, DashboardSettings) else 5.0
    exporter = KpiExporter(encounters, BrokerReader(settings), interval=interval, database=runtime.db)

    async def indexes(database) -> None:
        await database["encounters"].create_index([("tenant_id", ASCENDING), ("claim_status", ASCENDING)])

    runtime.on_prepare(indexes)
    retention_days = settings.audit_retention_days if isinstance(settings, DashboardSettings) else \
        DashboardSettings.model_fields["audit_retention_days"].default
    runtime.on_prepare(lambda database: audit.ensure_indexes(database, retention_days))
    runtime.mount_api("/api", audit.build_audit_api(runtime.db, settings.token_verifier()))
    runtime.on_prepare(lambda _database: exporter.start())
    runtime.on_release(exporter.stop)
    for topic, project in _PROJECTIONS:
        def make(topic=topic, project=project):
            async def project_events(events: Sequence[Envelope], unit: UnitOfWork) -> None:
                observed = []
                if topic is topics.CLAIM_STATUS_CHANGED:
                    ids = list({event.payload.encounter_id for event in events})
                    before = {row["_id"]: row async for row in encounters.find(
                        {"_id": {"$in": ids}}, _LATENCY_FIELDS, session=unit.session)}
                    observed = latencies(events, before)
                writes = project(events)
                if writes:
                    await encounters.bulk_write(writes, ordered=True, session=unit.session)
                # Observed once the writes went through; a transaction retried after this point
                # could observe a latency twice, which a histogram of this kind tolerates.
                for latency in observed:
                    metrics.STAGE_LATENCY.labels(latency.tenant, latency.stage).observe(latency.seconds)
            return project_events
        runtime.consumer.subscribe(topic, make(), name=_subscriber_name(topic))
    for topic, project in _FACTS:
        def make_facts(project=project):
            async def record_facts(events: Sequence[Envelope], unit: UnitOfWork) -> None:
                by_collection: dict[str, list] = {}
                for event in events:
                    for collection, write in project(event):
                        by_collection.setdefault(collection, []).append(write)
                for collection, writes in by_collection.items():
                    await runtime.db[collection].bulk_write(writes, ordered=True, session=unit.session)
            return record_facts
        runtime.consumer.subscribe(topic, make_facts(), name=_subscriber_name(topic))

    async def keep_audit_records(events: Sequence[Envelope], unit: UnitOfWork) -> None:
        await audit.keep(runtime.db, events, unit.session)

    runtime.consumer.subscribe(topics.AUDIT, keep_audit_records, name="keep_audit_records")
    return runtime


def _subscriber_name(topic: topics.Topic) -> str:
    return f"project_{topic.event_type.replace('.', '_').replace('-', '_')}"
