"""837I (005010X223A2): institutional claims (UB-04)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.x12.control_numbers import ControlNumbers
from shared.x12.errors import UnencodableValue
from shared.x12.models.claim import (
    Claim837,
    InstitutionalClaim,
    LineAdjudication,
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

INSTITUTIONAL_VERSION = "005010X223A2"
MAX_OTHER_DIAGNOSES = 24  # two HI segments of twelve
MAX_CODES_PER_HI = 12


class InstitutionalSetWriter(ClaimSetWriter):
    version = INSTITUTIONAL_VERSION

    def claim_header(self, claim: Claim837) -> None:
        details = claim.institutional
        if details is None:
            raise UnencodableValue(f"claim {claim.claim_id}: an 837I claim needs institutional details")
        self.clean(claim.claim_id + details.facility_type + claim.frequency_code, f"claim {claim.claim_id} CLM")
        self.clean(claim.assignment + claim.benefits_assigned + claim.release_of_information, "CLM07-09")
        self.add(
            "CLM",
            claim.claim_id,
            format_amount(claim.total_charge),
            "",
            "",
            self.w.composite(details.facility_type, "A", claim.frequency_code),
            "",
            claim.assignment,
            claim.benefits_assigned,
            claim.release_of_information,
        )
        self.add("DTP", "434", "RD8", f"{format_date(details.statement_from)}-{format_date(details.statement_to)}")
        if details.admission_date is not None:
            self.add("DTP", "435", "D8", format_date(details.admission_date))
        self.clean((details.admission_type or "") + (details.admission_source or "") + details.patient_status, "CL1")
        self.add("CL1", details.admission_type or "", details.admission_source or "", details.patient_status)

    def _coded(self, qualifier: str, codes: Sequence[str], what: str) -> None:
        """HI segments of one kind, twelve composites each."""
        self.clean("".join(codes), what)
        composite = self.w.composite
        for start in range(0, len(codes), MAX_CODES_PER_HI):
            self.add("HI", *(composite(qualifier, code) for code in codes[start : start + MAX_CODES_PER_HI]))

    def diagnoses(self, claim: Claim837) -> None:
        details = claim.institutional
        assert details is not None
        codes = claim.diagnoses
        if not codes or len(codes) > MAX_OTHER_DIAGNOSES + 1:
            raise UnencodableValue(
                f"claim {claim.claim_id}: an 837I claim has 1 to {MAX_OTHER_DIAGNOSES + 1} diagnoses"
            )
        composite = self.w.composite
        self.clean("".join(codes), "diagnosis code")
        self.add("HI", composite("ABK", codes[0]))
        if details.admitting_diagnosis:
            self.add("HI", composite("ABJ", self.clean(details.admitting_diagnosis, "admitting diagnosis")))
        if details.reason_for_visit:
            self.add("HI", *(composite("APR", code) for code in details.reason_for_visit[:3]))
        if len(codes) > 1:
            self._coded("ABF", codes[1:], "diagnosis code")
        if details.occurrence_codes:
            occurrences = details.occurrence_codes
            self.clean("".join(occurrence.code for occurrence in occurrences), "occurrence code")
            for start in range(0, len(occurrences), MAX_CODES_PER_HI):
                self.add(
                    "HI",
                    *(
                        composite("BH", item.code, "D8", format_date(item.date))
                        for item in occurrences[start : start + MAX_CODES_PER_HI]
                    ),
                )
        if details.value_codes:
            values = details.value_codes
            self.clean("".join(value.code for value in values), "value code")
            for start in range(0, len(values), MAX_CODES_PER_HI):
                self.add(
                    "HI",
                    *(
                        composite("BE", item.code, "", "", format_amount(item.amount))
                        for item in values[start : start + MAX_CODES_PER_HI]
                    ),
                )
        if details.condition_codes:
            self._coded("BG", details.condition_codes, "condition code")

    def claim_providers(self, claim: Claim837) -> None:
        details = claim.institutional
        assert details is not None
        if details.attending is not None:
            self.provider("71", "AT", details.attending)
        if claim.rendering is not None:
            self.provider("82", None, claim.rendering)  # 837I 2310D carries no PRV

    def service_line(self, claim: Claim837, index: int) -> None:
        line = claim.lines[index]
        if not line.revenue_code:
            raise UnencodableValue(f"claim {claim.claim_id}: an 837I service line needs a revenue code")
        procedure = self.procedure("HC", line.procedure_code, line.modifiers) if line.procedure_code else ""
        self.clean(line.revenue_code + line.unit_basis, "SV2")
        self.add("LX", str(line.line_number))
        self.add(
            "SV2", line.revenue_code, procedure, format_amount(line.charge), line.unit_basis, format_amount(line.units)
        )
        if line.date_of_service is not None:
            self.add("DTP", "472", "D8", format_date(line.date_of_service))
        if line.line_item_control_number:
            self.add("REF", "6R", self.clean(line.line_item_control_number, "REF*6R line item control number"))

    def line_adjudication(self, result: LineAdjudication, payer_id: str, claim: Claim837, index: int) -> None:
        line = claim.lines[index]
        code = result.procedure_code or line.procedure_code
        procedure = self.procedure("HC", code, result.modifiers) if code else ""
        revenue_code = self.clean(result.revenue_code or line.revenue_code or "", "SVD04 revenue code")
        self.add("SVD", payer_id, format_amount(result.paid), procedure, revenue_code, format_amount(result.paid_units))
        self.line_adjudication_tail(result)


def write_837i(
    claims: Sequence[InstitutionalClaim | Claim837],
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
    """Return one 837I interchange for `claims`; raises UnencodableValue like write_837p."""
    return write_claims(
        InstitutionalSetWriter,
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
