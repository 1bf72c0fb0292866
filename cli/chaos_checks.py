"""What `rcm chaos` checks after a run, read from the services' own databases and topics, and how it
watches each process come back: its /metrics and /health over loopback."""

from __future__ import annotations

import http.client
import re
import time
import urllib.request
from collections import Counter

from cli.dead_letters import read_dead_letters
from cli.cycle import Cycle
from shared.settings import ServiceSettings
from shared.topics import SERVICES

# Every consumer parks what it cannot use on its own dead-letter topic, the read model and partners too.
DEAD_LETTER_SERVICES = (*SERVICES, "dashboard", "simulator")

SUBSCRIPTIONS = re.compile(r"^rcm_consumer_subscriptions\{[^}]*\}\s+([0-9.e+]+)$", re.MULTILINE)
ASSIGNED = re.compile(r"^rcm_consumer_assigned_partitions\{[^}]*\}\s+([0-9.e+]+)$", re.MULTILINE)
CONSUMED = re.compile(r"^rcm_events_consumed_total\{[^}]*\}\s+([0-9.e+]+)$", re.MULTILINE)
# Whatever a process counts as work it re-emitted or asked again for after a deadline passed.
RECONCILED = re.compile(r"^(rcm_[a-z_]*reconcil[a-z_]*_total)\{[^}]*\}\s+([0-9.e+]+)$", re.MULTILINE)


async def duplicate_claims(cycle: Cycle) -> int:
    """Claims beyond one per encounter and payer (a COB claim goes to another payer)."""
    claims = await cycle.database("claims")["claims"].find({}, {"encounter_id": 1, "payer_id": 1}).to_list()
    per_pair = Counter((c.get("encounter_id"), c.get("payer_id")) for c in claims)
    return sum(n - 1 for n in per_pair.values() if n > 1)


async def duplicate_postings(cycle: Cycle) -> int:
    """Postings beyond one per claim, remittance, amount and reversal: one remittance line posted twice."""
    postings = await cycle.database("payments")["postings"].find(
        {}, {"claim_id": 1, "remittance_id": 1, "reverses": 1, "paid": 1, "outcome": 1}).to_list()
    per_line = Counter((p.get("claim_id"), p.get("remittance_id"), p.get("reverses"), str(p.get("paid")),
                        p.get("outcome")) for p in postings)
    return sum(n - 1 for n in per_line.values() if n > 1)


async def dead_letters(settings: ServiceSettings) -> dict[str, dict[str, int]]:
    """Dead letters per service, by reason code (codes only: no PHI)."""
    found: dict[str, dict[str, int]] = {}
    for service in DEAD_LETTER_SERVICES:
        letters = await read_dead_letters(settings, service)
        if letters:
            found[service] = dict(sorted(Counter(letter.reason_code for letter in letters).items()))
    return found


def scrape(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
            return answer.read().decode()
    except (OSError, http.client.HTTPException):  # refused, or the process died mid-answer
        return None


def consumed(port: int) -> float | None:
    """Events the process consumed since it started (None if it does not answer)."""
    text = scrape(port)
    return None if text is None else sum(float(value) for value in CONSUMED.findall(text))


def joined(port: int) -> bool:
    """Every subscriber of the process holds partitions: it is consuming (or ready to)."""
    text = scrape(port) or ""
    subscriptions = sum(float(value) for value in SUBSCRIPTIONS.findall(text))
    holding = sum(1 for value in ASSIGNED.findall(text) if float(value) > 0)
    return subscriptions > 0 and holding >= subscriptions


def reconciled(ports: dict[str, int]) -> tuple[int, list[str]]:
    """Events re-emitted or asked again for by the processes' reconcilers, and the metrics read."""
    total, names = 0, set()
    for port in ports.values():
        for name, value in RECONCILED.findall(scrape(port) or ""):
            total += int(float(value))
            names.add(name)
    return total, sorted(names)


def wait_consuming(port: int, *, since: float, baseline: float | None = None, timeout: float = 60.0,
                   ready=None) -> float | None:
    """Seconds from `since` (time.monotonic) until the process is consuming again; None if not
    within `timeout`. A restarted process: until `ready()` (every subscriber of a consumer holds
    partitions again; the feed gateway's listeners accept). After a broker or mongod restart, the
    process kept its assignment, so: until it consumed more than `baseline` events (traffic
    permitting)."""
    deadline = since + timeout
    while time.monotonic() < deadline:
        if baseline is not None:
            count = consumed(port)
            if count is not None and count > baseline:
                return round(time.monotonic() - since, 2)
        elif ready is not None and ready():
            return round(time.monotonic() - since, 2)
        time.sleep(0.1)
    return None
