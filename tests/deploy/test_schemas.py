"""Every object of every overlay validates: Kubernetes kinds against the Kubernetes schema
(kubernetes-validate), operator kinds against the CRD schemas kept in deploy/schemas/."""

from __future__ import annotations

import copy
import functools
import json

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.manifests import DEPLOY, OVERLAYS, overlay

KUBERNETES_VERSION = "1.33"
SCHEMAS = DEPLOY / "schemas"


def _strict(schema: dict) -> dict:
    """Reject unknown fields, as the API server's strict field validation does: an object schema with
    properties and no additionalProperties or x-kubernetes-preserve-unknown-fields gets
    additionalProperties: false."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if (node.get("type") == "object" and "properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


@functools.cache
def crd_validator(api_version: str, kind: str) -> jsonschema.Validator | None:
    group, _, version = api_version.rpartition("/")
    path = SCHEMAS / group / f"{kind.lower()}_{version}.json"
    if not group or not path.exists():
        return None
    schema = _strict(json.loads(path.read_text()))
    schema.pop("$comment", None)
    return jsonschema.Draft7Validator(schema)


def _is_operator_kind(api_version: str) -> bool:
    """Groups with a dot are a CRD's, except Kubernetes' own *.k8s.io groups."""
    group = api_version.rpartition("/")[0]
    return "." in group and not group.endswith("k8s.io")


def validate(obj: dict) -> None:
    validator = crd_validator(obj["apiVersion"], obj["kind"])
    if validator is not None:
        errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.path))
        if errors:
            raise AssertionError("; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
        return
    if _is_operator_kind(obj["apiVersion"]):
        raise AssertionError(f"no schema kept for {obj['apiVersion']} {obj['kind']}")
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_object_validates(name):
    objects = overlay(name)
    assert len(objects) > 60
    failures = []
    for obj in objects:
        try:
            validate(obj)
        except (AssertionError, kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as bad:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {str(bad)[:300]}")
    assert failures == []


def test_every_operator_kind_has_a_kept_schema():
    kinds = {(o["apiVersion"], o["kind"]) for o in overlay("prod")}
    operator_kinds = {k for k in kinds if _is_operator_kind(k[0])}
    assert {k for k in operator_kinds if crd_validator(*k) is None} == set()
    assert {kind for _, kind in operator_kinds} == {
        "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "ScaledObject", "TriggerAuthentication",
        "ServiceMonitor", "PrometheusRule", "MongoDBCommunity"}
    assert ("kafka.strimzi.io/v1", "Kafka") in operator_kinds


def test_strimzi_schemas_are_v1():
    for kind in ("kafka", "kafkanodepool", "kafkatopic", "kafkauser"):
        assert (SCHEMAS / "kafka.strimzi.io" / f"{kind}_v1.json").exists()


@pytest.mark.parametrize("mutate, kind", [
    (lambda o: o["spec"]["authorization"]["acls"][0].update(operations=["Reed"]), "KafkaUser"),
    (lambda o: o["spec"].update(partitions=0), "KafkaTopic"),
    (lambda o: o["spec"].update(partition=3), "KafkaTopic"),  # misspelt field
    (lambda o: o["spec"]["kafka"]["listeners"][0].pop("tls"), "Kafka"),
    (lambda o: o["spec"]["triggers"][0].pop("type"), "ScaledObject"),
    (lambda o: o["spec"]["endpoints"][0].update(interval=15), "ServiceMonitor"),
    (lambda o: o["spec"].update(members="three"), "MongoDBCommunity"),
    (lambda o: o["spec"]["template"]["spec"]["containers"][0].update(imagePullPolicy=3), "Deployment"),
    (lambda o: o["spec"].update(maxUnavailabel=1), "PodDisruptionBudget"),
    (lambda o: o["spec"]["metrics"][0]["resource"]["target"].update(averageUtilization="70%"), "HorizontalPodAutoscaler"),
])
def test_a_broken_object_is_refused(mutate, kind):
    obj = copy.deepcopy(next(o for o in overlay("prod") if o["kind"] == kind))
    validate(obj)
    mutate(obj)
    with pytest.raises((AssertionError, kubernetes_validate.ValidationError)):
        validate(obj)
