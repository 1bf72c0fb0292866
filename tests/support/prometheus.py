"""A real Prometheus (Debian's package) on 127.0.0.1 for tests: scrape config, start, query, stop."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


def prometheus_binary(name: str = "prometheus") -> str:
    """The `prometheus` (or `promtool`) binary of Debian's package, installed with apt-get when
    missing (as CI's root can). Skips with the reason only when it can be neither found nor installed."""
    found = shutil.which(name)
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], env=environment, capture_output=True, check=False)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "prometheus"], env=environment,
                       capture_output=True, check=False)
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("needs Prometheus: `apt-get install prometheus` (Debian) failed or is not allowed here")


def write_config(path: Path, targets: dict[str, int], rule_files: list[Path]) -> Path:
    """A scrape config for `targets` (service name -> /metrics port on loopback), every 1 s; each
    target carries a `service` label, as the Kubernetes scrape config does."""
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [{
            "job_name": "rcm",
            "static_configs": [{"targets": [f"127.0.0.1:{port}"], "labels": {"service": name}}
                               for name, port in sorted(targets.items())],
        }],
    }
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


class Prometheus:
    def __init__(self, binary: str, config: Path, data_dir: Path, port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self._command = [binary, f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
                         f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h"]
        self._log = log
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> None:
        log = open(self._log, "ab")  # noqa: SIM115 - owned by the child
        self._process = subprocess.Popen(self._command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self._process.returncode}; see {self._log}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prometheus not ready after {timeout:.0f}s; see {self._log}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def api(self, path: str, **params: str) -> dict:
        """GET /api/v1/<path>; the decoded answer, errors included (Prometheus answers 400/422 with JSON)."""
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as refused:
            return json.load(refused)

    def query(self, expr: str) -> dict:
        return self.api("query", query=expr)
