"""837P (005010X222A1): professional claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.x12.control_numbers import ControlNumbers
from shared.x12.errors import UnencodableValue
from shared.x12.models.claim import (
    Claim837,
    LineAdjudication,
    ProfessionalClaim,
    Receiver,
    Submitter,
)
from shared.x12.separators import DEFAULT, Separators
from shared.x12.values import format_amount, format_date
from shared.x12.writers.claim import (
    CLAIMS_PER_TRANSACTION_SET,
    ClaimSetWriter,
    write_claims,
)
from shared.x12.writers.segments import TradingPartners

PROFESSIONAL_VERSION = "005010X222A1"
MAX_DIAGNOSES = 12
MAX_LINES = 50


class ProfessionalSetWriter(ClaimSetWriter):
    version = PROFESSIONAL_VERSION

    def claim_header(self, claim: Claim837) -> None:
        if claim.place_of_service is None:
            raise UnencodableValue(f"claim {claim.claim_id}: an 837P claim needs a place of service")
        if len(claim.lines) > MAX_LINES:
            raise UnencodableValue(f"claim {claim.claim_id}: an 837P claim has at most {MAX_LINES} service lines")
        self.clean(claim.claim_id + claim.place_of_service + claim.frequency_code, f"claim {claim.claim_id} CLM")
        self.clean(
            claim.provider_signature + claim.assignment + claim.benefits_assigned + claim.release_of_information,
            "CLM06-09",
        )
        self.add(
            "CLM",
            claim.claim_id,
            format_amount(claim.total_charge),
            "",
            "",
            self.w.composite(claim.place_of_service, "B", claim.frequency_code),
            claim.provider_signature,
            claim.assignment,
            claim.benefits_assigned,
            claim.release_of_information,
        )

    def diagnoses(self, claim: Claim837) -> None:
        codes = claim.diagnoses
        if not codes or len(codes) > MAX_DIAGNOSES:
            raise UnencodableValue(f"claim {claim.claim_id}: an 837P claim has 1 to {MAX_DIAGNOSES} diagnoses")
        self.clean("".join(codes), "diagnosis code")
        composite = self.w.composite
        self.add("HI", composite("ABK", codes[0]), *(composite("ABF", code) for code in codes[1:]))

    def claim_providers(self, claim: Claim837) -> None:
        if claim.rendering is not None:
            self.provider("82", "PE", claim.rendering)

    def service_line(self, claim: Claim837, index: int) -> None:
        line = claim.lines[index]
        if line.procedure_code is None or line.date_of_service is None:
            raise UnencodableValue(
                f"claim {claim.claim_id}: an 837P service line needs a procedure code and a date of service"
            )
        pointers = self.w.component.join(map(str, line.diagnosis_pointers))
        place = line.place_of_service or ""
        self.clean(place + line.unit_basis, "SV1")
        # the four segments of every service line, formatted directly: this is the writer's hot path
        e, segments = self.w.element, self.w.segments
        procedure = self.procedure("HC", line.procedure_code, line.modifiers)
        charge, units = format_amount(line.charge), format_amount(line.units)
        segments.append(f"LX{e}{line.line_number}")
        segments.append(
            f"SV1{e}{procedure}{e}{charge}{e}{line.unit_basis}{e}{units}{e}{place}{e}{e}{pointers}".rstrip(e)
        )
        segments.append(f"DTP{e}472{e}D8{e}{format_date(line.date_of_service)}")
        if line.line_item_control_number:
            control = self.clean(line.line_item_control_number, "REF*6R line item control number")
            segments.append(f"REF{e}6R{e}{control}")

    def line_adjudication(self, result: LineAdjudication, payer_id: str, claim: Claim837, index: int) -> None:
        line = claim.lines[index]
        code = result.procedure_code or line.procedure_code or ""
        self.add(
            "SVD",
            payer_id,
            format_amount(result.paid),
            self.procedure("HC", code, result.modifiers),
            "",
            format_amount(result.paid_units),
        )
        self.line_adjudication_tail(result)


def write_837p(
    claims: Sequence[ProfessionalClaim | Claim837],
    *,
    partners: TradingPartners,
    submitter: Submitter,
    receiver: Receiver,
    control_numbers: ControlNumbers,
    created: datetime,
    reference: str | None = None,
    separators: Separators = DEFAULT,
    claims_per_set: int = CLAIMS_PER_TRANSACTION_SET,
) -> str:
    """Return one 837P interchange for `claims` (at most `claims_per_set` claims per transaction set).

    Raises UnencodableValue when a claim lacks what an 837P needs or holds a value X12 cannot carry.
    The result is not validated here: call `validate` on it (the claims service does before sending).
    """
    return write_claims(
        ProfessionalSetWriter,
        claims,
        partners=partners,
        submitter=submitter,
        receiver=receiver,
        control_numbers=control_numbers,
        created=created,
        reference=reference,
        separators=separators,
        claims_per_set=claims_per_set,
    )
