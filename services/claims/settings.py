"""Claims settings: the shared RCM_* settings plus the clearinghouse batch size and our X12 identity."""

from pydantic import Field

from shared.settings import ServiceSettings


class ClaimsSettings(ServiceSettings):
    claims_per_batch: int = Field(default=200, ge=1, le=5000)  # RCM_CLAIMS_PER_BATCH: claims per 837 sent

    # Who we are in the 837P (ISA06/GS02 and loop 1000A) and who receives it (ISA08, loop 1000B).
    claims_x12_sender_id: str = Field(default="RCMPLATFORM", pattern=r"^[A-Z0-9]{2,15}$")
    claims_x12_receiver_id: str = Field(default="SIMCLEARING", pattern=r"^[A-Z0-9]{2,15}$")
    claims_x12_submitter_name: str = "RCM PLATFORM BILLING"
    claims_x12_contact_name: str = "EDI DESK"
    claims_x12_contact_phone: str = Field(default="8005550100", pattern=r"^\d{10}$")
    claims_x12_receiver_name: str = "SIMULATED CLEARINGHOUSE"
