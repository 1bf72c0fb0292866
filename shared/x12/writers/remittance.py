"""835 (005010X221A1): remittance advice. Payers write these; we write them for samples, tests and
the benchmark, so the reader can be checked against files whose every field is known."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.x12.control_numbers import ControlNumbers
from shared.x12.gc_pause import collector_paused
from shared.x12.models.common import CasAdjustment, Individual
from shared.x12.models.remittance import ClaimPayment, Remittance, ServicePayment
from shared.x12.separators import DEFAULT, Separators
from shared.x12.values import format_amount, format_date
from shared.x12.writers.segments import (
    SegmentWriter,
    TradingPartners,
    write_interchange,
)

REMITTANCE_VERSION = "005010X221A1"


def _optional(value) -> str:
    return format_amount(value) if value is not None else ""


class RemittanceWriter:
    def __init__(self, writer: SegmentWriter) -> None:
        self.w = writer
        self.add = writer.add
        self.clean = writer.clean

    def write(self, remittance: Remittance) -> None:
        add, clean = self.add, self.clean
        add(
            "BPR",
            clean(remittance.handling_code, "BPR01"),
            format_amount(remittance.payment_amount),
            clean(remittance.credit_debit, "BPR03"),
            clean(remittance.payment_method, "BPR04"),
            clean(remittance.payment_format or "", "BPR05"),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            format_date(remittance.payment_date),
        )
        add("TRN", "1", clean(remittance.trace_number, "TRN02"), clean(remittance.originator_id, "TRN03"))
        if remittance.production_date is not None:
            add("DTM", "405", format_date(remittance.production_date))
        payer = remittance.payer
        clean(payer.name + (payer.identifier or "") + (payer.qualifier or ""), "payer")
        if payer.qualifier == "XV":
            add("N1", "PR", payer.name, "XV", payer.identifier or "")
        else:
            add("N1", "PR", payer.name)
        if remittance.payer_address is not None:
            address = remittance.payer_address
            clean(
                address.line1 + (address.line2 or "") + address.city + address.state + address.postal_code,
                "payer address",
            )
            add("N3", address.line1, address.line2 or "")
            add("N4", address.city, address.state, address.postal_code)
        if payer.identifier and payer.qualifier != "XV":
            add("REF", payer.qualifier or "2U", payer.identifier)
        if remittance.payer_contact:
            add("PER", "BL", clean(remittance.payer_contact, "payer contact"))
        payee = remittance.payee
        clean(payee.name + (payee.identifier or "") + (payee.qualifier or ""), "payee")
        add("N1", "PE", payee.name, payee.qualifier or "", payee.identifier or "")
        if remittance.payee_tax_id:
            add("REF", "TJ", clean(remittance.payee_tax_id, "payee tax id"))
        if remittance.claims:
            add("LX", "1")
            for claim in remittance.claims:
                self.claim(claim)
        self.provider_adjustments(remittance)

    def adjustments(self, adjustments: Sequence[CasAdjustment]) -> None:
        run: list[str] = []
        group = ""
        for adjustment in adjustments:
            if adjustment.group != group or len(run) == 18:
                if run:
                    self.add("CAS", group, *run)
                group, run = self.clean(adjustment.group, "CAS01"), []
            run += [
                self.clean(adjustment.reason, "CAS reason"),
                format_amount(adjustment.amount),
                _optional(adjustment.quantity),
            ]
        if run:
            self.add("CAS", group, *run)

    def individual(self, entity: str, person: Individual) -> None:
        first = person.first_name or ""
        self.clean(person.last_name + first + (person.identifier or "") + (person.qualifier or ""), "NM1")
        self.add(
            "NM1", entity, "1", person.last_name, first, "", "", "", person.qualifier or "", person.identifier or ""
        )

    def claim(self, claim: ClaimPayment) -> None:
        add, clean = self.add, self.clean
        clean(
            claim.patient_control_number
            + claim.status_code
            + claim.claim_filing_indicator
            + claim.payer_claim_number
            + (claim.facility_type_code or "")
            + (claim.frequency_code or "")
            + (claim.drg_code or ""),
            "CLP",
        )
        add(
            "CLP",
            claim.patient_control_number,
            claim.status_code,
            format_amount(claim.billed),
            format_amount(claim.paid),
            _optional(claim.patient_responsibility),
            claim.claim_filing_indicator,
            claim.payer_claim_number,
            claim.facility_type_code or "",
            claim.frequency_code or "",
            "",
            claim.drg_code or "",
            _optional(claim.drg_weight),
        )
        self.adjustments(claim.adjustments)
        if claim.patient is not None:
            self.individual("QC", claim.patient)
        if claim.insured is not None:
            self.individual("IL", claim.insured)
        if claim.rendering_provider is not None:
            provider = claim.rendering_provider
            clean(provider.name + (provider.identifier or "") + (provider.qualifier or ""), "rendering provider")
            add("NM1", "82", "2", provider.name, "", "", "", "", provider.qualifier or "", provider.identifier or "")
        if claim.inpatient is not None:
            inpatient = claim.inpatient
            fields = [""] * 24
            fields[0] = format_amount(inpatient.covered_days)
            if inpatient.drg_amount is not None:
                fields[3] = format_amount(inpatient.drg_amount)
            for position, value in inpatient.amounts:
                fields[position - 1] = format_amount(value)
            for position, code in zip((5, 20, 21, 22, 23), inpatient.remark_codes, strict=False):
                fields[position - 1] = clean(code, "MIA remark code")
            add("MIA", *fields)
        if claim.outpatient is not None:
            outpatient = claim.outpatient
            codes = [clean(code, "MOA remark code") for code in outpatient.remark_codes[:5]]
            codes += [""] * (5 - len(codes))
            add(
                "MOA",
                _optional(outpatient.reimbursement_rate),
                _optional(outpatient.hcpcs_payable),
                *codes,
                _optional(outpatient.esrd_payment),
                _optional(outpatient.non_payable_professional),
            )
        if claim.original_reference_number:
            add("REF", "F8", clean(claim.original_reference_number, "REF*F8"))
        for qualifier, value in claim.references:
            add("REF", clean(qualifier, "REF01"), clean(value, "REF02"))
        for qualifier, when in (
            ("232", claim.statement_from),
            ("233", claim.statement_to),
            ("036", claim.coverage_expiration),
            ("050", claim.received_date),
        ):
            if when is not None:
                add("DTM", qualifier, format_date(when))
        for qualifier, value in claim.supplemental_amounts:
            add("AMT", clean(qualifier, "AMT01"), format_amount(value))
        for line in claim.lines:
            self.line(line)

    def line(self, line: ServicePayment) -> None:
        add, clean, composite = self.add, self.clean, self.w.composite
        clean(
            line.procedure_qualifier + line.procedure_code + "".join(line.modifiers) + (line.revenue_code or ""), "SVC"
        )
        submitted = ""
        if line.submitted_procedure_code:
            clean(line.submitted_procedure_code + "".join(line.submitted_modifiers), "SVC06")
            submitted = composite(line.procedure_qualifier, line.submitted_procedure_code, *line.submitted_modifiers)
        add(
            "SVC",
            composite(line.procedure_qualifier, line.procedure_code, *line.modifiers),
            format_amount(line.billed),
            format_amount(line.paid),
            line.revenue_code or "",
            _optional(line.units_paid),
            submitted,
            _optional(line.units_billed),
        )
        for qualifier, when in (
            ("472", line.service_date),
            ("150", line.service_period_start),
            ("151", line.service_period_end),
        ):
            if when is not None:
                add("DTM", qualifier, format_date(when))
        self.adjustments(line.adjustments)
        if line.line_item_control_number:
            add("REF", "6R", clean(line.line_item_control_number, "REF*6R"))
        if line.allowed is not None:
            add("AMT", "B6", format_amount(line.allowed))
        for code in line.remark_codes:
            add("LQ", "HE", clean(code, "LQ02"))

    def provider_adjustments(self, remittance: Remittance) -> None:
        run: list[str] = []
        key: tuple[str, object] | None = None
        for adjustment in remittance.provider_adjustments:
            this_key = (adjustment.provider_id, adjustment.fiscal_period_end)
            if this_key != key or len(run) == 12:
                if run and key is not None:
                    self.add("PLB", key[0], format_date(key[1]), *run)  # type: ignore[arg-type]
                key, run = this_key, []
            self.clean(adjustment.provider_id + adjustment.reason + (adjustment.reference or ""), "PLB")
            run += [self.w.composite(adjustment.reason, adjustment.reference or ""), format_amount(adjustment.amount)]
        if run and key is not None:
            self.add("PLB", key[0], format_date(key[1]), *run)  # type: ignore[arg-type]


def write_835(
    remittances: Sequence[Remittance],
    *,
    partners: TradingPartners,
    control_numbers: ControlNumbers,
    created: datetime,
    separators: Separators = DEFAULT,
) -> str:
    """Return one 835 interchange with a transaction set per remittance."""

    def body_for(remittance: Remittance):
        def body(writer: SegmentWriter, control_number: str) -> None:
            RemittanceWriter(writer).write(remittance)

        return body

    with collector_paused():
        return write_interchange(
            set_id="835",
            functional_id="HP",
            version=REMITTANCE_VERSION,
            bodies=[body_for(remittance) for remittance in remittances],
            partners=partners,
            control_numbers=control_numbers,
            created=created,
            separators=separators,
        )
