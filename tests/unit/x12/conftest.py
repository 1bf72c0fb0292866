"""Shared helpers for the X12 codec tests: fixture files and a standard envelope for writers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from shared.x12 import InMemoryControlNumbers
from shared.x12.samples import (
    CREATED,
    sample_partners,
    sample_receiver,
    sample_submitter,
)

FIXTURES = Path(__file__).parent / "fixtures"

# Hypothesis caches character tables under ./.hypothesis; keep them out of the work tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rcm-x12-hypothesis")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.fixture
def fixture():
    """fixture(name) -> the text of tests/unit/x12/fixtures/<name>."""
    return fixture_text


@pytest.fixture
def envelope() -> dict:
    """Keyword arguments every 837 writer call needs, with fresh control numbers."""
    return {
        "partners": sample_partners(),
        "submitter": sample_submitter(),
        "receiver": sample_receiver(),
        "control_numbers": InMemoryControlNumbers(),
        "created": CREATED,
    }
