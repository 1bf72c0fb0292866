"""Root-cause trends of denials for the dashboards: counts and amounts by reason category, payer,
rendering provider, procedure and week. A pure function over the work items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from services.denials.queue import WorkItem

UNKNOWN = "unknown"  # an older denial without a rendering NPI or procedure codes


@dataclass
class Bucket:
    count: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, amount: Decimal) -> None:
        self.count += 1
        self.amount += amount

    def as_json(self) -> dict:
        return {"count": self.count, "amount": str(self.amount)}


DIMENSIONS = ("category", "payer", "provider", "procedure", "week")


def _week(item: WorkItem) -> str:
    year, week, _ = item.payment_date.isocalendar()
    return f"{year}-W{week:02d}"


def denial_trends(items: Iterable[WorkItem]) -> dict[str, dict[str, Bucket]]:
    """Return {dimension: {value: Bucket}} for every dimension in DIMENSIONS.

    By procedure, a denial counts once for each distinct procedure code on it, with the whole denied
    amount (the denial names the claim, not how its amount splits between lines), so procedure
    totals may add up to more than the denials; the other dimensions add up exactly. Weeks are the
    ISO weeks of the payment date (when the payer denied)."""
    trends: dict[str, dict[str, Bucket]] = {name: {} for name in DIMENSIONS}

    def add(dimension: str, value: str, amount: Decimal) -> None:
        trends[dimension].setdefault(value, Bucket()).add(amount)

    for item in items:
        add("category", item.category.value, item.amount)
        add("payer", item.payer_id, item.amount)
        add("provider", item.rendering_npi or UNKNOWN, item.amount)
        for code in sorted(set(item.procedure_codes)) or [UNKNOWN]:
            add("procedure", code, item.amount)
        add("week", _week(item), item.amount)
    return trends


def trends_as_json(trends: dict[str, dict[str, Bucket]]) -> dict[str, dict[str, dict]]:
    """Sorted by dimension value (weeks therefore in time order)."""
    return {name: {value: bucket.as_json() for value, bucket in sorted(buckets.items())}
            for name, buckets in trends.items()}
