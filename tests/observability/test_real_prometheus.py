"""Every dashboard panel and alert rule against a real Prometheus scraping every process of a run.

150 encounters go through the platform (a process per service, as in production); Prometheus
scrapes each /metrics every second and loads the generated alert rules. Then every panel query of
every generated dashboard must evaluate without error, every KPI panel must return data, and every
alert rule must evaluate with health "ok". A generator change that breaks a query fails here.
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from cli.cycle import Cycle
from tests.support.fleet import platform_fleet
from tests.support.generated import generator
from tests.support.ports import shifted
from tests.support.prometheus import Prometheus, prometheus_binary, write_config

pytestmark = pytest.mark.e2e

ENCOUNTERS = 150
PORT_OFFSET = 10400  # 18501-18507, away from the demo (+200) and the other end-to-end tests
PROMETHEUS_PORT = shifted(18590)
# What Grafana would put in for the dashboard variables: every tenant and payer, a short rate window.
VARIABLES = {"$__rate_interval": "30s", "$tenant": ".*", "$payer": ".*"}


def substitute(expr: str) -> str:
    for variable, value in VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"a Grafana variable the test does not know: {expr}"
    return expr


@pytest.fixture(scope="module")
async def scraped_run(stack, tmp_path_factory):
    binary = prometheus_binary()
    gen = generator()
    work = tmp_path_factory.mktemp("prometheus")
    previous = os.environ.get("RCM_KPI_METRICS_INTERVAL")
    os.environ["RCM_KPI_METRICS_INTERVAL"] = "1"  # the fleet's processes inherit it
    try:
        async with platform_fleet(stack, work / "logs", port_offset=PORT_OFFSET) as (fleet, settings, _kafka):
            config = write_config(work / "prometheus.yml", {name: fleet.port(name) for name in fleet.processes},
                                  [gen.RULES_FILE])
            prometheus = Prometheus(binary, config, work / "data", PROMETHEUS_PORT, work / "prometheus.log")
            await asyncio.to_thread(prometheus.start)
            try:
                cycle = Cycle(settings, seed=7)
                try:
                    await cycle.load_chargemasters(f"http://127.0.0.1:{fleet.port('coding')}", fleet.issuer_url())
                    await cycle.publish(cycle.make_visits(ENCOUNTERS))
                    progress = await cycle.wait_until_terminal(timeout=120)
                finally:
                    await cycle.close()
                await _until_scraped(prometheus, progress.by_stage)
                yield gen, prometheus, progress
            finally:
                prometheus.stop()
    finally:
        if previous is None:
            os.environ.pop("RCM_KPI_METRICS_INTERVAL", None)
        else:
            os.environ["RCM_KPI_METRICS_INTERVAL"] = previous


async def _until_scraped(prometheus: Prometheus, by_stage: dict[str, int], timeout: float = 60.0) -> None:
    """Until Prometheus holds the read model's final counts per state (not an earlier snapshot whose
    total is already right) and has evaluated the rules at least once."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await asyncio.to_thread(prometheus.query, "sum by (state) (rcm_claims_by_state)")
        seen = {series["metric"]["state"]: int(float(series["value"][1]))
                for series in answer.get("data", {}).get("result", [])}
        rules = await asyncio.to_thread(prometheus.api, "rules")
        evaluated = all(rule.get("lastEvaluation", "").startswith("20") for group in rules["data"]["groups"]
                        for rule in group["rules"])
        if seen == dict(by_stage) and evaluated:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"Prometheus did not see the final states {by_stage} within {timeout}s: {seen}")
        await asyncio.sleep(0.5)


def _panels(gen):
    return [(board, panel, query) for board in gen.BOARDS for panel in board.panels for query in panel.queries]


async def test_the_run_went_through_the_cycle(scraped_run) -> None:
    _, _, progress = scraped_run
    assert progress.terminal == ENCOUNTERS, progress.by_stage


async def test_every_dashboard_panel_query_evaluates_without_error(scraped_run) -> None:
    gen, prometheus, _ = scraped_run
    failures = []
    for board, panel, query in _panels(gen):
        answer = await asyncio.to_thread(prometheus.query, substitute(query.expr))
        if answer.get("status") != "success":
            failures.append((board.name, panel.title, answer.get("error")))
    assert failures == []


async def test_every_kpi_panel_returns_data(scraped_run) -> None:
    gen, prometheus, _ = scraped_run
    empty = []
    kpi_queries = [(b, p, q) for b, p, q in _panels(gen) if p.kpi]
    assert len(kpi_queries) >= 20
    for board, panel, query in kpi_queries:
        answer = await asyncio.to_thread(prometheus.query, substitute(query.expr))
        if not answer.get("data", {}).get("result"):
            empty.append((board.name, panel.title))
    assert empty == []


async def test_the_kpis_prometheus_sees_match_the_read_model(scraped_run) -> None:
    """Claims by state in Prometheus add up to the encounters sent, and money was posted."""
    _, prometheus, progress = scraped_run
    states = (await asyncio.to_thread(prometheus.query, "sum by (state) (rcm_claims_by_state)"))["data"]["result"]
    by_state = {series["metric"]["state"]: int(float(series["value"][1])) for series in states}
    assert by_state == progress.by_stage
    paid = (await asyncio.to_thread(prometheus.query, 'sum(rcm_posted_dollars_total{kind="paid"})'))["data"]["result"]
    assert float(paid[0]["value"][1]) > 0


async def test_every_alert_rule_is_loaded_and_evaluates(scraped_run) -> None:
    gen, prometheus, _ = scraped_run
    rules = (await asyncio.to_thread(prometheus.api, "rules"))["data"]["groups"]
    loaded = {rule["name"]: rule for group in rules for rule in group["rules"]}
    assert set(loaded) == {alert.name for alert in gen.ALERTS}
    assert {name: rule["health"] for name, rule in loaded.items() if rule["health"] != "ok"} == {}
    for alert in gen.ALERTS:
        answer = await asyncio.to_thread(prometheus.query, alert.expr)
        assert answer.get("status") == "success", (alert.name, answer.get("error"))
