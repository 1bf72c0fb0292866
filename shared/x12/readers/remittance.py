"""835 reader: segments of one transaction set in, a Remittance out.

One pass over the segments, dispatching on the segment id through a dict. Segments whose meaning
depends on where they stand (N1, N3, REF, DTM, CAS, AMT) look at the loop we are in: header, payer
(1000A), payee (1000B), claim (2100) or service line (2110). A claim or line is collected in a
dict of its fields and becomes a model when the next one starts, so the models are built once.
"""

from __future__ import annotations

from shared.x12.envelope import TransactionSet
from shared.x12.errors import MappingError
from shared.x12.models.common import CasAdjustment, Individual, Party, PostalAddress
from shared.x12.models.remittance import (
    ClaimPayment,
    InpatientAdjudication,
    OutpatientAdjudication,
    ProviderLevelAdjustment,
    Remittance,
    ServicePayment,
)
from shared.x12.readers.mapping import run
from shared.x12.values import (
    AmountCache,
    amount,
    elements,
    number,
    optional_amount,
    optional_number,
    parse_date,
)

HEADER, PAYER, PAYEE, CLAIM, LINE, BETWEEN_CLAIMS, FOOTER = range(7)
_MIA_REMARKS = (5, 20, 21, 22, 23)
_LINE_DATES = {"472": "service_date", "150": "service_period_start", "151": "service_period_end"}
_ELEMENT_NAMES = {position: f"CAS{position:02d}" for position in range(1, 40)}  # built once, not per triplet
_CLAIM_DATES = {"232": "statement_from", "233": "statement_to", "050": "received_date", "036": "coverage_expiration"}


def present(codes: list[str]) -> tuple[str, ...]:
    """The non-empty codes of a composite's tail (modifiers, remark codes)."""
    return tuple(codes) if "" not in codes else tuple(code for code in codes if code)


def adjustments_of(segment: list[str], parse_amount=amount) -> list[CasAdjustment]:
    """The triplets of a CAS segment (group code, then reason/amount/quantity up to six times)."""
    size = len(segment)
    group = segment[1] if size > 1 else ""
    found = []
    for start in range(2, size, 3):
        reason = segment[start]
        value = segment[start + 1] if start + 1 < size else ""
        quantity = segment[start + 2] if start + 2 < size else ""
        if not reason:
            if value or quantity:
                raise MappingError(f"CAS{start:02d} reason code is missing for an amount")
            continue
        found.append(
            CasAdjustment(
                group=group,
                reason=reason,
                amount=parse_amount(value, _ELEMENT_NAMES[start + 1]),
                quantity=number(quantity, _ELEMENT_NAMES[start + 2]) if quantity else None,
            )
        )
    return found


