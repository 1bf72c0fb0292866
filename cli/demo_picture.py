"""The demo's KPIs as one PNG, next to demo-summary.json: no Grafana needed to see the run.

KPI tiles (coloured against common industry targets), encounters by terminal state, initial denials
by category, and the money reconciliation. Amounts are printed from the summary's exact strings;
floats are used only for bar lengths.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server or in CI

import matplotlib.pyplot as plt  # noqa: E402

GOOD, WATCH, BAD, INK, MUTED = "#2e7d32", "#ef6c00", "#c62828", "#212121", "#757575"

# (label, summary key, unit, target, higher is better)
TILES: tuple[tuple[str, str, str, Decimal, bool], ...] = (
    ("Clean-claim rate", "clean_claim_rate", "%", Decimal("95"), True),
    ("First-pass resolution", "first_pass_rate", "%", Decimal("90"), True),
    ("Initial denial rate", "denial_rate", "%", Decimal("10"), False),
    ("Net collection rate", "net_collection_rate", "%", Decimal("95"), True),
    ("Days to payment", "avg_days_registration_to_payment", " d", Decimal("30"), False),
)


def _colour(value: Decimal, target: Decimal, higher_is_better: bool) -> str:
    """Green when the target is met, amber within 10% of it, red beyond."""
    gap = (value - target) if higher_is_better else (target - value)
    if gap >= 0:
        return GOOD
    return WATCH if abs(gap) <= target * Decimal("0.1") else BAD


def _money(amount: str) -> str:
    return f"${Decimal(amount):,.2f}"


def _tile(axis, label: str, value: str | None, unit: str, target: Decimal, higher: bool) -> None:
    axis.set_axis_off()
    axis.add_patch(plt.Rectangle((0, 0), 1, 1, transform=axis.transAxes, facecolor="#f5f5f5", edgecolor="#e0e0e0"))
    shown, colour = ("—", MUTED) if value is None else (f"{value}{unit}", _colour(Decimal(value), target, higher))
    axis.text(0.5, 0.58, shown, ha="center", va="center", fontsize=24, fontweight="bold", color=colour,
              transform=axis.transAxes)
    axis.text(0.5, 0.86, label, ha="center", va="center", fontsize=10.5, color=INK, transform=axis.transAxes)
    axis.text(0.5, 0.2, f"target {'≥' if higher else '≤'} {target}{unit.strip() and unit}", ha="center",
              va="center", fontsize=9, color=MUTED, transform=axis.transAxes)


def _bars(axis, title: str, items: list[tuple[str, float, str]], colour: str) -> None:
    axis.set_title(title, loc="left", fontsize=12, fontweight="bold", color=INK)
    if not items:
        axis.set_axis_off()
        axis.text(0.5, 0.5, "none in this run", ha="center", va="center", color=MUTED, transform=axis.transAxes)
        return
    labels = [label for label, _, _ in items][::-1]
    values = [value for _, value, _ in items][::-1]
    texts = [text for _, _, text in items][::-1]
    bars = axis.barh(labels, values, color=colour)
    axis.bar_label(bars, labels=texts, padding=4, fontsize=9.5, color=INK)
    axis.set_xlim(0, max(values) * 1.35 or 1)
    axis.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axis.spines[side].set_visible(False)
    axis.tick_params(axis="y", labelsize=10)


def write_picture(summary: dict, path: Path) -> Path:
    """Draw `summary` (cli/cycle.py Cycle.summary) as a PNG at `path`; return `path`."""
    kpis = summary["kpis"]
    figure = plt.figure(figsize=(15, 8.6), dpi=110)
    tiles = figure.add_gridspec(1, len(TILES), left=0.03, right=0.97, top=0.88, bottom=0.67, wspace=0.2)
    charts = figure.add_gridspec(1, 3, left=0.11, right=0.93, top=0.57, bottom=0.13, wspace=0.8)
    figure.suptitle(f"Revenue cycle: {summary['encounters_sent']:,} encounters "
                    f"({summary['elapsed_seconds']} s, {summary['encounters_per_second']} encounters/s)",
                    x=0.02, ha="left", fontsize=16, fontweight="bold", color=INK)
    for index, (label, key, unit, target, higher) in enumerate(TILES):
        _tile(figure.add_subplot(tiles[0, index]), label, kpis.get(key), unit, target, higher)

    states = sorted(summary["encounters_by_terminal_state"].items(), key=lambda item: -item[1])
    if summary["encounters_not_terminal"]:
        states.append(("not finished", summary["encounters_not_terminal"]))
    _bars(figure.add_subplot(charts[0, 0]), "Encounters by final state",
          [(state.replace("_", " "), count, f"{count:,}") for state, count in states], "#1565c0")

    denials = sorted(summary.get("initial_denials_by_category", {}).items(), key=lambda item: -item[1])
    _bars(figure.add_subplot(charts[0, 1]), "Initial denials by category",
          [(category.replace("_", " ").capitalize(), count, f"{count:,}") for category, count in denials], "#ad1457")

    money = [("charged", summary["total_charged"]), ("paid by payers", summary["total_paid_by_payers"]),
             ("posted", summary["total_posted"]), ("patient responsibility", kpis["patient_responsibility"]),
             ("contractual adjustments", kpis["contractual"])]
    axis = figure.add_subplot(charts[0, 2])
    _bars(axis, "Money", [(label, float(Decimal(amount)), _money(amount)) for label, amount in money], "#00695c")
    balanced = Decimal(summary["posted_minus_paid"]) == 0
    axis.text(0, -0.08, ("posted = paid by payers, to the cent" if balanced
                        else f"posted − paid = {_money(summary['posted_minus_paid'])}: check the run"),
              transform=axis.transAxes, fontsize=10, color=GOOD if balanced else BAD, fontweight="bold")
    figure.text(0.03, 0.025, "Targets are common industry benchmarks. Net collection counts payer payments only: "
                f"patient balances ({_money(kpis['patient_responsibility'])}) are still to be collected from "
                "patients. Days to payment run from registration to the payer's payment date.",
                fontsize=9, color=MUTED)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, facecolor="white")
    plt.close(figure)
    return path
