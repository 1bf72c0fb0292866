"""A 277CA claim acknowledgment: which claims of a batch the payer (or clearinghouse) accepted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from typing import TYPE_CHECKING

from shared.x12.errors import ContractMismatch
from shared.x12.models.base import model
from shared.x12.models.common import Party

# Claim status category codes that mean the claim did not enter adjudication.
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8", "E0", "E1", "E2", "E3", "E4"})

if TYPE_CHECKING:  # the contract (pydantic) is imported by to_event only: reading does not need it
    from shared.events import ClaimAcknowledgement, ClearinghouseAcknowledged


@model
class StatusCode:
    """One STC composite: category (A1, A2, A3, A7, ...), status (code list 508) and entity."""

    category: str
    status: str
    entity: str | None = None

    @property
    def code(self) -> str:
        """Category and status joined as the platform's status codes, e.g. "A7_562"."""
        return f"{self.category}_{self.status}"


@model
class StatusEntry:
    """One STC segment: up to three composites with the date, action code and amount."""

    codes: tuple[StatusCode, ...]
    effective_date: date | None = None  # STC02
    action_code: str | None = None  # STC03: WQ accepted, U rejected
    amount: Decimal | None = None  # STC04: total claim charge

    @property
    def rejects(self) -> bool:
        return self.action_code == "U" or any(code.category in REJECTED_CATEGORIES for code in self.codes)


@model
class LineStatus:
    """2220D: the status of one service line."""

    procedure_code: str
    charge: Decimal
    statuses: tuple[StatusEntry, ...]
    modifiers: tuple[str, ...] = ()
    line_item_control_number: str | None = None  # REF*FJ
    service_date: date | None = None


@model
class ClaimStatus:
    """2200D: one claim's acknowledgment."""

    patient_control_number: str  # TRN02: our CLM01
    statuses: tuple[StatusEntry, ...]
    billing_provider_id: str | None = None  # 2100C NM109
    payer_claim_number: str | None = None  # REF*1K
    clearinghouse_trace: str | None = None  # REF*D9
    type_of_bill: str | None = None  # REF*BLT
    service_from: date | None = None
    service_to: date | None = None
    lines: tuple[LineStatus, ...] = ()

    @property
    def accepted(self) -> bool:
        return bool(self.statuses) and not any(entry.rejects for entry in self.statuses)

    @property
    def status_codes(self) -> tuple[str, ...]:
        return tuple(code.code for entry in self.statuses for code in entry.codes)

    def to_event(self) -> ClaimAcknowledgement:
        """Return the platform's ClaimAcknowledgement; raise ContractMismatch if the claim id or a
        status code does not fit the contract."""
        from pydantic import ValidationError

        from shared.events import ClaimAcknowledgement

        try:
            return ClaimAcknowledgement(
                claim_id=self.patient_control_number,
                accepted=self.accepted,
                status_codes=self.status_codes,
                payer_claim_number=self.payer_claim_number,
            )
        except ValidationError as refused:
            fields = sorted({".".join(str(part) for part in error["loc"]) for error in refused.errors()})
            raise ContractMismatch(
                f"a 277CA claim status does not fit ClaimAcknowledgement: {', '.join(fields)}"
            ) from None


@model
class ClaimStatusReport:
    """One 277CA transaction set."""

    control_number: str  # ST02
    reference: str  # BHT03
    created: date  # BHT04
    information_source: Party  # 2100A: the payer or clearinghouse
    receiver: Party  # 2100B: us, the submitter
    receipt_date: date | None = None  # 2200A DTP*050
    process_date: date | None = None  # 2200A DTP*009
    batch_statuses: tuple[StatusEntry, ...] = ()  # 2200B
    accepted_quantity: Decimal | None = None  # 2200B QTY*90
    rejected_quantity: Decimal | None = None  # 2200B QTY*AA
    accepted_amount: Decimal | None = None  # AMT*YU
    rejected_amount: Decimal | None = None  # AMT*YY
    claims: tuple[ClaimStatus, ...] = ()
    batch_reference: str | None = None  # 2200B TRN02: the BHT03 of the 837 this report answers

    def to_events(self) -> tuple[ClaimAcknowledgement, ...]:
        return tuple(claim.to_event() for claim in self.claims)

    def to_batch_event(self) -> ClearinghouseAcknowledged:
        """Return the ClearinghouseAcknowledged for the batch this report answers; the claims
        service writes its batch id as the 837's BHT03 (`write_837p(reference=batch_id)`), which
        the 277CA echoes in 2200B TRN02. Raises ContractMismatch if that is not a batch id or the
        report holds no claims."""
        from pydantic import ValidationError

        from shared.events import ClearinghouseAcknowledged

        acknowledgements = self.to_events()
        try:
            return ClearinghouseAcknowledged(batch_id=self.batch_reference, acknowledgements=acknowledgements)
        except ValidationError as refused:
            fields = sorted({str(error["loc"][0]) for error in refused.errors() if error["loc"]})
            raise ContractMismatch(
                f"a 277CA does not fit ClearinghouseAcknowledged: {', '.join(fields) or 'batch'}"
            ) from None
