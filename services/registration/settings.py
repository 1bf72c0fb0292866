"""Registration settings: the shared RCM_* settings plus the EHR feed listeners."""

from pydantic import Field, SecretStr

from services.registration.facilities import Facility
from shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    # RCM_REGISTRATION_MLLP_PORT: the HL7 v2 MLLP listener (off when unset; 0 picks a free port).
    registration_mllp_host: str = "127.0.0.1"
    registration_mllp_port: int | None = Field(default=None, ge=0, le=65535)
    registration_mllp_max_frame_bytes: int = Field(default=1 << 20, ge=1024)
    # RCM_REGISTRATION_FEED_FACILITIES: JSON {"<MSH-4>[/<MSH-6>]": {"tenant_id": ..., "billing": {...}}}
    registration_feed_facilities: dict[str, Facility] = Field(default_factory=dict)
    # RCM_REGISTRATION_FHIR_PORT: the FHIR R4 endpoint (off when unset).
    registration_fhir_host: str = "127.0.0.1"
    registration_fhir_port: int | None = Field(default=None, ge=1, le=65535)
    # RCM_REGISTRATION_FHIR_CLIENTS: JSON {"<facility key>": "<bearer token>"}
    registration_fhir_clients: dict[str, SecretStr] = Field(default_factory=dict)
    # RCM_REGISTRATION_CONSUMERS=false: a feed gateway process. It runs the MLLP and FHIR listeners and
    # the outbox relay but no Kafka consumers, so the listeners can be scaled on connections apart
    # from the consumers, which are scaled on lag.
    registration_consumers: bool = True
    # RCM_REGISTRATION_VERIFY_ELIGIBILITY: ask the payer (270/271) before an encounter goes to coding.
    registration_verify_eligibility: bool = False
    registration_eligibility_timeout_seconds: float = Field(default=30.0, gt=0)  # first wait; doubles per attempt
    registration_eligibility_max_attempts: int = Field(default=4, ge=1)
    registration_eligibility_poll_seconds: float = Field(default=1.0, gt=0)
