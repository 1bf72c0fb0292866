"""Ports the tests listen on, shifted by RCM_TEST_PORT_SHIFT so that two checkouts can run their
suites side by side on one machine (each with its own RCM_STACK_* ports too)."""

from __future__ import annotations

import os

SHIFT = int(os.environ.get("RCM_TEST_PORT_SHIFT", "0"))


def shifted(port: int) -> int:
    return port + SHIFT
