"""What each process's objects promise: restricted pods, probes, credentials from Secrets, a stable
instance id, Kafka ACLs limited to its own topics and groups, scaling on its own groups' lag (or on CPU
for the feed gateway, which consumes nothing), and the gateway's EHR listeners."""

from __future__ import annotations

import os

import pytest
import yaml

from services.registration.settings import RegistrationSettings
from shared import topics
from tests.deploy.manifests import OVERLAYS, ROOT, generator, of_kind, overlay

PROCESSES = {p.name: p for p in generator().processes()}
FEED_GATEWAY = "registration-feeds"


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
        assert container["ports"][0] == {"name": "http", "containerPort": process.http_port, "protocol": "TCP"}
        # A consumer is ready only with Kafka (/health pings it). The feed gateway stores what EHRs send
        # in MongoDB whether Kafka is up or not, so a Kafka outage must not take its listeners away.
        readiness = "/health" if process.consumes else "/metrics"
        assert container["readinessProbe"]["httpGet"] == {"path": readiness, "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/metrics", "port": "http"}
        assert container["startupProbe"]["httpGet"] == {"path": "/metrics", "port": "http"}
        env = {e["name"]: e for e in container["env"]}
        assert env["RCM_HTTP_PORT"]["value"] == str(process.http_port)
        service = of_kind(overlay(name), "Service")[process_name]
        assert service["spec"]["ports"][0] == {"name": "http", "port": process.http_port, "targetPort": "http",
                                               "protocol": "TCP"}


def _settings_of(deployment: dict, monkeypatch) -> RegistrationSettings:
    """RegistrationSettings as the container's plain RCM_* values (rcm-config aside) make them."""
    for variable in [v for v in os.environ if v.startswith("RCM_")]:
        monkeypatch.delenv(variable)
    for entry in _container(deployment)["env"]:
        if entry["name"].startswith("RCM_REGISTRATION_") and "value" in entry:
            monkeypatch.setenv(entry["name"], entry["value"])
    return RegistrationSettings()


@pytest.mark.parametrize("name", OVERLAYS)
def test_the_feed_gateway_runs_without_consumers_and_listens_on_all_addresses_on_its_service_ports(
        name, monkeypatch):
    objects = overlay(name)
    deployment = of_kind(objects, "Deployment")[FEED_GATEWAY]
    settings = _settings_of(deployment, monkeypatch)
    assert settings.registration_consumers is False
    assert (settings.registration_mllp_host, settings.registration_fhir_host) == ("0.0.0.0", "0.0.0.0")
    container_ports = {p["name"]: p["containerPort"] for p in _container(deployment)["ports"]}
    service_ports = {p["name"]: p for p in of_kind(objects, "Service")[FEED_GATEWAY]["spec"]["ports"]}
    assert set(service_ports) == set(container_ports) == {"http", "mllp", "fhir"}
    for listener, bound in (("mllp", settings.registration_mllp_port), ("fhir", settings.registration_fhir_port)):
        assert service_ports[listener]["targetPort"] == listener
        assert service_ports[listener]["port"] == container_ports[listener] == bound
    assert (service_ports["mllp"]["port"], service_ports["fhir"]["port"]) == (2575, 8080)


def test_the_registration_consumers_run_no_listeners(monkeypatch):
    settings = _settings_of(of_kind(overlay("prod"), "Deployment")["registration"], monkeypatch)
    assert settings.registration_consumers is True
    assert settings.registration_mllp_port is None and settings.registration_fhir_port is None


def test_a_listener_without_configured_sources_admits_no_one(monkeypatch, tmp_path):
    sources = tmp_path / "feed-sources.json"
    sources.write_text('{"fhir": ["198.51.100.7/32"]}')
    generate = generator()
    monkeypatch.setattr(generate, "FEED_SOURCES", sources)
    rules = generate._ingress(generate.feed_gateway())[2:]  # after Prometheus and the API ingress
    assert rules == [{"from": [{"ipBlock": {"cidr": "198.51.100.7/32"}}], "ports": [{"port": "fhir", "protocol": "TCP"}]}]


