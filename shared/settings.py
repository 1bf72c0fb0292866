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
# The project's own token issuer (identity/), for development and the demo; production names its own.
DEV_ISSUER = "http://127.0.0.1:8109"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RCM_", extra="ignore")

    environment: str = "development"
    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_idle_fetch_backoff_ms: int = Field(default=50, ge=0)  # see shared/kafka_idle.py
    # The back-off doubles up to this while a consumer stays idle: a process has a consumer per
    # subscriber and most are idle at any moment (measured in docs/performance.md).
    kafka_idle_fetch_backoff_max_ms: int = Field(default=400, ge=0)
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
    phi_key: SecretStr = SecretStr(DEV_PHI_KEY)  # base64 of 32 bytes (AES-256-GCM): the writing key
    phi_key_id: str = Field(default="k1", min_length=1, max_length=63)  # named in every value it seals
    # RCM_PHI_OLD_KEYS: JSON {"<key id>": "<base64>"}: earlier keys, kept for reading during a rotation
    phi_old_keys: dict[str, SecretStr] = Field(default_factory=dict)
    batch_max_records: int = Field(default=500, ge=1, le=5000)
    batch_timeout_ms: int = Field(default=50, ge=1)
    max_handling_attempts: int = Field(default=5, ge=1)
    topic_partitions: int | None = None  # override every topic's partition count (tests use 1-3)
    # RCM_REPLAY_FROM_BEGINNING=true: on start, read every input topic again from offset 0. The inbox
    # makes it a no-op for state; use it to prove that, or to rebuild a read model from the topics.
    replay_from_beginning: bool = False
    # Who signs the bearer tokens of every service API (shared/auth.py). Production: the billing
    # company's OIDC provider (its issuer URL, the audience it gives this platform, its JWKS URL).
    # Default: the project's own issuer (identity/, `rcm identity`), whose JWKS is published at
    # <issuer>/.well-known/jwks.json.
    auth_issuer: str = DEV_ISSUER
    auth_audience: str = "rcm"
    auth_jwks_url: str | None = None  # default <issuer>/.well-known/jwks.json (unless a file is given)
    auth_jwks_file: str | None = None  # a JWK set on disk instead of a URL (tests, air-gapped sites)
    auth_roles_claim: str = "roles"  # dotted path, e.g. "realm_access.roles"
    auth_tenants_claim: str = "tenants"
    # RCM_X12_MAX_BYTES: the largest X12 file a consumer reads (835, 999/277CA, 271); a larger one is
    # dead-lettered as X12_TOO_LARGE before any work (shared/x12/limits.py)
    x12_max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # RCM_PROFILE=cprofile: run under cProfile and write <profile_dir>/<instance>.prof on a clean stop
    # (see shared/profiling.py and docs/performance.md).
    profile: str | None = None
    profile_dir: str = ".rcm/profiles"
    # Deadlines on work in flight (shared/deadlines.py, docs/architecture.md): the pass interval,
    # hand-offs per pass, attempts before a work item, and per-stage deadlines in seconds
    # (RCM_DEADLINE_SECONDS='{"registered": 30}') over each stage's default.
    reconcile_enabled: bool = True
    reconcile_interval_seconds: float = Field(default=5.0, gt=0)
    reconcile_batch: int = Field(default=500, ge=1)
    reconcile_max_attempts: int = Field(default=3, ge=1)
    deadline_seconds: dict[str, float] = Field(default_factory=dict)
    # /health answers 503 once the outbox relay has made no progress (published, or found nothing to
    # publish) for this long: a producer or MongoDB failing on every pass, or a publish that hangs.
    outbox_stall_seconds: float = Field(default=30.0, gt=0)

    @field_validator("phi_key")
    @classmethod
    def _thirty_two_bytes(cls, key: SecretStr) -> SecretStr:
        if len(base64.b64decode(key.get_secret_value())) != 32:
            raise ValueError("RCM_PHI_KEY must be base64 of 32 bytes")
        return key

    @field_validator("phi_old_keys")
    @classmethod
    def _old_keys_thirty_two_bytes(cls, keys: dict[str, SecretStr]) -> dict[str, SecretStr]:
        if any(len(base64.b64decode(k.get_secret_value())) != 32 for k in keys.values()):
            raise ValueError("every RCM_PHI_OLD_KEYS key must be base64 of 32 bytes")
        return keys

    def instance_name(self, service: str) -> str:
        return self.instance or f"{service}-0"

    def topic_name(self, name: str) -> str:
        """The physical Kafka topic of a declared topic name."""
        return f"{self.topic_prefix}{name}"

    def database(self, service: str) -> str:
        return f"{self.database_prefix}{service}"

    def assert_production_ready(self) -> None:
        """Refuse the development PHI key and token issuer outside development."""
        if self.environment == "production" and self.phi_key.get_secret_value() == DEV_PHI_KEY:
            raise RuntimeError("RCM_PHI_KEY must be set in production")
        if self.environment == "production" and self.auth_issuer == DEV_ISSUER:
            raise RuntimeError("RCM_AUTH_ISSUER (and RCM_AUTH_JWKS_URL) must name the identity provider in production")

    def token_verifier(self):
        """The verifier of this deployment's bearer tokens (shared/auth.py)."""
        from shared.auth import TokenVerifier

        source = ({"jwks_file": self.auth_jwks_file} if self.auth_jwks_file else
                  {"jwks_url": self.auth_jwks_url or f"{self.auth_issuer.rstrip('/')}/.well-known/jwks.json"})
        return TokenVerifier(issuer=self.auth_issuer, audience=self.auth_audience, roles_claim=self.auth_roles_claim,
                             tenants_claim=self.auth_tenants_claim, **source)


DEFAULT_HTTP_PORTS = {
    "registration": 8101,
    "coding": 8102,
    "claims": 8103,
    "payments": 8104,
    "denials": 8105,
    "dashboard": 8106,
    "simulator": 8107,
    "identity": 8109,  # the local token issuer (8108 is registration's feed gateway)
}
