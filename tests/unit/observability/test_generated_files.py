"""The committed dashboards, alert rules and AsyncAPI documents are exactly what the code generates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from shared import topics
from tests.support import asyncapi, generated
from tests.support.prometheus import prometheus_binary

ALERT_TESTS = Path(__file__).resolve().parents[2] / "observability" / "alert_rules_test.yaml"


def _stale(outputs: dict) -> list[str]:
    return sorted(str(path) for path, content in outputs.items() if not path.exists() or path.read_text() != content)


def test_committed_dashboards_and_rules_equal_the_generator_output() -> None:
    assert _stale(generated.generator().outputs()) == [], "run deploy/grafana/generate.py and commit"


def test_there_is_one_dashboard_per_area_and_each_has_a_kpi_or_health_panel() -> None:
    gen = generated.generator()
    assert [board.name for board in gen.BOARDS] == ["overview", "claims-pipeline", "denials", "payments",
                                                   "service-health"]
    for board in gen.BOARDS:
        assert any(panel.kpi for panel in board.panels), board.name
        dashboard = json.loads((gen.DASHBOARDS_DIR / f"{board.name}.json").read_text())
        assert [panel["title"] for panel in dashboard["panels"]] == [panel.title for panel in board.panels]


def test_promtool_accepts_the_alert_rules() -> None:
    promtool = prometheus_binary("promtool")
    checked = subprocess.run([promtool, "check", "rules", str(generated.generator().RULES_FILE)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(generated.generator().ALERTS)} rules found" in checked.stdout


def test_each_alert_fires_on_its_symptom_and_not_on_healthy_series() -> None:
    """promtool's rule unit tests: tests/observability/alert_rules_test.yaml."""
    tested = subprocess.run([prometheus_binary("promtool"), "test", "rules", str(ALERT_TESTS)],
                            capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_committed_asyncapi_documents_equal_what_the_apps_generate() -> None:
    assert _stale(asyncapi.generator().outputs()) == [], "run docs/asyncapi/generate.py and commit"


def test_the_claims_document_receives_coded_encounters_with_their_payload_schema() -> None:
    doc = asyncapi.generator().document("claims")
    received = {doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
                for op in doc["operations"].values() if op["action"] == "receive"}
    assert topics.ENCOUNTER_CODED.name in received
    schema = doc["components"]["schemas"]["EncounterCodedEvent"]
    assert {"event_id", "tenant_id", "correlation_id", "payload"} <= set(schema["properties"])
    sent = {doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
            for op in doc["operations"].values() if op["action"] == "send"}
    assert {topics.CLAIM_STATUS_CHANGED.name, topics.dead_letter_topic("claims").name} <= sent


def test_every_flow_topic_has_a_consumer_in_the_topic_map() -> None:
    lines = (asyncapi.GENERATOR.parent / "topics.md").read_text().splitlines()
    rows = {line.split("|")[1].strip(" `"): line.split("|")[3].strip() for line in lines if line.startswith("| `")}
    assert set(rows) == {t.name for t in topics.ALL}
    assert [name for name, consumer in rows.items() if consumer == "—"] == []
    assert rows[topics.AUDIT.name] == "dashboard"  # the audit trail (dashboard/audit.py)