def test_the_mllp_listener_speaks_mutual_tls_with_files_from_a_secret(monkeypatch):
    deployment = of_kind(overlay("prod"), "Deployment")[FEED_GATEWAY]
    settings = _settings_of(deployment, monkeypatch)
    assert settings.registration_mllp_plaintext is False
    files = (settings.registration_mllp_cert_file, settings.registration_mllp_key_file, settings.registration_mllp_ca_file)
    assert files == ("/etc/rcm/mllp-tls/tls.crt", "/etc/rcm/mllp-tls/tls.key", "/etc/rcm/mllp-tls/ca.crt")
    mounts = {m["mountPath"]: m for m in _container(deployment)["volumeMounts"]}
    volume = mounts["/etc/rcm/mllp-tls"]["name"]
    assert mounts["/etc/rcm/mllp-tls"]["readOnly"] is True
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes[volume]["secret"]["secretName"] == "rcm-registration-mllp-tls"
    env = {e["name"]: e for e in _container(deployment)["env"]}
    assert env["RCM_REGISTRATION_MLLP_SENDERS"]["valueFrom"] == {
        "configMapKeyRef": {"name": "rcm-registration-mllp-senders", "key": "senders.json"}}


def test_the_feed_gateway_takes_facilities_from_a_config_map_and_fhir_tokens_from_a_secret():
    env = {e["name"]: e for e in _container(of_kind(overlay("prod"), "Deployment")[FEED_GATEWAY])["env"]}
    assert env["RCM_REGISTRATION_FEED_FACILITIES"]["valueFrom"] == {
        "configMapKeyRef": {"name": "rcm-registration-feed-facilities", "key": "facilities.json"}}
    assert env["RCM_REGISTRATION_FHIR_CLIENTS"]["valueFrom"] == {
        "secretKeyRef": {"name": "rcm-registration-fhir-clients", "key": "clients.json"}}


