"""The demo's KPI picture: a PNG beside demo-summary.json that flags what needs a look in red."""

from __future__ import annotations

import json

import matplotlib.image

from cli.demo import write_summary

RED = (198, 40, 40)  # the picture's colour for a missed target or a reconciliation gap


def a_summary(**changes) -> dict:
    summary = {
        "encounters_sent": 300, "encounters_not_terminal": 0, "elapsed_seconds": 41.2, "encounters_per_second": 7.3,
        "encounters_by_terminal_state": {"paid": 262, "coding_review": 21, "scrub_failed": 8, "written_off": 9},
        "initial_denials_by_category": {"eligibility": 9, "coding": 6},
        "total_charged": "123456.78", "total_paid_by_payers": "71234.56", "total_posted": "71234.56",
        "posted_minus_paid": "0.00",
        "kpis": {"clean_claim_rate": "96.55", "first_pass_rate": "93.20", "denial_rate": "6.40",
                 "net_collection_rate": "97.10", "avg_days_registration_to_payment": "14.20",
                 "contractual": "40000.00", "patient_responsibility": "8000.12"},
    }
    summary.update(changes)
    return summary


def red_pixels(path) -> int:
    pixels = (matplotlib.image.imread(path)[:, :, :3] * 255).round().astype(int)
    return int(((pixels[:, :, 0] == RED[0]) & (pixels[:, :, 1] == RED[1]) & (pixels[:, :, 2] == RED[2])).sum())


def test_the_picture_is_written_beside_the_summary(tmp_path) -> None:
    picture = write_summary(a_summary(), tmp_path / "demo-summary.json")
    assert picture == tmp_path / "demo-summary.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "demo-summary.json").read_text())["encounters_sent"] == 300
    height, width, _ = matplotlib.image.imread(picture).shape
    assert width > 1000 and height > 600


def test_a_run_that_meets_every_target_and_reconciles_shows_no_red(tmp_path) -> None:
    assert red_pixels(write_summary(a_summary(), tmp_path / "s.json")) == 0


def test_posted_money_that_differs_from_what_payers_paid_shows_in_red(tmp_path) -> None:
    picture = write_summary(a_summary(total_posted="71234.55", posted_minus_paid="-0.01"), tmp_path / "s.json")
    assert red_pixels(picture) > 100


def test_a_high_denial_rate_shows_in_red(tmp_path) -> None:
    kpis = {**a_summary()["kpis"], "denial_rate": "18.00"}
    assert red_pixels(write_summary(a_summary(kpis=kpis), tmp_path / "s.json")) > 100
