"""Dashboard settings: the shared ones plus how often the KPI metrics are recomputed."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class DashboardSettings(ServiceSettings):
    # RCM_KPI_METRICS_INTERVAL: seconds between two recomputations of the KPI and broker metrics.
    kpi_metrics_interval: float = Field(default=5.0, gt=0)
    # RCM_AUDIT_RETENTION_DAYS: how long the audit trail keeps a record (HIPAA asks for six years).
    audit_retention_days: int = Field(default=6 * 365 + 2, ge=1)
