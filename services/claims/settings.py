"""Claims settings: the shared RCM_* settings plus the clearinghouse batch size."""

from pydantic import Field

from shared.settings import ServiceSettings


class ClaimsSettings(ServiceSettings):
    claims_per_batch: int = Field(default=200, ge=1, le=5000)  # RCM_CLAIMS_PER_BATCH: claims per 837 sent
