"""Registration settings: the shared RCM_* settings plus the EHR feed listeners."""

from pydantic import Field, SecretStr

from services.registration.facilities import Facility
from services.registration.hl7.framing import MllpLimits
from shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    # RCM_REGISTRATION_MLLP_PORT: the HL7 v2 MLLP listener (off when unset; 0 picks a free port).
    registration_mllp_host: str = "127.0.0.1"
    registration_mllp_port: int | None = Field(default=None, ge=0, le=65535)
    # Mutual TLS: the listener's certificate and key, and the CA that signs the senders' client
    # certificates. RCM_REGISTRATION_MLLP_SENDERS: JSON {"<client certificate CN>": ["<facility key>", ...]}.
    registration_mllp_cert_file: str | None = None
    registration_mllp_key_file: str | None = None
    registration_mllp_ca_file: str | None = None
    registration_mllp_senders: dict[str, list[str]] = Field(default_factory=dict)
    # RCM_REGISTRATION_MLLP_PLAINTEXT=true: no TLS and no sender authentication (MSH-4 is believed).
    # Development only: refused when RCM_ENVIRONMENT=production.
    registration_mllp_plaintext: bool = False
    # Limits (services/registration/README.md): frame size, connections, idle / read / whole-message time.
    registration_mllp_max_frame_bytes: int = Field(default=1 << 20, ge=1024, le=16 << 20)
    registration_mllp_max_connections: int = Field(default=64, ge=1)
    registration_mllp_idle_seconds: float = Field(default=300.0, gt=0)
    registration_mllp_read_seconds: float = Field(default=15.0, gt=0)
    registration_mllp_message_seconds: float = Field(default=60.0, gt=0)
    # RCM_REGISTRATION_FEED_FACILITIES: JSON {"<MSH-4>[/<MSH-6>]": {"tenant_id": ..., "billing": {...}}}
    registration_feed_facilities: dict[str, Facility] = Field(default_factory=dict)
    # RCM_REGISTRATION_FHIR_PORT: the FHIR R4 endpoint (off when unset).
    registration_fhir_host: str = "127.0.0.1"
    registration_fhir_port: int | None = Field(default=None, ge=1, le=65535)
    # RCM_REGISTRATION_FHIR_CLIENTS: JSON {"<facility key>": "<bearer token>"}
    registration_fhir_clients: dict[str, SecretStr] = Field(default_factory=dict)
    # Limits: body size (413 above), JSON nesting depth (400), connections (503 above), time to send
    # a request's headers and body (408), idle keep-alive.
    registration_fhir_max_body_bytes: int = Field(default=1 << 20, ge=1024, le=16 << 20)
    registration_fhir_max_json_depth: int = Field(default=64, ge=8, le=512)
    registration_fhir_max_bundle_entries: int = Field(default=500, ge=1, le=10_000)
    registration_fhir_max_connections: int = Field(default=64, ge=1)
    registration_fhir_read_seconds: float = Field(default=15.0, gt=0)
    # RCM_REGISTRATION_CONSUMERS=false: a feed gateway process. It runs the MLLP and FHIR listeners and
    # the outbox relay but no Kafka consumers, so the listeners can be scaled on connections apart
    # from the consumers, which are scaled on lag.
    registration_consumers: bool = True
    # RCM_REGISTRATION_VERIFY_ELIGIBILITY: ask the payer (270/271) before an encounter goes to coding.
    registration_verify_eligibility: bool = False
    registration_eligibility_timeout_seconds: float = Field(default=30.0, gt=0)  # first wait; doubles per attempt
    registration_eligibility_max_attempts: int = Field(default=4, ge=1)
    registration_eligibility_poll_seconds: float = Field(default=1.0, gt=0)

    def mllp_limits(self) -> MllpLimits:
        return MllpLimits(max_frame_bytes=self.registration_mllp_max_frame_bytes,
                          max_connections=self.registration_mllp_max_connections,
                          idle_seconds=self.registration_mllp_idle_seconds,
                          read_seconds=self.registration_mllp_read_seconds,
                          message_seconds=self.registration_mllp_message_seconds,
                          handshake_seconds=self.registration_mllp_read_seconds)

    def assert_production_ready(self) -> None:
        super().assert_production_ready()
        if self.environment == "production" and self.registration_mllp_plaintext:
            raise RuntimeError("RCM_REGISTRATION_MLLP_PLAINTEXT is for development only")
