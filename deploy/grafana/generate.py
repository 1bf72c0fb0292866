"""Grafana dashboards and Prometheus alert rules, as code.

    .venv/bin/python deploy/grafana/generate.py          # rewrite the committed files
    .venv/bin/python deploy/grafana/generate.py --check  # exit 1 if they differ from this code

Writes deploy/grafana/dashboards/<name>.json (grafana-foundation-sdk builders) and
deploy/prometheus/rules.yaml. Every panel query and alert expression is evaluated against a real
Prometheus in tests/observability/test_real_prometheus.py; panels marked `kpi` must return data.
Metric names and labels: docs/observability.md.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # run as a script: the project root
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cli.generated import write_or_check  # noqa: E402
from grafana_foundation_sdk.builders import bargauge, dashboard, prometheus, stat, timeseries  # noqa: E402
from grafana_foundation_sdk.cog.encoder import JSONEncoder  # noqa: E402
from grafana_foundation_sdk.models.dashboard import DataSourceRef  # noqa: E402

DEPLOY = Path(__file__).resolve().parent.parent
DASHBOARDS_DIR = DEPLOY / "grafana" / "dashboards"
RULES_FILE = DEPLOY / "prometheus" / "rules.yaml"

T = 'tenant=~"$tenant"'
TP = 'tenant=~"$tenant", payer=~"$payer"'


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    kind: str  # "stat", "timeseries" or "bars"
    queries: tuple[Query, ...]
    unit: str = "short"
    description: str = ""
    kpi: bool = False  # a KPI: must return data once encounters went through the cycle
    width: int = 8
    height: int = 7


@dataclass(frozen=True)
class Board:
    name: str  # file name and uid suffix
    title: str
    description: str
    panels: tuple[Panel, ...]
    variables: tuple[str, ...] = ("tenant", "payer")


def q(expr: str, legend: str = "") -> tuple[Query, ...]:
    return (Query(expr, legend),)


def ratio(part: str, whole: str, by: str = "") -> str:
    group = f" by ({by})" if by else ""
    return f"sum{group}({part}) / sum{group}({whole})"


CLEAN_CLAIM = ratio(f"rcm_claims_clean_first_scrub_total{{{TP}}}", f"rcm_claims_scrubbed_total{{{TP}}}")
FIRST_PASS = ratio(f"rcm_claims_first_pass_paid_total{{{TP}}}", f"rcm_claims_adjudicated_total{{{TP}}}")
DENIAL_RATE = ratio(f"rcm_claims_initial_denials_total{{{TP}}}", f"rcm_claims_adjudicated_total{{{TP}}}")
NET_COLLECTION = (f'sum(rcm_posted_dollars_total{{{TP}, kind="paid"}}) / (sum(rcm_posted_claims_billed_dollars_total{{{TP}}})'
                  f' - sum(rcm_posted_dollars_total{{{TP}, kind="contractual"}}))')
DAYS_IN_AR = f"sum(rcm_ar_outstanding_dollars{{{TP}}}) / (sum(rcm_charges_recent_dollars{{{TP}}}) / 90)"

OVERVIEW = Board("overview", "RCM / Revenue-cycle overview",
                 "The revenue-cycle KPIs a billing manager watches, from the dashboard read model.", (
    Panel("Clean-claim rate", "stat", q(CLEAN_CLAIM), "percentunit", "Claims that passed their first scrub / "
          "claims scrubbed", kpi=True, width=4, height=5),
    Panel("First-pass resolution", "stat", q(FIRST_PASS), "percentunit", "Original claims paid at their first "
          "adjudication / adjudicated", kpi=True, width=4, height=5),
    Panel("Initial denial rate", "stat", q(DENIAL_RATE), "percentunit", "Original claims denied in whole or in "
          "part at their first adjudication / adjudicated", kpi=True, width=4, height=5),
    Panel("Net collection rate", "stat", q(NET_COLLECTION), "percentunit", "Payer payments / (charges - "
          "contractual adjustments), over posted claims", kpi=True, width=4, height=5),
    Panel("Days in A/R", "stat", q(DAYS_IN_AR), "d", "Open insurance A/R / average daily charges of the last "
          "90 days", kpi=True, width=4, height=5),
    Panel("Charge lag", "stat", q(f"avg(rcm_charge_lag_days{{{TP}}})"), "d", "Mean days from date of service to "
          "claim creation", kpi=True, width=4, height=5),
    Panel("Claims by state", "bars", q(f"sum by (state) (rcm_claims_by_state{{{TP}}})", "{{state}}"),
          "short", "Encounters by stage: claim status, or where they are before a claim", kpi=True, width=12,
          height=9),
    Panel("Posted totals", "bars", q(f"sum by (kind) (rcm_posted_dollars_total{{{TP}}})", "{{kind}}"),
          "currencyUSD", "Remittance amounts posted, by kind", kpi=True, width=12, height=9),
    Panel("Clean-claim rate by tenant", "timeseries",
          q(ratio(f"rcm_claims_clean_first_scrub_total{{{TP}}}", f"rcm_claims_scrubbed_total{{{TP}}}", "tenant"),
            "{{tenant}}"), "percentunit", kpi=True, width=24),
    # Coding QA and the registration queue: only what people decided or held, so no data until then.
    Panel("Coder agreement with the top suggestion", "bars",
          q(ratio(f"rcm_coding_review_agreed_total{{{T}}}", f"rcm_coding_review_with_suggestion_total{{{T}}}",
                  "coder"), "{{coder}}"), "percentunit", "Decided encounters whose billed principal diagnosis is "
          "the top suggestion / decided encounters that had one, per coder", width=8, height=8),
    Panel("Coding review decisions by coder", "bars",
          q(f"sum by (coder, decision) (rcm_coding_review_decisions_total{{{T}}})", "{{coder}} {{decision}}"),
          "short", "Encounters released from the coding review queue; corrected = other codes than the "
          "provider's", width=8, height=8),
    Panel("Encounters held for eligibility", "bars",
          q(f"sum by (reason) (rcm_encounters_held_for_eligibility{{{T}}})", "{{reason}}"), "short",
          "Encounters in registration's eligibility queue, by the reason they were held", width=8, height=8),
))

PIPELINE = Board("claims-pipeline", "RCM / Claims pipeline",
                 "Throughput, latency and lag of each stage of the cycle.", (
    Panel("Events handled per second, by service", "timeseries",
          q('sum by (service) (rate(rcm_events_consumed_total{outcome="handled"}[$__rate_interval]))',
            "{{service}}"), "ops", width=12),
    Panel("Business events emitted per second", "timeseries",
          q("sum by (event_type) (rate(rcm_stage_events_total[$__rate_interval]))", "{{event_type}}"), "ops",
          width=12),
    Panel("Registration → submitted (p50, p95)", "timeseries", (
        Query(f'histogram_quantile(0.5, sum by (le) (rate(rcm_stage_latency_seconds_bucket{{{T}, '
              f'stage="registration_to_submitted"}}[$__rate_interval])))', "p50"),
        Query(f'histogram_quantile(0.95, sum by (le) (rate(rcm_stage_latency_seconds_bucket{{{T}, '
              f'stage="registration_to_submitted"}}[$__rate_interval])))', "p95")), "s", width=12),
    Panel("Submitted → paid (p50, p95)", "timeseries", (
        Query(f'histogram_quantile(0.5, sum by (le) (rate(rcm_stage_latency_seconds_bucket{{{T}, '
              f'stage="submitted_to_paid"}}[$__rate_interval])))', "p50"),
        Query(f'histogram_quantile(0.95, sum by (le) (rate(rcm_stage_latency_seconds_bucket{{{T}, '
              f'stage="submitted_to_paid"}}[$__rate_interval])))', "p95")), "s", width=12),
    Panel("Encounters measured per stage", "stat",
          q(f"sum by (stage) (rcm_stage_latency_seconds_count{{{T}}})", "{{stage}}"), "short",
          "Encounters that reached the second milestone of each stage", kpi=True, width=8, height=5),
    Panel("Mean stage latency", "stat",
          q(f"sum by (stage) (rcm_stage_latency_seconds_sum{{{T}}}) / sum by (stage) "
            f"(rcm_stage_latency_seconds_count{{{T}}})", "{{stage}}"), "s", kpi=True, width=8, height=5),
    Panel("Batch handling time p95, by service", "timeseries",
          q("histogram_quantile(0.95, sum by (service, le) (rate(rcm_batch_seconds_bucket[$__rate_interval])))",
            "{{service}}"), "s", width=8, height=5),
    Panel("Consumer lag, by subscriber", "timeseries",
          q("sum by (service, subscriber) (rcm_consumer_lag)", "{{service}}.{{subscriber}}"), "short",
          "End offset minus committed offset of each consumer group", kpi=True, width=12),
    Panel("Outbox events waiting", "timeseries", q("sum by (service) (rcm_outbox_pending)", "{{service}}"),
          "short", width=12),
    Panel("Claims by state over time", "timeseries",
          q(f"sum by (state) (rcm_claims_by_state{{{TP}}})", "{{state}}"), "short", kpi=True, width=24),
))

DENIALS = Board("denials", "RCM / Denials", "Initial denials by category and payer, and their trend.", (
    Panel("Initial denial rate by category", "bars",
          q(f"sum by (category) (rcm_claims_initial_denials_total{{{TP}}}) / scalar(sum("
            f"rcm_claims_adjudicated_total{{{TP}}}))", "{{category}}"), "percentunit",
          "Share of adjudicated original claims first denied for each category", kpi=True, width=12, height=9),
    Panel("Initial denial rate by payer", "bars",
          q(ratio(f"rcm_claims_initial_denials_total{{{TP}}}", f"rcm_claims_adjudicated_total{{{TP}}}", "payer"),
            "{{payer}}"), "percentunit", kpi=True, width=12, height=9),
    Panel("Initial denials by category (trend)", "timeseries",
          q(f"sum by (category) (rcm_claims_initial_denials_total{{{TP}}})", "{{category}}"), "short", kpi=True,
          width=12),
    Panel("New initial denials per hour, by payer", "timeseries",
          q(f"sum by (payer) (increase(rcm_claims_initial_denials_total{{{TP}}}[1h]))", "{{payer}}"), "short",
          width=12),
    Panel("Denied dollars by payer", "bars",
          q(f'sum by (payer) (rcm_posted_dollars_total{{{TP}, kind="denied"}})', "{{payer}}"), "currencyUSD",
          kpi=True, width=12),
    Panel("Dead letters waiting, by service", "bars",
          q("sum by (service) (rcm_dead_letter_messages)", "{{service}}"), "short", kpi=True, width=12),
    Panel("Claims that failed the scrub", "stat", q(f"sum(rcm_scrub_failed_claims_total{{{TP}}})"), "short",
          "Claims the scrubber stopped at least once before submission", kpi=True, width=6, height=9),
    Panel("Scrub failures by rule category", "bars",
          q(f"sum by (category) (rcm_scrub_failures_by_category_total{{{TP}}})", "{{category}}"), "short",
          "Scrub failures with a blocking edit of each rule category (demographics, coding, payer ...)", width=9,
          height=9),
    Panel("Scrub failures by payer", "bars",
          q(f"sum by (payer) (rcm_scrub_failures_total{{{TP}}})", "{{payer}}"), "short", width=9, height=9),
))

PAYMENTS = Board("payments", "RCM / Payments and patient balances",
                 "What was posted, what is still owed by payers (A/R aging) and by patients.", (
    Panel("Paid by payers", "stat", q(f'sum(rcm_posted_dollars_total{{{TP}, kind="paid"}})'), "currencyUSD",
          kpi=True, width=6, height=5),
    Panel("Charged", "stat", q(f"sum(rcm_charges_dollars_total{{{TP}}})"), "currencyUSD", kpi=True, width=6,
          height=5),
    Panel("Patient responsibility posted", "stat", q(f"sum(rcm_patient_balance_dollars{{{TP}}})"), "currencyUSD",
          "Patient responsibility from remittances", kpi=True, width=6, height=5),
    Panel("Net collection rate", "stat", q(NET_COLLECTION), "percentunit", kpi=True, width=6, height=5),
    Panel("A/R aging", "bars", q(f"sum by (bucket) (rcm_ar_outstanding_dollars{{{TP}}})", "{{bucket}} days"),
          "currencyUSD", "Open insurance A/R by days since the date of service", kpi=True, width=12, height=9),
    Panel("Posted by kind", "bars", q(f"sum by (kind) (rcm_posted_dollars_total{{{TP}}})", "{{kind}}"),
          "currencyUSD", kpi=True, width=12, height=9),
    Panel("Paid by payer", "timeseries",
          q(f'sum by (payer) (rcm_posted_dollars_total{{{TP}, kind="paid"}})', "{{payer}}"), "currencyUSD",
          kpi=True, width=12),
    Panel("Patient responsibility posted by tenant", "timeseries",
          q(f"sum by (tenant) (rcm_patient_balance_dollars{{{TP}}})", "{{tenant}}"), "currencyUSD", kpi=True,
          width=12),
    Panel("Days in A/R by payer", "timeseries",
          q(f"sum by (payer) (rcm_ar_outstanding_dollars{{{TP}}}) / (sum by (payer) "
            f"(rcm_charges_recent_dollars{{{TP}}}) / 90)", "{{payer}}"), "d", kpi=True, width=24),
    Panel("Patient balances outstanding", "stat", q(f"sum(rcm_patient_balances_outstanding_dollars{{{T}}})"),
          "currencyUSD", "What patients owe now: every patient's latest balance above zero", kpi=True, width=6,
          height=5),
    Panel("Patients with a balance", "stat", q(f"sum(rcm_patients_with_balance{{{T}}})"), "short", kpi=True,
          width=6, height=5),
    Panel("Statements issued", "stat", q(f"sum(rcm_patient_statements_total{{{T}}})"), "short", kpi=True, width=6,
          height=5),
    Panel("Billed on statements", "stat", q(f"sum(rcm_patient_statement_dollars_total{{{T}}})"), "currencyUSD",
          kpi=True, width=6, height=5),
    Panel("Underpayments opened", "stat", q(f"sum(rcm_underpayments_opened_total{{{TP}}})"), "short",
          "Lines paid below the payer contract, opened for follow-up", kpi=True, width=6, height=5),
    Panel("Underpaid (shortfall)", "stat", q(f"sum(rcm_underpayment_shortfall_dollars_total{{{TP}}})"),
          "currencyUSD", "Expected minus received on the underpaid lines", kpi=True, width=6, height=5),
    Panel("Held remittances", "stat", q(f"sum(rcm_remittances_held{{{TP}}})"), "short",
          "835s held because they do not balance to the cent", kpi=True, width=6, height=5),
    Panel("Held remittance dollars", "stat", q(f"sum(rcm_remittances_held_dollars{{{TP}}})"), "currencyUSD",
          kpi=True, width=6, height=5),
    Panel("Underpaid by payer", "bars", q(f"sum by (payer) (rcm_underpayment_shortfall_dollars_total{{{TP}}})",
                                          "{{payer}}"), "currencyUSD", kpi=True, width=12, height=8),
    Panel("Provider-level adjustments (PLB) by payer and reason", "bars",
          q(f"sum by (payer, reason) (rcm_provider_adjustment_dollars{{{TP}}})", "{{payer}} {{reason}}"),
          "currencyUSD", "Net PLB amounts: + withheld by the payer (recoupment, forward balance), - added "
          "(interest)", width=12, height=8),
    Panel("Patient balances outstanding by tenant", "timeseries",
          q(f"sum by (tenant) (rcm_patient_balances_outstanding_dollars{{{T}}})", "{{tenant}}"), "currencyUSD",
          kpi=True, width=24),
))

HEALTH = Board("service-health", "RCM / Service health",
               "Is every process up, consuming, and keeping its errors and dead letters low?", (
    Panel("Processes up", "stat", q("sum by (service) (up{service!=\"\"})", "{{service}}"), "short",
          kpi=True, width=24, height=5),
    Panel("Batch retries per second (errors)", "timeseries",
          q("sum by (service) (rate(rcm_batch_retries_total[$__rate_interval]))", "{{service}}"), "ops", width=12),
    Panel("Dead letters per second, by reason", "timeseries",
          q("sum by (service, reason_code) (rate(rcm_dead_letters_total[$__rate_interval]))",
            "{{service}} {{reason_code}}"), "ops", width=12),
    Panel("Messages received per second (FastStream)", "timeseries",
          q("sum by (app_name) (rate(faststream_received_messages_total[$__rate_interval]))", "{{app_name}}"),
          "ops", width=12),
    Panel("Processing exceptions per second (FastStream)", "timeseries",
          q("sum by (app_name, exception_type) (rate(faststream_received_processed_messages_exceptions_total"
            "[$__rate_interval]))", "{{app_name}} {{exception_type}}"), "ops", width=12),
    Panel("Resident memory", "timeseries", q("sum by (service) (process_resident_memory_bytes{service!=\"\"})",
                                              "{{service}}"), "bytes", kpi=True, width=12),
    Panel("CPU", "timeseries", q("sum by (service) (rate(process_cpu_seconds_total{service!=\"\"}"
                                 "[$__rate_interval]))", "{{service}}"), "percentunit", width=12),
    Panel("Dead-letter topic size", "timeseries", q("sum by (service) (rcm_dead_letter_messages)", "{{service}}"),
          "short", kpi=True, width=12),
    Panel("Stalled work by stage (past its deadline)", "timeseries",
          q("max by (service, stage) (rcm_stalled_work)", "{{service}} {{stage}}"), "short",
          "Work handed on and not answered past its deadline (docs/architecture.md, Deadlines on work in "
          "flight), plus open work items.", width=12),
    Panel("Reconciled per second, by stage and action", "timeseries",
          q("sum by (service, stage, action) (rate(rcm_reconciled_total[$__rate_interval]))",
            "{{service}} {{stage}} {{action}}"), "ops", width=12),
    Panel("KPI refresh failures", "timeseries",
          q("sum by (source) (increase(rcm_kpi_refresh_errors_total[$__rate_interval]))", "{{source}}"), "short",
          width=12),
), variables=())

BOARDS: tuple[Board, ...] = (OVERVIEW, PIPELINE, DENIALS, PAYMENTS, HEALTH)


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    duration: str
    severity: str
    summary: str
    labels: dict[str, str] = field(default_factory=dict)


ALERTS: tuple[Alert, ...] = (
    Alert("RcmDeadLetterTopicGrowing", "delta(rcm_dead_letter_messages[15m]) > 0", "5m", "warning",
          "Messages are being parked on {{ $labels.service }}'s dead-letter topic: list them with "
          "`rcm dlq list {{ $labels.service }}`."),
    Alert("RcmConsumerLagHigh", "sum by (service, subscriber) (rcm_consumer_lag) > 5000", "10m", "warning",
          "{{ $labels.service }}.{{ $labels.subscriber }} is {{ $value }} messages behind."),
    Alert("RcmConsumerStalled",
          "sum by (service, subscriber) (rcm_consumer_lag) > 0 and sum by (service, subscriber) "
          "(delta(rcm_consumer_lag[10m])) >= 0 and on (service) (sum by (service) "
          "(rate(rcm_events_consumed_total[10m])) == 0)", "10m", "critical",
          "{{ $labels.service }} has messages waiting and consumed nothing for 10 minutes."),
    Alert("RcmCleanClaimRateDrop",
          "(sum by (tenant) (increase(rcm_claims_clean_first_scrub_total[1h])) / sum by (tenant) "
          "(increase(rcm_claims_scrubbed_total[1h]))) < 0.85 and sum by (tenant) "
          "(increase(rcm_claims_scrubbed_total[1h])) > 20", "15m", "warning",
          "Clean-claim rate of tenant {{ $labels.tenant }} fell to {{ $value | humanizePercentage }} in the last "
          "hour: look at the scrub findings."),
    Alert("RcmBatchErrorRate",
          "sum by (service) (rate(rcm_batch_retries_total[5m])) / (sum by (service) "
          "(rate(rcm_batch_seconds_count[5m])) + sum by (service) (rate(rcm_batch_retries_total[5m]))) > 0.05",
          "10m", "warning", "More than 5% of {{ $labels.service }}'s batches fail and are read again."),
    Alert("RcmDeadLetterRate",
          "sum by (service) (rate(rcm_dead_letters_total[5m])) / sum by (service) "
          "(rate(rcm_events_consumed_total[5m])) > 0.02", "10m", "warning",
          "More than 2% of what {{ $labels.service }} consumes is dead-lettered."),
    Alert("RcmProcessDown", 'up{service!=""} == 0', "2m", "critical",
          "{{ $labels.service }} ({{ $labels.instance }}) does not answer /metrics."),
    Alert("RcmWorkStalled", "max by (service, stage) (rcm_stalled_work) > 0", "15m", "warning",
          "{{ $value }} items of {{ $labels.service }}'s {{ $labels.stage }} stage are past their deadline: "
          "events were published again without an answer. See the stalled_work collection and "
          "docs/architecture.md (Deadlines on work in flight)."),
    Alert("RcmOutboxRowsSetAside", "sum by (service, reason) (increase(rcm_outbox_set_aside_total[15m])) > 0", "0m",
          "warning",
          "{{ $labels.service }} set outbox rows aside ({{ $labels.reason }}): the broker refused them. They are in "
          "the service's outbox_failed collection with the reason; the events behind them went on."),
    Alert("RcmOutboxProducerFailing",
          "sum by (service) (increase(rcm_outbox_producer_restarts_total[10m])) > 5", "10m", "critical",
          "{{ $labels.service }}'s outbox relay keeps replacing failed producers: events are not being published."),
    Alert("RcmKpiRefreshFailing", "increase(rcm_kpi_refresh_errors_total[10m]) > 0", "10m", "warning",
          "The dashboard cannot recompute its {{ $labels.source }} metrics; KPI panels show stale values."),
)


DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")


def _variable(name: str) -> dashboard.QueryVariable:
    return (dashboard.QueryVariable(name).label(name.capitalize()).datasource(DATASOURCE)
            .query(f"label_values(rcm_claims_by_state, {name})")
            .include_all(True).multi(True).all_value(".*"))


def _panel(panel: Panel):
    builder = {"stat": stat.Panel, "timeseries": timeseries.Panel, "bars": bargauge.Panel}[panel.kind]()
    builder = (builder.title(panel.title).unit(panel.unit).height(panel.height).span(panel.width)
               .datasource(DATASOURCE))
    if panel.description:
        builder = builder.description(panel.description)
    for index, query in enumerate(panel.queries):
        target = prometheus.Dataquery().expr(query.expr).ref_id(chr(ord("A") + index))
        if query.legend:
            target = target.legend_format(query.legend)
        if panel.kind in ("stat", "bars"):
            target = target.instant()
        builder = builder.with_target(target)
    return builder


def build_dashboard(board: Board) -> dict:
    builder = (dashboard.Dashboard(board.title).uid(f"rcm-{board.name}").description(board.description)
               .tags(["rcm", "generated"]).refresh("30s").time("now-6h", "now").timezone("utc"))
    builder = builder.with_variable(dashboard.DatasourceVariable("datasource").label("Prometheus")
                                    .type("prometheus"))
    for name in board.variables:
        builder = builder.with_variable(_variable(name))
    for panel in board.panels:
        builder = builder.with_panel(_panel(panel))
    return json.loads(JSONEncoder(sort_keys=True, indent=2).encode(builder.build()))


def rules_yaml() -> str:
    """The alert rules as a plain Prometheus rule file (written by hand: YAML needs no library here)."""
    lines = ["# Generated by deploy/grafana/generate.py; do not edit by hand.", "groups:",
             "  - name: rcm", "    rules:"]
    for alert in ALERTS:
        lines += [f"      - alert: {alert.name}", f"        expr: {json.dumps(alert.expr)}",
                  f"        for: {alert.duration}", "        labels:", f"          severity: {alert.severity}"]
        lines += [f"          {key}: {json.dumps(value)}" for key, value in sorted(alert.labels.items())]
        lines += ["        annotations:", f"          summary: {json.dumps(alert.summary)}"]
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    """Every generated file and its content."""
    files = {DASHBOARDS_DIR / f"{board.name}.json": json.dumps(build_dashboard(board), indent=2, sort_keys=True) + "\n"
             for board in BOARDS}
    files[RULES_FILE] = rules_yaml()
    return files


def main() -> int:
    return write_or_check(outputs, description=__doc__.split("\n\n")[0], root=DEPLOY.parent,
                          command="deploy/grafana/generate.py")


if __name__ == "__main__":
    sys.exit(main())
