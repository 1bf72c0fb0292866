"""835 reader: segments of one transaction set in, a Remittance out.

One pass over the segments, dispatching on the segment id through a dict. Segments whose meaning
depends on where they stand (N1, N3, REF, DTM, CAS, AMT) look at the loop we are in: header, payer
(1000A), payee (1000B), claim (2100) or service line (2110).
"""

from __future__ import annotations

from decimal import Decimal

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
from shared.x12.values import amount, elements, number, optional_amount, optional_number, parse_date

HEADER, PAYER, PAYEE, CLAIM, LINE, BETWEEN_CLAIMS, FOOTER = range(7)
_MIA_REMARKS = (5, 20, 21, 22, 23)


def adjustments_of(segment: list[str]) -> list[CasAdjustment]:
    """The triplets of a CAS segment (group code, then reason/amount/quantity up to six times)."""
    group = segment[1] if len(segment) > 1 else ""
    found = []
    for start in range(2, len(segment), 3):
        reason = segment[start]
        value = segment[start + 1] if start + 1 < len(segment) else ""
        quantity = segment[start + 2] if start + 2 < len(segment) else ""
        if not reason:
            if value or quantity:
                raise MappingError(f"CAS{start:02d} reason code is missing for an amount")
            continue
        found.append(CasAdjustment(group, reason, amount(value, f"CAS{start + 1:02d}"), optional_number(quantity, f"CAS{start + 2:02d}")))
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
        self.clp: tuple | None = None
        self.svc: tuple | None = None
        self._reset_claim()
        self._reset_line()

    # --- claim and line state ------------------------------------------------------------------

    def _reset_claim(self) -> None:
        self.claim_adjustments: list[CasAdjustment] = []
        self.lines: list[ServicePayment] = []
        self.patient: Individual | None = None
        self.insured: Individual | None = None
        self.rendering: Party | None = None
        self.inpatient: InpatientAdjudication | None = None
        self.outpatient: OutpatientAdjudication | None = None
        self.original_reference: str | None = None
        self.references: list[tuple[str, str]] = []
        self.claim_dates: dict[str, object] = {}
        self.claim_amounts: list[tuple[str, Decimal]] = []

    def _reset_line(self) -> None:
        self.line_adjustments: list[CasAdjustment] = []
        self.line_dates: dict[str, object] = {}
        self.line_control: str | None = None
        self.allowed: Decimal | None = None
        self.remarks: list[str] = []

    def finish_line(self) -> None:
        svc = self.svc
        if svc is None:
            return
        dates = self.line_dates
        self.lines.append(
            ServicePayment(
                *svc,
                dates.get("472"),  # type: ignore[arg-type]
                dates.get("150"),  # type: ignore[arg-type]
                dates.get("151"),  # type: ignore[arg-type]
                self.line_control,
                tuple(self.line_adjustments),
                self.allowed,
                tuple(self.remarks),
            )
        )
        self.svc = None
        self._reset_line()

    def finish_claim(self) -> None:
        self.finish_line()
        clp = self.clp
        if clp is None:
            return
        dates = self.claim_dates
        self.claims.append(
            ClaimPayment(
                *clp,
                adjustments=tuple(self.claim_adjustments),
                patient=self.patient,
                insured=self.insured,
                rendering_provider=self.rendering,
                inpatient=self.inpatient,
                outpatient=self.outpatient,
                original_reference_number=self.original_reference,
                references=tuple(self.references),
                statement_from=dates.get("232"),  # type: ignore[arg-type]
                statement_to=dates.get("233"),  # type: ignore[arg-type]
                received_date=dates.get("050"),  # type: ignore[arg-type]
                coverage_expiration=dates.get("036"),  # type: ignore[arg-type]
                supplemental_amounts=tuple(self.claim_amounts),
                lines=tuple(self.lines),
            )
        )
        self.clp = None
        self._reset_claim()

    # --- segments ------------------------------------------------------------------------------

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

    def on_ref(self, segment: list[str]) -> None:
        ref = elements(segment, 2)
        qualifier, value = ref[1], ref[2]
        level = self.level
        if level == LINE:
            if qualifier == "6R":
                self.line_control = value
        elif level == CLAIM:
            if qualifier == "F8":
                self.original_reference = value
            else:
                self.references.append((qualifier, value))
        elif level == PAYER:
            if self.payer_id is None and qualifier == "2U":
                self.payer_id, self.payer_qualifier = value, "2U"
        elif level == PAYEE and qualifier == "TJ":
            self.payee_tax_id = value

    def on_dtm(self, segment: list[str]) -> None:
        dtm = elements(segment, 2)
        level = self.level
        if level == LINE:
            self.line_dates[dtm[1]] = parse_date(dtm[2], "DTM02")
        elif level == CLAIM:
            self.claim_dates[dtm[1]] = parse_date(dtm[2], "DTM02")
        elif dtm[1] == "405":
            self.production_date = parse_date(dtm[2], "DTM02")

    def on_lx(self, segment: list[str]) -> None:
        self.finish_claim()
        self.level = BETWEEN_CLAIMS  # LX/TS3/TS2 belong to no claim

    def on_clp(self, segment: list[str]) -> None:
        self.finish_claim()
        clp = elements(segment, 12)
        if not clp[1]:
            raise MappingError("CLP01 patient control number is missing")
        # the positional fields of ClaimPayment, parsed here so that an error names this segment
        self.clp = (
            clp[1], clp[2], amount(clp[3], "CLP03"), amount(clp[4], "CLP04"), clp[6], clp[7],
            optional_amount(clp[5], "CLP05"), clp[8] or None, clp[9] or None, clp[11] or None,
            optional_number(clp[12], "CLP12"),
        )
        self.level = CLAIM

    def on_cas(self, segment: list[str]) -> None:
        found = adjustments_of(segment)
        if self.level == LINE:
            self.line_adjustments.extend(found)
        elif self.level == CLAIM:
            self.claim_adjustments.extend(found)
        else:
            raise MappingError("CAS outside a claim or service line")

    def on_nm1(self, segment: list[str]) -> None:
        if self.level != CLAIM:
            return
        nm1 = elements(segment, 9)
        entity = nm1[1]
        if entity == "QC":
            self.patient = Individual(nm1[3], nm1[4] or None, nm1[9] or None, nm1[8] or None)
        elif entity == "IL":
            self.insured = Individual(nm1[3], nm1[4] or None, nm1[9] or None, nm1[8] or None)
        elif entity == "82":
            self.rendering = Party(nm1[3], nm1[9] or None, nm1[8] or None)

    def on_mia(self, segment: list[str]) -> None:
        mia = elements(segment, 24)
        amounts = []
        for position in range(2, 25):
            if position in _MIA_REMARKS or position == 4 or not mia[position]:
                continue
            amounts.append((position, number(mia[position], f"MIA{position:02d}")))
        self.inpatient = InpatientAdjudication(
            number(mia[1], "MIA01"),
            optional_amount(mia[4], "MIA04"),
            tuple(amounts),
            tuple(mia[position] for position in _MIA_REMARKS if mia[position]),
        )

    def on_moa(self, segment: list[str]) -> None:
        moa = elements(segment, 9)
        self.outpatient = OutpatientAdjudication(
            optional_number(moa[1], "MOA01"),
            optional_amount(moa[2], "MOA02"),
            tuple(code for code in moa[3:8] if code),
            optional_amount(moa[8], "MOA08"),
            optional_amount(moa[9], "MOA09"),
        )

    def on_amt(self, segment: list[str]) -> None:
        amt = elements(segment, 2)
        if self.level == LINE:
            if amt[1] == "B6":
                self.allowed = amount(amt[2], "AMT02")
        elif self.level == CLAIM:
            self.claim_amounts.append((amt[1], amount(amt[2], "AMT02")))

    def on_svc(self, segment: list[str]) -> None:
        if self.clp is None:
            raise MappingError("SVC outside a claim (no CLP before it)")
        self.finish_line()
        svc = elements(segment, 7)
        procedure = svc[1].split(self.component)
        if len(procedure) < 2 or not procedure[0] or not procedure[1]:
            raise MappingError("SVC01 needs a qualifier and a procedure code")
        submitted = svc[6].split(self.component) if svc[6] else ()
        # the leading positional fields of ServicePayment
        self.svc = (
            procedure[0], procedure[1], amount(svc[2], "SVC02"), amount(svc[3], "SVC03"),
            tuple(code for code in procedure[2:6] if code), svc[4] or None, optional_number(svc[5], "SVC05"),
            submitted[1] if len(submitted) > 1 else None, tuple(code for code in submitted[2:6] if code),
            optional_number(svc[7], "SVC07"),
        )
        self.level = LINE

    def on_lq(self, segment: list[str]) -> None:
        if self.level == LINE and len(segment) > 2 and segment[1] == "HE":
            self.remarks.append(segment[2])

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
                ProviderLevelAdjustment(provider, fiscal_end, reason, amount(segment[start + 1], f"PLB{start + 1:02d}"), reference or None)
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
        "CLP": reader.on_clp, "CAS": reader.on_cas, "NM1": reader.on_nm1, "SVC": reader.on_svc,
        "DTM": reader.on_dtm, "REF": reader.on_ref, "AMT": reader.on_amt, "LQ": reader.on_lq,
        "MIA": reader.on_mia, "MOA": reader.on_moa, "LX": reader.on_lx, "PLB": reader.on_plb,
        "BPR": reader.on_bpr, "TRN": reader.on_trn, "N1": reader.on_n1, "N3": reader.on_n3,
        "N4": reader.on_n4, "PER": reader.on_per,
    }
    return run(segments, transaction, handlers, reader.result)
