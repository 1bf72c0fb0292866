"""Settings shared by every service, read from the environment (prefix RCM_) and nowhere else.

Defaults point at the local stack on loopback. Production sets RCM_KAFKA_BOOTSTRAP (Strimzi),
RCM_KAFKA_SECURITY_PROTOCOL / RCM_KAFKA_SASL_* and RCM_MONGO_URI (a replica set), and mounts
RCM_PHI_KEY from a Kubernetes Secret.
"""

from __future__ import annotations

import base64

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A development-only key, so the demo and tests run with no setup. Production must set RCM_PHI_KEY;
# services refuse to start with this key when RCM_ENVIRONMENT=production.
DEV_PHI_KEY = base64.b64encode(b"rcm-development-only-phi-key-32b").decode()


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RCM_", extra="ignore")

    environment: str = "development"
    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_idle_fetch_backoff_ms: int = Field(default=50, ge=0)  # see shared/kafka_idle.py
    kafka_security_protocol: str = "PLAINTEXT"  # SASL_SSL on Strimzi with SCRAM users
    kafka_sasl_mechanism: str | None = None  # SCRAM-SHA-512
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    mongo_uri: str = "mongodb://127.0.0.1:27117/?replicaSet=rs0"
    database_prefix: str = "rcm_"  # each service owns database <prefix><service>
    topic_prefix: str = ""  # e.g. "staging." when environments share one Kafka cluster; tests isolate with it
    instance: str | None = None  # stable per replica (pod name); default "<service>-0"
    http_host: str = "127.0.0.1"
    http_port: int | None = None  # /metrics and /health; default per service
    log_level: str = "INFO"
    phi_key: SecretStr = SecretStr(DEV_PHI_KEY)  # base64 of 32 bytes (AES-256-GCM)
    batch_max_records: int = Field(default=500, ge=1, le=5000)
    batch_timeout_ms: int = Field(default=50, ge=1)
    max_handling_attempts: int = Field(default=5, ge=1)
    topic_partitions: int | None = None  # override every topic's partition count (tests use 1-3)
    # RCM_REPLAY_FROM_BEGINNING=true: on start, read every input topic again from offset 0. The inbox
    # makes it a no-op for state; use it to prove that, or to rebuild a read model from the topics.
    replay_from_beginning: bool = False
    # /health answers 503 once the outbox relay has made no progress (published, or found nothing to
    # publish) for this long: a producer or MongoDB failing on every pass, or a publish that hangs.
    outbox_stall_seconds: float = Field(default=30.0, gt=0)

    @field_validator("phi_key")
    @classmethod
    def _thirty_two_bytes(cls, key: SecretStr) -> SecretStr:
        if len(base64.b64decode(key.get_secret_value())) != 32:
            raise ValueError("RCM_PHI_KEY must be base64 of 32 bytes")
        return key

    def instance_name(self, service: str) -> str:
        return self.instance or f"{service}-0"

    def topic_name(self, name: str) -> str:
        """The physical Kafka topic of a declared topic name."""
        return f"{self.topic_prefix}{name}"

    def database(self, service: str) -> str:
        return f"{self.database_prefix}{service}"

    def assert_production_ready(self) -> None:
        """Refuse the development PHI key outside development."""
        if self.environment == "production" and self.phi_key.get_secret_value() == DEV_PHI_KEY:
            raise RuntimeError("RCM_PHI_KEY must be set in production")


DEFAULT_HTTP_PORTS = {
    "registration": 8101,
    "coding": 8102,
    "claims": 8103,
    "payments": 8104,
    "denials": 8105,
    "dashboard": 8106,
    "simulator": 8107,
}
