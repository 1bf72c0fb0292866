"""277CA reader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.x12.envelope import TransactionSet
from shared.x12.errors import MappingError
from shared.x12.models.claim_status import (
    ClaimStatus,
    ClaimStatusReport,
    LineStatus,
    StatusCode,
    StatusEntry,
)
from shared.x12.models.common import Party
from shared.x12.readers.mapping import run
from shared.x12.values import (
    amount,
    elements,
    number,
    optional_amount,
    optional_date,
    parse_date,
    parse_period,
)

SOURCE, RECEIVER, PROVIDER, PATIENT = "20", "21", "19", "PT"


class _ClaimStatusReader:
    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self.component = transaction.separators.component
        self.bht: list[str] | None = None
        self.level = ""
        self.source = Party("")
        self.receiver = Party("")
        self.receipt_date: date | None = None
        self.process_date: date | None = None
        self.batch_statuses: list[StatusEntry] = []
        self.quantities: dict[str, Decimal] = {}
        self.amounts: dict[str, Decimal] = {}
        self.provider_id: str | None = None
        self.claims: list[ClaimStatus] = []
        self.batch_reference: str | None = None
        self.claim: dict | None = None
        self.line: dict | None = None

    def status(self, segment: list[str]) -> StatusEntry:
        stc = elements(segment, 11)
        codes = []
        for position in (1, 10, 11):
            if not stc[position]:
                continue
            parts = stc[position].split(self.component)
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise MappingError(f"STC{position:02d} needs a category and a status code")
            codes.append(StatusCode(parts[0], parts[1], parts[2] if len(parts) > 2 and parts[2] else None))
        return StatusEntry(
            tuple(codes), optional_date(stc[2], "STC02"), stc[3] or None, optional_amount(stc[4], "STC04")
        )

    def finish_line(self) -> None:
        if self.line is None:
            return
        assert self.claim is not None
        self.line["statuses"] = tuple(self.line["statuses"])
        self.claim["lines"].append(LineStatus(**self.line))
        self.line = None

    def finish_claim(self) -> None:
        self.finish_line()
        if self.claim is None:
            return
        claim = self.claim
        claim["statuses"] = tuple(claim["statuses"])
        claim["lines"] = tuple(claim["lines"])
        self.claims.append(ClaimStatus(**claim))
        self.claim = None

    def on_bht(self, segment: list[str]) -> None:
        self.bht = elements(segment, 5)

    def on_hl(self, segment: list[str]) -> None:
        self.finish_claim()
        self.level = elements(segment, 3)[3]

    def on_nm1(self, segment: list[str]) -> None:
        nm1 = elements(segment, 9)
        if self.level == SOURCE:
            self.source = Party(nm1[3], nm1[9] or None, nm1[8] or None)
        elif self.level == RECEIVER:
            self.receiver = Party(nm1[3], nm1[9] or None, nm1[8] or None)
        elif self.level == PROVIDER:
            self.provider_id = nm1[9] or None

    def on_trn(self, segment: list[str]) -> None:
        if self.level == RECEIVER:
            self.batch_reference = elements(segment, 2)[2] or None
        if self.level != PATIENT:
            return
        self.finish_claim()
        trn = elements(segment, 2)
        self.claim = {
            "patient_control_number": trn[2],
            "statuses": [],
            "billing_provider_id": self.provider_id,
            "lines": [],
        }

    def on_stc(self, segment: list[str]) -> None:
        entry = self.status(segment)
        if self.line is not None:
            self.line["statuses"].append(entry)
        elif self.claim is not None:
            self.claim["statuses"].append(entry)
        elif self.level == RECEIVER:
            self.batch_statuses.append(entry)

    def on_ref(self, segment: list[str]) -> None:
        ref = elements(segment, 2)
        if self.line is not None:
            if ref[1] == "FJ":
                self.line["line_item_control_number"] = ref[2]
            return
        if self.claim is None:
            return
        field = {"1K": "payer_claim_number", "D9": "clearinghouse_trace", "BLT": "type_of_bill"}.get(ref[1])
        if field:
            self.claim[field] = ref[2]

    def on_dtp(self, segment: list[str]) -> None:
        dtp = elements(segment, 3)
        if dtp[2] == "RD8":
            start, end = parse_period(dtp[3], "DTP03")
        else:
            start = end = parse_date(dtp[3], "DTP03")
        if self.line is not None:
            self.line["service_date"] = start
        elif self.claim is not None:
            self.claim["service_from"], self.claim["service_to"] = start, end
        elif dtp[1] == "050":
            self.receipt_date = start
        elif dtp[1] == "009":
            self.process_date = start

    def on_qty(self, segment: list[str]) -> None:
        qty = elements(segment, 2)
        if self.level == RECEIVER:
            self.quantities[qty[1]] = number(qty[2], "QTY02")

    def on_amt(self, segment: list[str]) -> None:
        amt = elements(segment, 2)
        if self.level == RECEIVER:
            self.amounts[amt[1]] = amount(amt[2], "AMT02")

    def on_svc(self, segment: list[str]) -> None:
        if self.claim is None:
            raise MappingError("SVC outside a claim status (no TRN before it)")
        self.finish_line()
        svc = elements(segment, 2)
        procedure = svc[1].split(self.component)
        if len(procedure) < 2:
            raise MappingError("SVC01 needs a qualifier and a procedure code")
        self.line = {
            "procedure_code": procedure[1],
            "charge": amount(svc[2], "SVC02"),
            "statuses": [],  # a list while reading, a tuple in the model
            "modifiers": tuple(code for code in procedure[2:6] if code),
        }

    def result(self) -> ClaimStatusReport:
        self.finish_claim()
        if self.bht is None:
            raise MappingError("a 277CA needs a BHT segment")
        return ClaimStatusReport(
            control_number=self.transaction.control_number,
            reference=self.bht[3],
            created=parse_date(self.bht[4], "BHT04"),
            information_source=self.source,
            receiver=self.receiver,
            receipt_date=self.receipt_date,
            process_date=self.process_date,
            batch_statuses=tuple(self.batch_statuses),
            accepted_quantity=self.quantities.get("90"),
            rejected_quantity=self.quantities.get("AA"),
            accepted_amount=self.amounts.get("YU"),
            rejected_amount=self.amounts.get("YY"),
            claims=tuple(self.claims),
            batch_reference=self.batch_reference,
        )


def read_claim_status(segments: list[list[str]], transaction: TransactionSet) -> ClaimStatusReport:
    reader = _ClaimStatusReader(transaction)
    handlers = {
        "BHT": reader.on_bht,
        "HL": reader.on_hl,
        "NM1": reader.on_nm1,
        "TRN": reader.on_trn,
        "STC": reader.on_stc,
        "REF": reader.on_ref,
        "DTP": reader.on_dtp,
        "QTY": reader.on_qty,
        "AMT": reader.on_amt,
        "SVC": reader.on_svc,
    }
    return run(segments, transaction, handlers, reader.result)