class _RemittanceReader:
    def __init__(self, transaction: TransactionSet) -> None:
        self.component = transaction.separators.component
        self.control_number = transaction.control_number
        self.level = HEADER
        self.bpr: list[str] | None = None
        self.trn: list[str] | None = None
        self.production_date = None
        self.payer_name = ""
        self.payer_id: str | None = None
        self.payer_qualifier: str | None = None
        self.payer_address: PostalAddress | None = None
        self.payer_contact: str | None = None
        self.payee_name = ""
        self.payee_id: str | None = None
        self.payee_qualifier: str | None = None
        self.payee_tax_id: str | None = None
        self.pending_street: tuple[str, str | None] | None = None
        self.claims: list[ClaimPayment] = []
        self.provider_adjustments: list[ProviderLevelAdjustment] = []
        self.amount = AmountCache()
        self.claim: dict | None = None  # the fields of the ClaimPayment being read
        self.line: dict | None = None  # the fields of the ServicePayment being read

    # --- claims and lines ------------------------------------------------------------------------

    def finish_line(self) -> None:
        line = self.line
        if line is None:
            return
        self.line = None
        line["adjustments"] = tuple(line["adjustments"])
        line["remark_codes"] = tuple(line["remark_codes"])
        self.claim["lines"].append(ServicePayment(**line))  # type: ignore[index]

    def finish_claim(self) -> None:
        self.finish_line()
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        for name in ("adjustments", "references", "supplemental_amounts", "lines"):
            claim[name] = tuple(claim[name])
        self.claims.append(ClaimPayment(**claim))

    def on_clp(self, segment: list[str]) -> None:
        self.finish_claim()
        clp = elements(segment, 12)
        if not clp[1]:
            raise MappingError("CLP01 patient control number is missing")
        # parsed here, not when the claim ends, so that an error names this segment
        self.claim = {
            "patient_control_number": clp[1],
            "status_code": clp[2],
            "billed": self.amount(clp[3], "CLP03"),
            "paid": self.amount(clp[4], "CLP04"),
            "claim_filing_indicator": clp[6],
            "payer_claim_number": clp[7],
            "patient_responsibility": optional_amount(clp[5], "CLP05"),
            "facility_type_code": clp[8] or None,
            "frequency_code": clp[9] or None,
            "drg_code": clp[11] or None,
            "drg_weight": optional_number(clp[12], "CLP12"),
            "adjustments": [],
            "patient": None,
            "insured": None,
            "rendering_provider": None,
            "inpatient": None,
            "outpatient": None,
            "original_reference_number": None,
            "references": [],
            "statement_from": None,
            "statement_to": None,
            "received_date": None,
            "coverage_expiration": None,
            "supplemental_amounts": [],
            "lines": [],
        }
        self.level = CLAIM

    def on_svc(self, segment: list[str]) -> None:
        if self.claim is None:
            raise MappingError("SVC outside a claim (no CLP before it)")
        self.finish_line()
        svc = elements(segment, 7)
        component = self.component
        procedure = svc[1].split(component)
        if len(procedure) < 2 or not procedure[0] or not procedure[1]:
            raise MappingError("SVC01 needs a qualifier and a procedure code")
        submitted = svc[6].split(component) if svc[6] else None
        self.line = {
            "procedure_qualifier": procedure[0],
            "procedure_code": procedure[1],
            "billed": self.amount(svc[2], "SVC02"),
            "paid": self.amount(svc[3], "SVC03"),
            "modifiers": present(procedure[2:6]) if len(procedure) > 2 else (),
            "revenue_code": svc[4] or None,
            "units_paid": number(svc[5], "SVC05") if svc[5] else None,
            "submitted_procedure_code": submitted[1] if submitted and len(submitted) > 1 else None,
            "submitted_modifiers": present(submitted[2:6]) if submitted else (),
            "units_billed": number(svc[7], "SVC07") if svc[7] else None,
            "service_date": None,
            "service_period_start": None,
            "service_period_end": None,
            "line_item_control_number": None,
            "adjustments": [],
            "allowed": None,
            "remark_codes": [],
        }
        self.level = LINE

    def on_cas(self, segment: list[str]) -> None:
        found = adjustments_of(segment, self.amount)
        if self.level == LINE:
            self.line["adjustments"].extend(found)  # type: ignore[index]
        elif self.level == CLAIM:
            self.claim["adjustments"].extend(found)  # type: ignore[index]
        else:
            raise MappingError("CAS outside a claim or service line")

    def on_dtm(self, segment: list[str]) -> None:
        qualifier = segment[1] if len(segment) > 1 else ""
        when = parse_date(segment[2] if len(segment) > 2 else "", "DTM02")
        level = self.level
        if level == LINE:
            name = _LINE_DATES.get(qualifier)
            if name:
                self.line[name] = when  # type: ignore[index]
        elif level == CLAIM:
            name = _CLAIM_DATES.get(qualifier)
            if name:
                self.claim[name] = when  # type: ignore[index]
        elif qualifier == "405":
            self.production_date = when

    def on_ref(self, segment: list[str]) -> None:
        ref = elements(segment, 2)
        qualifier, value = ref[1], ref[2]
        level = self.level
        if level == LINE:
            if qualifier == "6R":
                self.line["line_item_control_number"] = value  # type: ignore[index]
        elif level == CLAIM:
            if qualifier == "F8":
                self.claim["original_reference_number"] = value  # type: ignore[index]
            else:
                self.claim["references"].append((qualifier, value))  # type: ignore[index]
        elif level == PAYER:
            if self.payer_id is None and qualifier == "2U":
                self.payer_id, self.payer_qualifier = value, "2U"
        elif level == PAYEE and qualifier == "TJ":
            self.payee_tax_id = value

    def on_amt(self, segment: list[str]) -> None:
        amt = elements(segment, 2)
        if self.level == LINE:
            if amt[1] == "B6":
                self.line["allowed"] = self.amount(amt[2], "AMT02")  # type: ignore[index]
        elif self.level == CLAIM:
            self.claim["supplemental_amounts"].append((amt[1], amount(amt[2], "AMT02")))  # type: ignore[index]

    def on_lq(self, segment: list[str]) -> None:
        if self.level == LINE and len(segment) > 2 and segment[1] == "HE":
            self.line["remark_codes"].append(segment[2])  # type: ignore[index]

    def on_nm1(self, segment: list[str]) -> None:
        if self.level != CLAIM:
            return
        nm1 = elements(segment, 9)
        entity = nm1[1]
        if entity == "QC" or entity == "IL":
            person = Individual(
                last_name=nm1[3],
                first_name=nm1[4] or None,
                identifier=nm1[9] or None,
                qualifier=nm1[8] or None,
            )
            self.claim["patient" if entity == "QC" else "insured"] = person  # type: ignore[index]
        elif entity == "82":
            self.claim["rendering_provider"] = Party(nm1[3], nm1[9] or None, nm1[8] or None)  # type: ignore[index]

    def on_mia(self, segment: list[str]) -> None:
        if self.claim is None:
            raise MappingError("MIA outside a claim")
        mia = elements(segment, 24)
        amounts = []
        for position in range(2, 25):
            if position in _MIA_REMARKS or position == 4 or not mia[position]:
                continue
            amounts.append((position, number(mia[position], f"MIA{position:02d}")))
        self.claim["inpatient"] = InpatientAdjudication(
            number(mia[1], "MIA01"),
            optional_amount(mia[4], "MIA04"),
            tuple(amounts),
            tuple(mia[position] for position in _MIA_REMARKS if mia[position]),
        )

    def on_moa(self, segment: list[str]) -> None:
        if self.claim is None:
            raise MappingError("MOA outside a claim")
        moa = elements(segment, 9)
        self.claim["outpatient"] = OutpatientAdjudication(
            optional_number(moa[1], "MOA01"),
            optional_amount(moa[2], "MOA02"),
            present(moa[3:8]),
            optional_amount(moa[8], "MOA08"),
            optional_amount(moa[9], "MOA09"),
        )

    # --- header, parties and footer ------------------------------------------------------------

    def on_bpr(self, segment: list[str]) -> None:
        self.bpr = elements(segment, 16)

    def on_trn(self, segment: list[str]) -> None:
        self.trn = elements(segment, 3)

    def on_n1(self, segment: list[str]) -> None:
        n1 = elements(segment, 4)
        if n1[1] == "PR":
            self.level = PAYER
            self.payer_name = n1[2]
            if n1[4]:
                self.payer_id, self.payer_qualifier = n1[4], n1[3] or None
        elif n1[1] == "PE":
            self.level = PAYEE
            self.payee_name, self.payee_qualifier, self.payee_id = n1[2], n1[3] or None, n1[4] or None

    def on_n3(self, segment: list[str]) -> None:
        n3 = elements(segment, 2)
        self.pending_street = (n3[1], n3[2] or None)

    def on_n4(self, segment: list[str]) -> None:
        n4 = elements(segment, 3)
        street, second = self.pending_street or ("", None)
        if self.level == PAYER:
            self.payer_address = PostalAddress(street, n4[1], n4[2], n4[3], second)
        self.pending_street = None

    def on_per(self, segment: list[str]) -> None:
        if self.level == PAYER and len(segment) > 2 and segment[1] == "BL":
            self.payer_contact = segment[2] or None

    def on_lx(self, segment: list[str]) -> None:
        self.finish_claim()
        self.level = BETWEEN_CLAIMS  # LX/TS3/TS2 belong to no claim

    def on_plb(self, segment: list[str]) -> None:
        self.finish_claim()
        self.level = FOOTER
        plb = elements(segment, 4)
        provider = plb[1]
        fiscal_end = parse_date(plb[2], "PLB02")
        for start in range(3, len(segment) - 1, 2):
            if not segment[start]:
                continue
            reason, _, reference = segment[start].partition(self.component)
            self.provider_adjustments.append(
                ProviderLevelAdjustment(
                    provider, fiscal_end, reason, amount(segment[start + 1], f"PLB{start + 1:02d}"), reference or None
                )
            )

    def result(self) -> Remittance:
        self.finish_claim()
        if self.bpr is None:
            raise MappingError("the 835 has no BPR segment")
        if self.trn is None:
            raise MappingError("the 835 has no TRN segment")
        bpr, trn = self.bpr, self.trn
        return Remittance(
            control_number=self.control_number,
            handling_code=bpr[1],
            payment_amount=amount(bpr[2], "BPR02"),
            credit_debit=bpr[3],
            payment_method=bpr[4],
            payment_date=parse_date(bpr[16], "BPR16"),
            trace_number=trn[2],
            originator_id=trn[3],
            payer=Party(self.payer_name, self.payer_id, self.payer_qualifier),
            payee=Party(self.payee_name, self.payee_id, self.payee_qualifier),
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.provider_adjustments),
            payment_format=bpr[5] or None,
            production_date=self.production_date,
            payer_address=self.payer_address,
            payee_tax_id=self.payee_tax_id,
            payer_contact=self.payer_contact,
        )


def read_remittance(segments: list[list[str]], transaction: TransactionSet) -> Remittance:
    """Map one 835 transaction set; raises MappingError (with the segment position) if it cannot."""
    reader = _RemittanceReader(transaction)
    handlers = {
        "CLP": reader.on_clp,
        "CAS": reader.on_cas,
        "NM1": reader.on_nm1,
        "SVC": reader.on_svc,
        "DTM": reader.on_dtm,
        "REF": reader.on_ref,
        "AMT": reader.on_amt,
        "LQ": reader.on_lq,
        "MIA": reader.on_mia,
        "MOA": reader.on_moa,
        "LX": reader.on_lx,
        "PLB": reader.on_plb,
        "BPR": reader.on_bpr,
        "TRN": reader.on_trn,
        "N1": reader.on_n1,
        "N3": reader.on_n3,
        "N4": reader.on_n4,
        "PER": reader.on_per,
    }
    return run(segments, transaction, handlers, reader.result)
