"""What each process publishes is declared once (shared/topics.py EMITS): the outbox refuses any
other topic at run time, and the declaration misses nothing a process's source writes by name."""

from datetime import UTC, datetime

import pytest

from shared import topics
from shared.envelope import new_event
from shared.events import AuditRecorded
from shared.outbox import outbox_document
from tests.support.builders import a_claim_denied
from tests.support.emits import named_in_source

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
PACKAGES = {**{name: f"services.{name}" for name in topics.SERVICES}, "dashboard": "dashboard",
            "simulator": "simulator"}
APPS = {**{name: f"services.{name}.app" for name in topics.SERVICES}, "dashboard": "dashboard.app",
        "simulator": "simulator.partners"}


def _consumed(process: str) -> frozenset[str]:
    import importlib

    runtime = importlib.import_module(APPS[process]).build_runtime(None)
    return frozenset(name for subscriber in runtime.broker.subscribers for name in subscriber.topic_names)


def test_every_process_is_declared() -> None:
    assert set(topics.EMITS) == set(PACKAGES)
    assert all(topic in topics.FLOW for declared in topics.EMITS.values() for topic in declared)


@pytest.mark.parametrize("process", sorted(PACKAGES))
def test_every_topic_a_process_writes_by_name_is_declared(process: str) -> None:
    named = set(named_in_source(PACKAGES[process], _consumed(process)))
    declared = {topic.name for topic in topics.emits(process)}
    assert named <= declared, f"{process} writes {sorted(named - declared)} without declaring them"
    # Every declaration is used: named in the source, or the audit record every service API writes
    # through shared/actions.py.
    assert declared - named <= {topics.AUDIT.name}, f"{process} declares {sorted(declared - named)} it never writes"


def _audit(producer: str):
    record = AuditRecorded(actor="jdoe", action="WORK_ITEM_TAKEN", subject_type="WORK_ITEM", subject_id="x1", at=NOW)
    return new_event(topics.AUDIT, record, producer=producer, now=NOW, tenant_id="t", correlation_id="x1")


def test_the_outbox_refuses_a_topic_its_producer_does_not_declare() -> None:
    denied = a_claim_denied("50")
    foreign = new_event(topics.CLAIM_DENIED, denied, producer="denials", now=NOW, tenant_id="t", correlation_id="e")
    with pytest.raises(topics.UndeclaredTopic, match="denials writes rcm.claim.denied.v1"):
        outbox_document(topics.CLAIM_DENIED, foreign)
    with pytest.raises(topics.UndeclaredTopic):
        outbox_document(topics.AUDIT, _audit("simulator"))
    assert outbox_document(topics.AUDIT, _audit("denials"))["topic"] == topics.AUDIT.name
    own = new_event(topics.CLAIM_DENIED, denied, producer="payments", now=NOW, tenant_id="t", correlation_id="e")
    assert outbox_document(topics.CLAIM_DENIED, own)["topic"] == topics.CLAIM_DENIED.name
    assert outbox_document(topics.AUDIT, _audit("a-tool"))  # producers outside the declaration are not checked


def test_the_source_reader_finds_named_outbox_writes_and_refuses_an_unnamed_emit(tmp_path) -> None:
    package = tmp_path / "services" / "somewhere"
    package.mkdir(parents=True)
    (package / "intake.py").write_text(
        "def store(outbox, event, topic):\n"
        "    outbox.append(outbox_document(topics.REGISTRATION_REQUESTED, event))\n"
        "    outbox.append(outbox_document(topic, new_event(topics.dead_letter_topic('x'), event)))\n")
    assert named_in_source("services.somewhere", root=tmp_path) == (topics.REGISTRATION_REQUESTED.name,)
    (package / "handlers.py").write_text("def handle(unit, topic, payload):\n    unit.emit(topic, payload)\n")
    with pytest.raises(ValueError, match="handlers.py:2"):
        named_in_source("services.somewhere", root=tmp_path)
