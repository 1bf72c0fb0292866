"""What each process's objects promise: restricted pods, probes, credentials from Secrets, a stable
instance id, Kafka ACLs limited to its own topics and groups, scaling on its own groups' lag."""

from __future__ import annotations

import pytest
import yaml

from shared import topics
from shared.settings import DEFAULT_HTTP_PORTS
from tests.deploy.manifests import OVERLAYS, ROOT, generator, of_kind, overlay

PROCESSES = {p.name: p for p in generator().processes()}


def _container(deployment: dict) -> dict:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("name", OVERLAYS)
def test_pods_are_restricted(name):
    for deployment in of_kind(overlay(name), "Deployment").values():
        pod = deployment["spec"]["template"]["spec"]
        container = _container(deployment)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        assert pod["serviceAccountName"] == deployment["metadata"]["name"]
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]


@pytest.mark.parametrize("name", OVERLAYS)
def test_each_process_runs_its_module_on_its_port_with_probes(name):
    for process_name, deployment in of_kind(overlay(name), "Deployment").items():
        container = _container(deployment)
        process = PROCESSES[process_name]
        assert container["args"] == [process.module]
        assert container["ports"][0]["containerPort"] == DEFAULT_HTTP_PORTS[process_name]
        assert container["readinessProbe"]["httpGet"]["path"] == "/health"
        assert container["livenessProbe"]["httpGet"]["path"] == "/metrics"
        env = {e["name"]: e for e in container["env"]}
        assert env["RCM_HTTP_PORT"]["value"] == str(DEFAULT_HTTP_PORTS[process_name])
        service = of_kind(overlay(name), "Service")[process_name]
        assert service["spec"]["ports"][0]["port"] == DEFAULT_HTTP_PORTS[process_name]


def test_credentials_come_from_secrets_and_the_instance_from_the_pod_name():
    for process_name, deployment in of_kind(overlay("prod"), "Deployment").items():
        env = {e["name"]: e for e in _container(deployment)["env"]}
        assert env["RCM_INSTANCE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
        assert env["RCM_KAFKA_SASL_USERNAME"]["value"] == f"rcm-{process_name}"
        for variable, secret, key in (("RCM_KAFKA_SASL_PASSWORD", f"rcm-{process_name}", "password"),
                                      ("RCM_MONGO_URI", f"rcm-{process_name}-mongo", "connectionString.standard"),
                                      ("RCM_PHI_KEY", "rcm-phi-key", "key")):
            assert env[variable]["valueFrom"]["secretKeyRef"] == {"name": secret, "key": key}
        assert not any("value" in e and ("PASSWORD" in n or "KEY" in n or "URI" in n) for n, e in env.items())


def test_production_refuses_the_development_phi_key_and_dev_does_not():
    def setting(name, key):
        (config,) = [c for c in of_kind(overlay(name), "ConfigMap").values() if "RCM_ENVIRONMENT" in c.get("data", {})]
        return config["data"][key]
    assert setting("prod", "RCM_ENVIRONMENT") == "production"
    assert setting("dev", "RCM_ENVIRONMENT") == "development"
    assert setting("prod", "RCM_KAFKA_SECURITY_PROTOCOL") == "SASL_SSL"


def _grants(user: dict) -> set[tuple[str, str, str, str]]:
    return {(acl["resource"]["type"], acl["resource"]["name"], acl["resource"].get("patternType", "literal"), op)
            for acl in user["spec"]["authorization"]["acls"] for op in acl["operations"]}


def test_kafka_users_may_touch_only_their_own_topics_and_groups():
    users = of_kind(overlay("prod"), "KafkaUser")
    for process in PROCESSES.values():
        grants = _grants(users[process.user])
        assert users[process.user]["spec"]["authentication"] == {"type": "scram-sha-512"}
        reads = {name for kind, name, _, op in grants if kind == "topic" and op == "Read"}
        writes = {name for kind, name, _, op in grants if kind == "topic" and op == "Write"}
        groups = {name for kind, name, _, op in grants if kind == "group"}
        assert reads == {s.topic for s in process.consumes}, process.name
        assert writes == {*process.produces, topics.dead_letter_topic(process.name).name}, process.name
        assert groups == {s.group for s in process.consumes}, process.name
        assert all(g.startswith(f"{process.name}.") for g in groups)
        assert all(pattern == "literal" for kind, _, pattern, op in grants if op != "Describe")
        # Describe only (ensure_topics lists the declared topics at start); nothing cluster-wide.
        assert {g for g in grants if g[2] == "prefix"} == {("topic", "rcm.", "prefix", "Describe")}
        assert not any(kind == "cluster" for kind, *_ in grants)


def test_keda_scales_each_process_on_exactly_its_consumer_groups():
    objects = overlay("prod")
    scaled = of_kind(objects, "ScaledObject")
    keda_grants = _grants(of_kind(objects, "KafkaUser")["rcm-keda"])
    assert {op for *_, op in keda_grants} == {"Describe"}
    for process in PROCESSES.values():
        spec = scaled[process.name]["spec"]
        assert spec["scaleTargetRef"]["name"] == process.name
        triggers = {(t["metadata"]["topic"], t["metadata"]["consumerGroup"]) for t in spec["triggers"]}
        assert {t["metadata"]["bootstrapServersFromEnv"] for t in spec["triggers"]} == {"RCM_KAFKA_BOOTSTRAP"}
        assert triggers == {(s.topic, s.group) for s in process.consumes}
        assert spec["maxReplicaCount"] <= min(topics.by_name(s.topic).partitions for s in process.consumes)
        for group in {s.group for s in process.consumes}:
            assert ("group", group, "literal", "Describe") in keda_grants


def test_network_policies_let_prometheus_in_and_only_kafka_mongodb_and_dns_out():
    for name, policy in of_kind(overlay("prod"), "NetworkPolicy").items():
        spec = policy["spec"]
        assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == name
        assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
        assert [p["port"] for rule in spec["ingress"] for p in rule["ports"]] == ["http"]
        assert sorted(p["port"] for rule in spec["egress"] for p in rule["ports"]) == [53, 53, 9093, 27017]


def test_service_monitors_scrape_metrics_of_their_service():
    objects = overlay("prod")
    services = of_kind(objects, "Service")
    for name, monitor in of_kind(objects, "ServiceMonitor").items():
        assert monitor["spec"]["selector"]["matchLabels"].items() <= services[name]["metadata"]["labels"].items()
        assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "15s"}]


