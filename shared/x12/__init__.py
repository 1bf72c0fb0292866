"""X12 5010 codec: read 835, 837P/I, 999, 277CA, 270/271; write 837P, 837I, 270 (and 835 for
tests); validate against the implementation guides. Errors never carry PHI.

    document = read(data)                 # X12Document; raises X12Error if unreadable
    report = validate(document)           # ValidationReport(errors, warnings)
    for remittance in document.remittances(): ...
    text = write_837p(claims, partners=..., submitter=..., receiver=..., control_numbers=..., created=...)
    answer = write_999(read(text), partners=..., control_numbers=..., created=...)
    status = write_277ca(read(text), source=Party(...), verdicts={claim_id: ClaimVerdict(...)}, ...)

The names below are imported on first use (PEP 562), so `import shared.x12.limits` or a command
that never reads X12 does not pay for the models, readers and guides.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_WHERE = {
    "Benefit": "shared.x12.models.eligibility",
    "BillingProvider": "shared.x12.models.claim",
    "COMPACT": "shared.x12.separators",
    "CasAdjustment": "shared.x12.models.common",
    "Claim837": "shared.x12.models.claim",
    "ClaimBatch": "shared.x12.models.claim",
    "ClaimPayer": "shared.x12.models.claim",
    "ClaimPayment": "shared.x12.models.remittance",
    "ClaimProvider": "shared.x12.models.claim",
    "ClaimStatus": "shared.x12.models.claim_status",
    "ClaimStatusReport": "shared.x12.models.claim_status",
    "ClaimVerdict": "shared.x12.writers.acknowledgement",
    "ContractMismatch": "shared.x12.errors",
    "ControlNumbers": "shared.x12.control_numbers",
    "DEFAULT": "shared.x12.separators",
    "ElementError": "shared.x12.models.acknowledgement",
    "EligibilityInquiry": "shared.x12.models.eligibility",
    "EligibilityRequest": "shared.x12.models.eligibility",
    "EligibilityResponse": "shared.x12.models.eligibility",
    "EligibilityResult": "shared.x12.models.eligibility",
    "FunctionalAcknowledgement": "shared.x12.models.acknowledgement",
    "FunctionalGroup": "shared.x12.envelope",
    "InMemoryControlNumbers": "shared.x12.control_numbers",
    "Individual": "shared.x12.models.common",
    "InpatientAdjudication": "shared.x12.models.remittance",
    "InstitutionalClaim": "shared.x12.models.claim",
    "InstitutionalDetails": "shared.x12.models.claim",
    "Interchange": "shared.x12.envelope",
    "InvalidX12": "shared.x12.errors",
    "Issue": "shared.x12.errors",
    "LineAdjudication": "shared.x12.models.claim",
    "LineStatus": "shared.x12.models.claim_status",
    "MalformedInterchange": "shared.x12.errors",
    "MappingError": "shared.x12.errors",
    "NotX12": "shared.x12.errors",
    "OccurrenceCode": "shared.x12.models.claim",
    "OutpatientAdjudication": "shared.x12.models.remittance",
    "Party": "shared.x12.models.common",
    "PayerAdjudication": "shared.x12.models.claim",
    "Person": "shared.x12.models.claim",
    "PostalAddress": "shared.x12.models.common",
    "ProfessionalClaim": "shared.x12.models.claim",
    "ProviderLevelAdjustment": "shared.x12.models.remittance",
    "Receiver": "shared.x12.models.claim",
    "Remittance": "shared.x12.models.remittance",
    "RequestRejection": "shared.x12.models.eligibility",
    "SegmentError": "shared.x12.models.acknowledgement",
    "Separators": "shared.x12.separators",
    "ServiceLine": "shared.x12.models.claim",
    "ServicePayment": "shared.x12.models.remittance",
    "StatusCode": "shared.x12.models.claim_status",
    "StatusEntry": "shared.x12.models.claim_status",
    "Submitter": "shared.x12.models.claim",
    "Subscriber": "shared.x12.models.claim",
    "TooLarge": "shared.x12.errors",
    "TradingPartners": "shared.x12.writers.segments",
    "TransactionSet": "shared.x12.envelope",
    "TransactionSetAcknowledgement": "shared.x12.models.acknowledgement",
    "TruncatedInterchange": "shared.x12.errors",
    "UnencodableValue": "shared.x12.errors",
    "UnexpectedInput": "shared.x12.errors",
    "ValidationReport": "shared.x12.validation",
    "ValueCode": "shared.x12.models.claim",
    "X12Document": "shared.x12.document",
    "X12Error": "shared.x12.errors",
    "detect_separators": "shared.x12.separators",
    "read": "shared.x12.document",
    "rejected": "shared.x12.writers.acknowledgement",
    "validate": "shared.x12.validation",
    "write_270": "shared.x12.writers.eligibility",
    "write_277ca": "shared.x12.writers.acknowledgement",
    "write_835": "shared.x12.writers.remittance",
    "write_837i": "shared.x12.writers.institutional",
    "write_837p": "shared.x12.writers.professional",
    "write_999": "shared.x12.writers.acknowledgement",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'shared.x12' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from shared.x12.control_numbers import ControlNumbers, InMemoryControlNumbers
    from shared.x12.document import X12Document, read
    from shared.x12.envelope import FunctionalGroup, Interchange, TransactionSet
    from shared.x12.errors import (
        ContractMismatch,
        InvalidX12,
        Issue,
        MalformedInterchange,
        MappingError,
        NotX12,
        TooLarge,
        TruncatedInterchange,
        UnencodableValue,
        UnexpectedInput,
        X12Error,
    )
    from shared.x12.models.acknowledgement import (
        ElementError,
        FunctionalAcknowledgement,
        SegmentError,
        TransactionSetAcknowledgement,
    )
    from shared.x12.models.claim import (
        BillingProvider,
        Claim837,
        ClaimBatch,
        ClaimPayer,
        ClaimProvider,
        InstitutionalClaim,
        InstitutionalDetails,
        LineAdjudication,
        OccurrenceCode,
        PayerAdjudication,
        Person,
        ProfessionalClaim,
        Receiver,
        ServiceLine,
        Submitter,
        Subscriber,
        ValueCode,
    )
    from shared.x12.models.claim_status import (
        ClaimStatus,
        ClaimStatusReport,
        LineStatus,
        StatusCode,
        StatusEntry,
    )
    from shared.x12.models.common import CasAdjustment, Individual, Party, PostalAddress
    from shared.x12.models.eligibility import (
        Benefit,
        EligibilityInquiry,
        EligibilityRequest,
        EligibilityResponse,
        EligibilityResult,
        RequestRejection,
    )
    from shared.x12.models.remittance import (
        ClaimPayment,
        InpatientAdjudication,
        OutpatientAdjudication,
        ProviderLevelAdjustment,
        Remittance,
        ServicePayment,
    )
    from shared.x12.separators import COMPACT, DEFAULT, Separators, detect_separators
    from shared.x12.validation import ValidationReport, validate
    from shared.x12.writers.acknowledgement import ClaimVerdict, rejected, write_277ca, write_999
    from shared.x12.writers.eligibility import write_270
    from shared.x12.writers.institutional import write_837i
    from shared.x12.writers.professional import write_837p
    from shared.x12.writers.remittance import write_835
    from shared.x12.writers.segments import TradingPartners