def test_credentials_come_from_secrets_and_the_instance_from_the_pod_name():
    for process_name, deployment in of_kind(overlay("prod"), "Deployment").items():
        env = {e["name"]: e for e in _container(deployment)["env"]}
        assert env["RCM_INSTANCE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
        assert env["RCM_KAFKA_SASL_USERNAME"]["value"] == f"rcm-{process_name}"
        for variable, secret, key in (("RCM_KAFKA_SASL_PASSWORD", f"rcm-{process_name}", "password"),
                                      ("RCM_MONGO_URI", f"rcm-{process_name}-mongo", "connectionString.standard"),
                                      ("RCM_PHI_KEY", "rcm-phi-key", "key")):
            assert env[variable]["valueFrom"]["secretKeyRef"] == {"name": secret, "key": key}
        # A *_FILE setting names a file mounted from a Secret (the MLLP listener's key), not a secret itself.
        assert not any("value" in e and ("PASSWORD" in n or "KEY" in n or "URI" in n) and not n.endswith("_FILE")
                       for n, e in env.items())


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
        assert writes == {*process.produces, topics.dead_letter_topic(process.service).name}, process.name
        assert groups == {s.group for s in process.consumes}, process.name
        assert all(g.startswith(f"{process.service}.") for g in groups)
        assert all(pattern == "literal" for kind, _, pattern, op in grants if op != "Describe")
        # Describe only (ensure_topics lists the declared topics at start); nothing cluster-wide.
        assert {g for g in grants if g[2] == "prefix"} == {("topic", "rcm.", "prefix", "Describe")}
        assert not any(kind == "cluster" for kind, *_ in grants)


def test_the_feed_gateway_may_write_what_registration_writes_and_read_nothing():
    users = of_kind(overlay("prod"), "KafkaUser")
    gateway, registration = _grants(users[f"rcm-{FEED_GATEWAY}"]), _grants(users["rcm-registration"])
    writes = {name for kind, name, _, op in gateway if kind == "topic" and op == "Write"}
    # Any registration pod may hold the outbox relay's lease and publish any of registration's rows.
    assert writes == {name for kind, name, _, op in registration if kind == "topic" and op == "Write"}
    assert {topics.REGISTRATION_REQUESTED.name, topics.dead_letter_topic("registration").name} <= writes
    assert not any(op == "Read" or kind == "group" for kind, _, _, op in gateway)
    assert {g for g in gateway if g[3] == "Describe"} == {("topic", "rcm.", "prefix", "Describe")}


def test_keda_scales_each_consumer_on_exactly_its_consumer_groups():
    objects = overlay("prod")
    scaled = of_kind(objects, "ScaledObject")
    keda_grants = _grants(of_kind(objects, "KafkaUser")["rcm-keda"])
    assert {op for *_, op in keda_grants} == {"Describe"}
    for process in (p for p in PROCESSES.values() if p.consumes):
        spec = scaled[process.name]["spec"]
        assert spec["scaleTargetRef"]["name"] == process.name
        triggers = {(t["metadata"]["topic"], t["metadata"]["consumerGroup"]) for t in spec["triggers"]}
        assert {t["metadata"]["bootstrapServersFromEnv"] for t in spec["triggers"]} == {"RCM_KAFKA_BOOTSTRAP"}
        assert triggers == {(s.topic, s.group) for s in process.consumes}
        assert spec["maxReplicaCount"] <= min(topics.by_name(s.topic).partitions for s in process.consumes)
        for group in {s.group for s in process.consumes}:
            assert ("group", group, "literal", "Describe") in keda_grants


@pytest.mark.parametrize("name", OVERLAYS)
def test_the_feed_gateway_scales_on_cpu_and_keeps_two_replicas_in_production(name):
    objects = overlay(name)
    (autoscaler,) = of_kind(objects, "HorizontalPodAutoscaler").values()
    spec = autoscaler["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": FEED_GATEWAY}
    assert spec["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    assert (spec["minReplicas"], spec["maxReplicas"]) == ((2, 6) if name == "prod" else (1, 2))
    deployment = of_kind(objects, "Deployment")[FEED_GATEWAY]
    assert "replicas" not in deployment["spec"]  # the autoscaler's; an apply must not reset it
    assert _container(deployment)["resources"]["requests"]["cpu"]  # what Utilization is measured against


def test_network_policies_let_prometheus_people_and_the_ehrs_in_and_only_kafka_mongodb_dns_and_https_out():
    for name, policy in of_kind(overlay("prod"), "NetworkPolicy").items():
        spec = policy["spec"]
        assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == name
        assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
        prometheus, people, *ehrs = spec["ingress"]
        assert prometheus["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]
        assert [p["port"] for p in prometheus["ports"]] == ["http"]
        # The /api endpoints, through the ingress controller.
        assert people["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]
        assert [p["port"] for p in people["ports"]] == ["http"]
        # The feed gateway's listeners take EHR traffic only from the configured sources, a rule each.
        expected = [["mllp"], ["fhir"]] if name == FEED_GATEWAY else []
        assert [[p["port"] for p in rule["ports"]] for rule in ehrs] == expected
        sources = generator().feed_sources()
        for rule, (listener,) in zip(ehrs, expected):
            assert rule["from"] and rule["from"] == [{"ipBlock": {"cidr": cidr}} for cidr in sources[listener]]
        assert sorted(p["port"] for rule in spec["egress"] for p in rule["ports"]) == [53, 53, 443, 9093, 27017]
        assert [rule for rule in spec["egress"] if rule["ports"][0]["port"] == 443] == [
            {"ports": [{"port": 443, "protocol": "TCP"}]}]  # the OIDC provider's JWKS


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
