"""Start the platform's processes (five services, the dashboard projection, the partner simulator,
the local token issuer)
as separate OS processes, wait until each answers /health (and registration's EHR feed listeners,
when configured, accept connections), and stop them with SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from shared.settings import DEFAULT_HTTP_PORTS

MODULES = {
    "registration": "services.registration",
    "coding": "services.coding",
    "claims": "services.claims",
    "payments": "services.payments",
    "denials": "services.denials",
    "dashboard": "dashboard",
    "simulator": "simulator.partners",
    "identity": "identity",  # the local token issuer the services' APIs trust (RCM_AUTH_ISSUER)
}
# The feed gateway: registration's code running its EHR listeners and outbox relay but no consumers
# (RCM_REGISTRATION_CONSUMERS=false), as deploy/ runs it beside the consumers on Kubernetes. It is
# started only when asked for by name, with its own instance name (its relay must not share
# registration's lease owner).
FEED_GATEWAY = "registration-feeds"
HTTP_PORTS = {**DEFAULT_HTTP_PORTS, FEED_GATEWAY: 8108}
_MODULE_OF = {**MODULES, FEED_GATEWAY: MODULES["registration"]}
GATEWAY_ENVIRONMENT = {"RCM_REGISTRATION_CONSUMERS": "false", "RCM_INSTANCE": f"{FEED_GATEWAY}-0"}
# Deadlines on work in flight for a run on one machine (demo, tests, chaos): the simulated partners
# answer in milliseconds, so a hand-off still open after half a minute was lost, not slow. The
# defaults (minutes; hours for a clearinghouse, 30 days for a payer's 835) are for production.
RUN_DEADLINES = {
    "RCM_DEADLINE_SECONDS": json.dumps({
        "requested": 30, "registered": 30, "coded": 30, "submitted": 30, "accepted": 60, "claim_status": 30, "posted": 30,
        "denied": 30, "secondary_requested": 30, "denial_worked": 30, "resubmit_requested": 30}),
    "RCM_RECONCILE_INTERVAL_SECONDS": "2",
}
# The partners' faults the demo and chaos runs meet (simulator/faults.py): modest rates, healed by
# the platform (a duplicate or late 835 is posted once, a batch whose answers never came is sent
# again, a 270 left unanswered is asked again) or ending in a work queue (a rejected batch).
PARTNER_FAULTS = {
    "RCM_SIM_DUPLICATE_835_RATE": "0.03", "RCM_SIM_LATE_835_RATE": "0.03", "RCM_SIM_LATE_835_SECONDS": "15",
    "RCM_SIM_BATCH_REJECT_RATE": "0.02", "RCM_SIM_LOST_271_RATE": "0.02",
    "RCM_SIM_CLEARINGHOUSE_DOWN_SECONDS": "10", "RCM_SIM_CLEARINGHOUSE_DOWN_EVERY_SECONDS": "120",
    "RCM_SIM_INTEREST_RATE": "0.05",
}
# Registration's EHR feed listeners (before the port offset): HL7 v2 over MLLP (2575 is HL7's
# registered port) and the FHIR R4 endpoint.
FEED_PORTS = {"mllp": 2575, "fhir": 8180}
_FEED_PORT_SETTINGS = ("RCM_REGISTRATION_MLLP_PORT", "RCM_REGISTRATION_FHIR_PORT")


# A second (third ...) replica of a process is named "<process>@<n>": its own instance name
# (RCM_INSTANCE "<process>-<n>", so its consumers' static membership and its outbox leases are its
# own) and its own HTTP port, REPLICA_PORT_STEP further per replica.
REPLICA_PORT_STEP = 20


def replica(name: str, number: int) -> str:
    """The fleet name of replica `number` (1, 2 ...) of process `name`; replica 0 is `name` itself."""
    return f"{name}@{number}" if number else name


def _replica_of(name: str) -> tuple[str, int]:
    base, _, number = name.partition("@")
    return base, int(number or 0)


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Fleet:
    environment: dict[str, str]
    log_dir: Path
    port_offset: int = 0
    # Environment of one process only, on top of `environment` (e.g. registration's feed listeners).
    service_environment: dict[str, dict[str, str]] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def port(self, name: str) -> int:
        base, number = _replica_of(name)
        return HTTP_PORTS[base] + self.port_offset + REPLICA_PORT_STEP * number

    def issuer_url(self) -> str:
        """The local token issuer of this fleet (its port moves with the fleet's offset)."""
        return self.environment.get("RCM_AUTH_ISSUER") or f"http://127.0.0.1:{self.port('identity')}"

    def _ports(self, name: str) -> list[int]:
        """Every port process `name` listens on: its HTTP port and any feed listener configured for it."""
        configured = self.service_environment.get(_replica_of(name)[0], {})
        return [self.port(name), *(int(configured[key]) for key in _FEED_PORT_SETTINGS if configured.get(key))]

    def start(self, name: str, extra_environment: dict[str, str] | None = None) -> None:
        for port in self._ports(name):
            if _port_taken(port):
                raise RuntimeError(f"port {port} for {name} is taken: is another demo or service running?")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        base, number = _replica_of(name)
        env = {**os.environ, **self.environment, **self.service_environment.get(base, {}), **(extra_environment or {}),
               "RCM_HTTP_PORT": str(self.port(name))}
        env.setdefault("RCM_AUTH_ISSUER", self.issuer_url())  # every API trusts this fleet's own issuer
        if number:
            env["RCM_INSTANCE"] = f"{env.get('RCM_INSTANCE', base + '-0').rsplit('-', 1)[0]}-{number}"
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.processes[name] = subprocess.Popen([sys.executable, "-m", _MODULE_OF[base]], env=env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def start_all(self, names=tuple(MODULES), timeout: float = 60.0) -> None:
        for name in names:
            self.start(name)
        self.wait_healthy(names, timeout)

    def healthy(self, name: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port(name)}/health", timeout=1) as answer:
                if not 200 <= answer.status < 300:  # the ping answers 204
                    return False
        except OSError:
            return False
        return all(_port_taken(port) for port in self._ports(name)[1:])  # the feed listeners accept connections

    def wait_healthy(self, names, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(names)
        while waiting:
            for name in list(waiting):
                process = self.processes[name]
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_dir / (name + '.log')}")
                if self.healthy(name):
                    waiting.remove(name)
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after {timeout:.0f}s: {', '.join(waiting)}")
            time.sleep(0.2)

    def kill(self, name: str) -> None:
        """SIGKILL: the crash a fault test needs (no shutdown hooks run)."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def stop(self, name: str, timeout: float = 30.0) -> None:
        """SIGTERM one process and wait: it drains its outbox and leaves its group cleanly."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self, timeout: float = 30.0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
