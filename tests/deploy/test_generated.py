"""The committed manifests are what deploy/generate.py makes from shared/topics.py and the services."""

from __future__ import annotations

import os
import shutil

import pytest

from shared import topics
from tests.deploy.manifests import generator, of_kind, overlay

SERVICES_AND_DASHBOARD = (*topics.SERVICES, "dashboard")
FEED_GATEWAY = "registration-feeds"
ALL_PROCESSES = (*SERVICES_AND_DASHBOARD, FEED_GATEWAY)


def test_committed_manifests_are_current():
    stale = generator().stale()
    assert stale == [], f"run `python deploy/generate.py`; not current: {stale}"


def test_a_changed_topic_makes_the_manifests_stale(monkeypatch):
    gen = generator()
    renamed = topics.Topic("rcm.claim.denied.v2", topics.CLAIM_DENIED.payload, "claim_id", "a new version")
    monkeypatch.setattr(gen.topics, "ALL", (*topics.ALL, renamed))
    assert "kafka/topics.yaml" in gen.stale()


def test_every_declared_topic_has_a_kafka_topic_and_every_kafka_topic_is_declared():
    for name in ("dev", "prod"):
        declared = {t.name: t for t in topics.ALL}
        kafka_topics = {o["spec"]["topicName"]: o for o in of_kind(overlay(name), "KafkaTopic").values()}
        assert set(kafka_topics) == set(declared), name
        for topic_name, topic in declared.items():
            spec = kafka_topics[topic_name]["spec"]
            assert spec["partitions"] == topic.partitions
            assert spec["config"]["retention.ms"] == topic.retention_ms
            assert kafka_topics[topic_name]["metadata"]["labels"]["strimzi.io/cluster"] == "rcm-kafka"


def test_every_dead_letter_topic_is_deployed():
    built = {o["spec"]["topicName"] for o in of_kind(overlay("prod"), "KafkaTopic").values()}
    for process in SERVICES_AND_DASHBOARD:
        assert topics.dead_letter_topic(process).name in built


def test_every_process_has_its_objects():
    for name in ("dev", "prod"):
        objects = overlay(name)
        for kind in ("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy",
                     "ServiceMonitor"):
            assert set(of_kind(objects, kind)) == set(ALL_PROCESSES), (name, kind)
        # The consumers scale on lag; the feed gateway consumes nothing and scales on CPU.
        assert set(of_kind(objects, "ScaledObject")) == set(SERVICES_AND_DASHBOARD), name
        assert set(of_kind(objects, "HorizontalPodAutoscaler")) == {FEED_GATEWAY}, name
        users = of_kind(objects, "KafkaUser")
        assert {f"rcm-{p}" for p in ALL_PROCESSES} <= set(users), name
        mongo_users = {u["name"] for u in of_kind(objects, "MongoDBCommunity")["rcm-mongodb"]["spec"]["users"]}
        assert mongo_users == {f"rcm-{p}" for p in ALL_PROCESSES}


def test_each_mongodb_user_may_read_and_write_only_its_services_database():
    users = {u["name"]: u for u in of_kind(overlay("prod"), "MongoDBCommunity")["rcm-mongodb"]["spec"]["users"]}
    for process in SERVICES_AND_DASHBOARD:
        assert users[f"rcm-{process}"]["roles"] == [{"name": "readWrite", "db": f"rcm_{process}"}]
    # The gateway stores feed messages, drafts, patients and outbox rows in registration's database.
    gateway = users[f"rcm-{FEED_GATEWAY}"]
    assert gateway["roles"] == [{"name": "readWrite", "db": "rcm_registration"}]
    assert gateway["passwordSecretRef"] == {"name": f"rcm-{FEED_GATEWAY}-mongo-password"}
    assert gateway["connectionStringSecretName"] == f"rcm-{FEED_GATEWAY}-mongo"


def test_processes_model_reads_the_real_subscriptions():
    procs = {p.name: p for p in generator().processes()}
    assert set(procs) == set(ALL_PROCESSES)
    coding = procs["coding"]
    # Registered encounters to code, and claim statuses that close its coded hand-offs (deadlines).
    assert sorted(s.topic for s in coding.consumes) == [topics.CLAIM_STATUS_CHANGED.name, topics.ENCOUNTER_REGISTERED.name]
    assert set(coding.produces) == {topics.ENCOUNTER_CODED.name, topics.ENCOUNTER_HELD_FOR_CODING.name,
                                    topics.CODING_REVIEW_DECIDED.name, topics.AUDIT.name}
    assert all(s.group.startswith("coding.") for s in coding.consumes)
    assert procs["dashboard"].produces == ()
    assert len(procs["claims"].consumes) == 6  # one consumer group per subscriber


def test_the_feed_gateway_runs_registrations_code_without_its_consumers():
    procs = {p.name: p for p in generator().processes()}
    registration, gateway = procs["registration"], procs[FEED_GATEWAY]
    assert gateway.module == registration.module == "services.registration"
    assert gateway.service == "registration" and gateway.database == "rcm_registration"
    assert registration.consumes and gateway.consumes == ()  # read from the runtime it builds
    assert gateway.environment["RCM_REGISTRATION_CONSUMERS"] == "false"
    # The relay's lease is shared by every registration pod: either may publish any of its rows.
    assert gateway.produces == registration.produces
    assert gateway.dead_letter_topic == registration.dead_letter_topic == topics.dead_letter_topic("registration").name


def test_what_a_process_may_write_is_its_declaration():
    procs = {p.name: p for p in generator().processes()}
    for process in SERVICES_AND_DASHBOARD:
        assert procs[process].produces == tuple(topic.name for topic in topics.emits(process)), process
    assert procs["dashboard"].produces == ()
    assert not {s.topic for s in procs["claims"].consumes} & set(procs["claims"].produces)


def test_generation_ignores_the_callers_settings_and_restores_them(monkeypatch):
    monkeypatch.setenv("RCM_TOPIC_PREFIX", "someone-elses.")
    monkeypatch.setenv("RCM_REGISTRATION_CONSUMERS", "false")
    procs = {p.name: p for p in generator().processes()}
    groups = [s.group for p in procs.values() for s in p.consumes]
    assert groups and not any(g.startswith("someone-elses.") for g in groups)
    assert procs["registration"].consumes
    assert os.environ["RCM_REGISTRATION_CONSUMERS"] == "false" and "RCM_REGISTRATION_MLLP_PORT" not in os.environ


def test_a_hand_edited_or_left_over_file_is_reported(monkeypatch, tmp_path):
    gen = generator()
    base = tmp_path / "base"
    shutil.copytree(gen.BASE, base)
    monkeypatch.setattr(gen, "BASE", base)
    assert gen.stale() == []
    users = base / "kafka" / "users.yaml"
    users.write_text(users.read_text().replace("- Read", "- All", 1))
    (base / "apps" / "billing.yaml").write_text("kind: Deployment\n")
    assert gen.stale() == ["kafka/users.yaml", "apps/billing.yaml (no longer generated)"]
    gen.write()
    assert gen.stale() == [] and not (base / "apps" / "billing.yaml").exists()
