"""Session fixtures: the real local stack (started here, stopped at the end) and per-test
namespaces (topic prefix + database prefix) so tests never see each other's messages."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest

from cli.stack import Stack, StackSettings
from shared.settings import ServiceSettings
from tests.support.identity import auth_settings
from tests.support.kafka import KafkaProbe

# `make test` sets these; plain `pytest` gets the same test ports, away from a demo stack.
os.environ.setdefault("RCM_STACK_DIR", ".rcm/test-stack")
os.environ.setdefault("RCM_STACK_MONGO_PORT", "27217")
os.environ.setdefault("RCM_STACK_KAFKA_PORT", "19192")


@pytest.fixture(scope="session")
def stack():
    """The test stack, from an empty data dir: every test adds ~20 namespaced topics, and a broker
    holding thousands makes every client's metadata fetch slow. RCM_TEST_KEEP_STACK=1 keeps and
    reuses it (for quick local reruns)."""
    stack = Stack(StackSettings())
    if not os.environ.get("RCM_TEST_KEEP_STACK"):
        stack.down()
        shutil.rmtree(stack.settings.dir, ignore_errors=True)
    stack.up()
    yield stack
    if not os.environ.get("RCM_TEST_KEEP_STACK"):
        stack.down()


@pytest.fixture
def namespace() -> str:
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def trusted_issuer(tmp_path_factory) -> dict[str, str]:
    """RCM_AUTH_* settings trusting the test issuer of tests/support/identity.py (tokens from
    issue_token / auth_headers)."""
    return auth_settings(tmp_path_factory.mktemp("identity"))


@pytest.fixture
def settings(stack, namespace, trusted_issuer) -> ServiceSettings:
    """Settings pointing at the test stack, isolated by a fresh topic and database prefix; service
    APIs trust the test issuer."""
    return ServiceSettings(
        **trusted_issuer,
        kafka_bootstrap=stack.kafka_bootstrap,
        mongo_uri=stack.mongo_uri,
        topic_prefix=f"{namespace}.",
        database_prefix=f"{namespace}_",
        topic_partitions=2,
        batch_timeout_ms=20,
        max_handling_attempts=2,
    )


@pytest.fixture
async def kafka(settings):
    probe = KafkaProbe(settings)
    await probe.start()
    yield probe
    await probe.stop()
