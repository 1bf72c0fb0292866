"""Prometheus metrics common to every consumer. Labels are low-cardinality: service, topic,
outcome, reason code. Never an id, never PHI."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, make_asgi_app,
)

REGISTRY = CollectorRegistry(auto_describe=True)
# CPU, memory and open files of the process, for the service-health dashboard.
ProcessCollector(registry=REGISTRY)

EVENTS_CONSUMED = Counter(
    "rcm_events_consumed", "Messages consumed, by outcome (handled, duplicate, dead_lettered)",
    ["service", "topic", "outcome"], registry=REGISTRY)
DEAD_LETTERS = Counter(
    "rcm_dead_letters", "Messages parked on the service's dead-letter topic, by reason code",
    ["service", "topic", "reason_code"], registry=REGISTRY)
BATCH_SECONDS = Histogram(
    "rcm_batch_seconds", "Time to handle one consumed batch (decode, transaction, commit)",
    ["service", "topic"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
BATCH_RETRIES = Counter(
    "rcm_batch_retries", "Batches that raised and will be read again", ["service", "topic"],
    registry=REGISTRY)
OUTBOX_PUBLISHED = Counter(
    "rcm_outbox_published", "Events published from the outbox", ["service", "topic"], registry=REGISTRY)
OUTBOX_PENDING = Gauge(
    "rcm_outbox_pending", "Events written to the outbox and not yet published", ["service"],
    registry=REGISTRY)
OUTBOX_SET_ASIDE = Counter(
    "rcm_outbox_set_aside", "Outbox rows the broker refused for what they are (too large, invalid, "
    "unserialisable), moved to outbox_failed", ["service", "reason"], registry=REGISTRY)
OUTBOX_PRODUCER_RESTARTS = Counter(
    "rcm_outbox_producer_restarts", "Outbox producers closed after a failure and made anew", ["service"],
    registry=REGISTRY)
CONSUMER_SUBSCRIPTIONS = Gauge(
    "rcm_consumer_subscriptions", "Subscribers (consumer groups) this process runs", ["service"], registry=REGISTRY)
CONSUMER_ASSIGNED_PARTITIONS = Gauge(
    "rcm_consumer_assigned_partitions", "Partitions a subscriber holds now (0 while it has not joined its group)",
    ["service", "subscriber"], registry=REGISTRY)
STAGE_EVENTS = Counter(
    "rcm_stage_events", "Business events emitted per stage and outcome",
    ["service", "event_type"], registry=REGISTRY)

# Deadlines on work in flight (shared/deadlines.py): work past its deadline now, and what the
# owners did about it (re-emitted, re-sent, announced, work-item).
STALLED_WORK = Gauge(
    "rcm_stalled_work", "Work items past their deadline now (waiting hand-offs and open work items), by stage",
    ["service", "stage"], registry=REGISTRY)
RECONCILED = Counter(
    "rcm_reconciled", "Hand-offs past their deadline acted on by their owner, by stage and action",
    ["service", "stage", "action"], registry=REGISTRY)

# Observed by the dashboard projection when it sees the later event of a stage (it holds the
# earlier time on the encounter's row). Buckets from a second (the simulator) to a month (payers).
STAGE_LATENCY = Histogram(
    "rcm_stage_latency_seconds", "Time an encounter spends between two milestones of the cycle",
    ["tenant", "stage"], registry=REGISTRY,
    buckets=(1, 5, 15, 30, 60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400))


# People's work, observed by the dashboard's audit trail (per person: its /api/productivity, never a
# label). An item is worked by an action that is not a take, a release or a read.
ITEMS_WORKED = Counter(
    "rcm_items_worked", "Items people worked through the service APIs, by service", ["service"], registry=REGISTRY)
TIME_TO_WORK = Histogram(
    "rcm_time_to_work_seconds", "From a person taking an item to working it, by service", ["service"],
    registry=REGISTRY, buckets=(30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400))


def asgi_app():
    """The /metrics endpoint for this process's registry."""
    return make_asgi_app(registry=REGISTRY)
