"""X12 5010 codec: read 835, 837P/I, 999, 277CA, 270/271; write 837P, 837I, 270 (and 835 for
tests); validate against the implementation guides. Errors never carry PHI.

    document = read(data)                 # X12Document; raises X12Error if unreadable
    report = validate(document)           # ValidationReport(errors, warnings)
    for remittance in document.remittances(): ...
    text = write_837p(claims, partners=..., submitter=..., receiver=..., control_numbers=..., created=...)
    answer = write_999(read(text), partners=..., control_numbers=..., created=...)
    status = write_277ca(read(text), source=Party(...), verdicts={claim_id: ClaimVerdict(...)}, ...)
"""

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
    TruncatedInterchange,
    UnencodableValue,
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

__all__ = [
    "COMPACT",
    "DEFAULT",
    "Benefit",
    "BillingProvider",
    "CasAdjustment",
    "Claim837",
    "ClaimBatch",
    "ClaimPayer",
    "ClaimPayment",
    "ClaimProvider",
    "ClaimStatus",
    "ClaimStatusReport",
    "ClaimVerdict",
    "ContractMismatch",
    "ControlNumbers",
    "ElementError",
    "EligibilityInquiry",
    "EligibilityRequest",
    "EligibilityResponse",
    "EligibilityResult",
    "FunctionalAcknowledgement",
    "FunctionalGroup",
    "InMemoryControlNumbers",
    "Individual",
    "InpatientAdjudication",
    "InstitutionalClaim",
    "InstitutionalDetails",
    "Interchange",
    "InvalidX12",
    "Issue",
    "LineAdjudication",
    "LineStatus",
    "MalformedInterchange",
    "MappingError",
    "NotX12",
    "OccurrenceCode",
    "OutpatientAdjudication",
    "Party",
    "PayerAdjudication",
    "Person",
    "PostalAddress",
    "ProfessionalClaim",
    "ProviderLevelAdjustment",
    "Receiver",
    "Remittance",
    "RequestRejection",
    "SegmentError",
    "Separators",
    "ServiceLine",
    "ServicePayment",
    "StatusCode",
    "StatusEntry",
    "Submitter",
    "Subscriber",
    "TradingPartners",
    "TransactionSet",
    "TransactionSetAcknowledgement",
    "TruncatedInterchange",
    "UnencodableValue",
    "ValidationReport",
    "ValueCode",
    "X12Document",
    "X12Error",
    "detect_separators",
    "read",
    "rejected",
    "validate",
    "write_270",
    "write_277ca",
    "write_835",
    "write_837i",
    "write_837p",
    "write_999",
]
