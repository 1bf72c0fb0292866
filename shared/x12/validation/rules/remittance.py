"""835: the payment balances against its claims and provider adjustments, each claim against its
adjustments, each service line against its own."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.x12.errors import Issue
from shared.x12.separators import Separators
from shared.x12.validation.rules.base import Rules, element, money
from shared.x12.values import format_amount

ZERO = Decimal("0")


@dataclass
class _Line:
    index: int
    charge: Decimal | None
    paid: Decimal | None
    adjustments: Decimal = ZERO
    dated: bool = False


@dataclass
class _Claim:
    index: int
    status: str
    charge: Decimal | None
    paid: Decimal | None
    adjustments: Decimal = ZERO
    line_adjustments: Decimal = ZERO
    dated: bool = False  # DTM*232/233 statement dates
    line: _Line | None = None
    undated_lines: int = 0


class RemittanceRules(Rules):
    def __init__(self, issues: list[Issue], separators: Separators) -> None:
        super().__init__(issues, separators)
        self.payment: Decimal | None = None
        self.payment_index = -1
        self.method = ""
        self.paid_total = ZERO
        self.provider_adjustments = ZERO
        self.claim: _Claim | None = None
        self.handlers.update(
            BPR=self.on_bpr,
            CLP=self.on_clp,
            SVC=self.on_svc,
            CAS=self.on_cas,
            DTM=self.on_dtm,
            PLB=self.on_plb,
            LX=self.on_lx,
        )

    def on_bpr(self, index: int, loop: str, segment: list[str]) -> None:
        self.payment, self.payment_index, self.method = money(element(segment, 2)), index, element(segment, 4)

    def on_lx(self, index: int, loop: str, segment: list[str]) -> None:
        self.finish_claim()

    def on_clp(self, index: int, loop: str, segment: list[str]) -> None:
        self.finish_claim()
        paid = money(element(segment, 4))
        if paid is not None:
            self.paid_total += paid
        self.claim = _Claim(index, element(segment, 2), money(element(segment, 3)), paid)

    def on_svc(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            return
        self.finish_line()
        claim.line = _Line(index, money(element(segment, 2)), money(element(segment, 3)))

    def on_dtm(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            return
        qualifier = element(segment, 1)
        if loop == "2110" and claim.line is not None and qualifier in ("472", "150", "151"):
            claim.line.dated = True
        elif loop == "2100" and qualifier in ("232", "233"):
            claim.dated = True

    def on_cas(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            return
        total = sum((money(segment[position]) or ZERO for position in range(3, len(segment), 3)), ZERO)
        if loop == "2110" and claim.line is not None:
            claim.line.adjustments += total
            claim.line_adjustments += total
        else:
            claim.adjustments += total

    def on_plb(self, index: int, loop: str, segment: list[str]) -> None:
        self.finish_claim()
        for position in range(4, len(segment), 2):
            amount = money(segment[position])
            if amount is not None:
                self.provider_adjustments += amount

    def finish_line(self) -> None:
        claim = self.claim
        if claim is None or claim.line is None:
            return
        line, claim.line = claim.line, None
        if not line.dated:
            claim.undated_lines += 1
        if line.charge is not None and line.paid is not None and line.charge - line.paid != line.adjustments:
            self.unbalanced(
                line.index,
                "SVC",
                f"service line does not balance: charge {format_amount(line.charge)} minus paid {format_amount(line.paid)} "
                f"is not the sum of its adjustments {format_amount(line.adjustments)}",
                "2110",
            )

    def finish_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.finish_line()
        self.claim = None
        if claim.charge is not None and claim.paid is not None:
            adjusted = claim.adjustments + claim.line_adjustments
            if claim.charge - claim.paid != adjusted:
                self.unbalanced(
                    claim.index,
                    "CLP",
                    f"claim does not balance: charge {format_amount(claim.charge)} minus paid {format_amount(claim.paid)} "
                    f"is not the sum of claim and line adjustments {format_amount(adjusted)}",
                    "2100",
                )
        if claim.undated_lines and not claim.dated:
            self.report(
                claim.index,
                "CLP",
                "service lines need DTM*472 (or 150/151) when the claim has no statement dates (DTM*232/233)",
                "2100",
            )
        if claim.status == "22" and claim.paid is not None and claim.paid > 0:
            self.report(
                claim.index,
                "CLP",
                "a reversal (CLP02 22) normally takes money back: CLP04 is positive",
                "2100",
                "warning",
            )

    def finish(self) -> None:
        self.finish_claim()
        if self.payment is None:
            return
        expected = self.paid_total - self.provider_adjustments
        if self.payment != expected:
            self.unbalanced(
                self.payment_index,
                "BPR",
                f"BPR02 payment {format_amount(self.payment)} does not equal the sum of CLP04 {format_amount(self.paid_total)} "
                f"minus the sum of PLB adjustments {format_amount(self.provider_adjustments)}",
                "HEADER",
            )
        if self.method == "NON" and self.payment != 0:
            self.unbalanced(self.payment_index, "BPR", "BPR04 NON (no payment) needs a zero BPR02", "HEADER")