def test_dashboards_and_rules_are_deployed():
    objects = overlay("prod")
    dashboards = [c for c in of_kind(objects, "ConfigMap").values()
                  if c["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    files = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
    assert len(dashboards) == len(files) >= 1
    assert sorted(k for c in dashboards for k in c["data"]) == [f.name for f in files]
    (rule,) = of_kind(objects, "PrometheusRule").values()
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules.yaml").read_text())
    assert rule["spec"]["groups"] == rules["groups"]


def _dockerfile_final_stage() -> list[tuple[str, str]]:
    instructions: list[tuple[str, str]] = []
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            instructions = []
        instructions.append((word.upper(), rest.strip()))
    return instructions


def test_the_image_is_multi_stage_and_runs_as_the_non_root_user_the_pods_expect():
    text = (ROOT / "Dockerfile").read_text()
    assert sum(1 for line in text.splitlines() if line.upper().startswith("FROM ")) >= 2
    final = _dockerfile_final_stage()
    users = [rest for word, rest in final if word == "USER"]
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0  # numeric, so runAsNonRoot can check it
    pod = of_kind(overlay("prod"), "Deployment")["claims"]["spec"]["template"]["spec"]
    assert int(uid) == pod["securityContext"]["runAsUser"]
    assert ("ENTRYPOINT", '["python", "-m"]') in final


@pytest.mark.parametrize("name, namespace", [("dev", "rcm-dev"), ("prod", "rcm")])
def test_every_object_lands_in_the_overlays_namespace(name, namespace):
    objects = overlay(name)
    (ns,) = of_kind(objects, "Namespace").values()
    assert ns["metadata"]["name"] == namespace
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/warn"] == "restricted"
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {namespace}


@pytest.mark.parametrize("name, namespace", [("dev", "rcm-dev"), ("prod", "rcm")])
def test_kafka_is_addressed_with_the_overlays_namespace_so_keda_reaches_it(name, namespace):
    objects = overlay(name)
    configs = of_kind(objects, "ConfigMap")
    for deployment in of_kind(objects, "Deployment").values():
        (source,) = _container(deployment)["envFrom"]
        bootstrap = configs[source["configMapRef"]["name"]]["data"]["RCM_KAFKA_BOOTSTRAP"]
        assert bootstrap == f"rcm-kafka-kafka-bootstrap.{namespace}.svc:9093"


def test_the_operator_user_reads_dead_letters_and_writes_only_flow_topics():
    grants = _grants(of_kind(overlay("prod"), "KafkaUser")["rcm-operator"])
    reads = {name for kind, name, _, op in grants if op == "Read"}
    writes = {name for kind, name, _, op in grants if op == "Write"}
    assert reads == {t.name for t in topics.DEAD_LETTERS}
    assert writes == {t.name for t in topics.FLOW}
    assert not any(kind == "group" or pattern != "literal" for kind, _, pattern, _ in grants)
