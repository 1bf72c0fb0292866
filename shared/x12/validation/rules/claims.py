"""837P/837I: the claim balances, corrections name the claim they replace, pointers point at
diagnoses, and secondary claims carry the prior payer's adjudication consistently."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shared.x12.errors import Issue
from shared.x12.separators import Separators
from shared.x12.validation.rules.base import Hierarchy, Rules, element, money
from shared.x12.values import format_amount, is_date, small_whole

ZERO = Decimal("0")
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "BK", "ABF", "BF"})
ICD10_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})
CORRECTING_FREQUENCIES = frozenset({"7", "8"})


def _is_icd10(code: str) -> bool:
    """ICD-10-CM as X12 wants it: a letter, then 2-6 letters or digits, no dot."""
    return 3 <= len(code) <= 7 and code.isascii() and code[0].isalpha() and code.isalnum() and code[1].isdigit()


@dataclass
class _OtherPayer:
    index: int
    payer_id: str = ""
    paid: Decimal | None = None
    claim_adjustments: Decimal = ZERO
    dated: bool = False  # 2330B DTP*573


@dataclass
class _LineResult:
    index: int
    payer_id: str
    paid: Decimal
    line_charge: Decimal | None
    adjustments: Decimal = ZERO
    dated: bool = False


@dataclass
class _Claim:
    index: int
    charge: Decimal | None
    frequency: str
    has_original_reference: bool = False
    diagnoses: int = 0
    lines: int = 0
    line_total: Decimal = ZERO
    line_charge: Decimal | None = None
    others: list[_OtherPayer] = field(default_factory=list)
    results: list[_LineResult] = field(default_factory=list)


class ClaimRules(Rules):
    def __init__(self, issues: list[Issue], separators: Separators, *, professional: bool) -> None:
        super().__init__(issues, separators)
        self.professional = professional
        self.max_lines = 50 if professional else 999
        self.hierarchy = Hierarchy(self)
        self.claim: _Claim | None = None
        self.subscriber_index = -1
        self.subscriber_is_patient = True
        self.subscriber_details: set[str] = set()
        self.responsibility = "P"
        self.subscriber_checked = False
        self.handlers.update(
            HL=self.on_hl,
            SBR=self.on_sbr,
            CLM=self.on_clm,
            REF=self.on_ref,
            HI=self.on_hi,
            LX=self.on_lx,
            SV1=self.on_service,
            SV2=self.on_service,
            SVD=self.on_svd,
            CAS=self.on_cas,
            AMT=self.on_amt,
            DTP=self.on_dtp,
            NM1=self.on_nm1,
            N3=self.on_detail,
            N4=self.on_n4,
            DMG=self.on_detail,
        )
        self.only_in = {
            "DTP": frozenset({"2330B", "2430"}),
            "REF": frozenset({"2300"}),
            "N3": frozenset({"2010BA"}),
            "DMG": frozenset({"2010BA"}),
            "CAS": frozenset({"2320", "2430"}),
            "AMT": frozenset({"2320"}),
            "SVD": frozenset({"2430"}),
            "SBR": frozenset({"2000B", "2320"}),
        }

    # --- hierarchy and subscriber ----------------------------------------------------------------

    def on_hl(self, index: int, loop: str, segment: list[str]) -> None:
        self.finish_claim()
        self.hierarchy.check(index, loop, segment)
        level = element(segment, 3)
        if level == "22":
            self.subscriber_index = index
            self.subscriber_is_patient = element(segment, 4) == "0"
            self.subscriber_details = set()
            self.subscriber_checked = False
        elif level == "23":
            self.subscriber_is_patient = False

    def on_sbr(self, index: int, loop: str, segment: list[str]) -> None:
        if loop == "2320":
            if self.claim is not None:
                self.claim.others.append(_OtherPayer(index))
            return
        self.responsibility = element(segment, 1)
        relationship = element(segment, 2)
        if self.subscriber_is_patient and relationship != "18":
            self.report(index, "SBR", "SBR02 must be 18 when the patient is the subscriber (no 2000C loop)", loop)
        elif not self.subscriber_is_patient and relationship:
            self.report(
                index, "SBR", "SBR02 must be empty when the patient is not the subscriber (2000C follows)", loop
            )

    def on_detail(self, index: int, loop: str, segment: list[str]) -> None:
        if loop == "2010BA":
            self.subscriber_details.add(segment[0])

    def on_n4(self, index: int, loop: str, segment: list[str]) -> None:
        self.check_postal(index, loop, segment)
        self.on_detail(index, loop, segment)
        if loop == "2010AA":
            postal = element(segment, 3)
            if postal and len(postal) != 9 and element(segment, 4) in ("", "US"):
                self.report(index, "N4", "the billing provider's N403 must be the full nine-digit ZIP code", loop)

    def on_nm1(self, index: int, loop: str, segment: list[str]) -> None:
        self.check_npi(index, loop, segment)
        if loop == "2330B" and self.claim is not None and self.claim.others:
            self.claim.others[-1].payer_id = element(segment, 9)

    # --- claim -------------------------------------------------------------------------------------

    def on_clm(self, index: int, loop: str, segment: list[str]) -> None:
        self.finish_claim()
        if self.subscriber_is_patient and not self.subscriber_checked:
            missing = {"N3", "N4", "DMG"} - self.subscriber_details
            if missing:
                self.report(
                    self.subscriber_index,
                    "HL",
                    f"the subscriber is the patient, so 2010BA needs {', '.join(sorted(missing))}",
                    "2000B",
                )
        self.subscriber_checked = True
        frequency = element(segment, 5).split(self.separators.component)
        self.claim = _Claim(index, money(element(segment, 2)), frequency[2] if len(frequency) > 2 else "")

    def on_ref(self, index: int, loop: str, segment: list[str]) -> None:
        if loop == "2300" and self.claim is not None and element(segment, 1) == "F8":
            self.claim.has_original_reference = True

    def on_hi(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            return
        component = self.separators.component
        for position in range(1, len(segment)):
            if not segment[position]:
                continue
            parts = segment[position].split(component)
            qualifier = parts[0]
            code = parts[1] if len(parts) > 1 else ""
            name = f"HI{position:02d}"
            if qualifier in DIAGNOSIS_QUALIFIERS:
                claim.diagnoses += 1
            if qualifier in ICD10_QUALIFIERS and code and not _is_icd10(code):
                self.report(index, "HI", f"{name}-2 is not an ICD-10-CM code written without the dot", loop)
            if qualifier in ("BH", "BBR", "BBQ", "BR", "BQ"):
                if len(parts) < 4 or parts[2] != "D8" or not is_date(parts[3]):
                    self.report(
                        index, "HI", f"{name} needs D8 and a CCYYMMDD date in its third and fourth components", loop
                    )
            elif qualifier == "BI":
                start, _, end = (parts[3] if len(parts) > 3 else "").partition("-")
                if len(parts) < 4 or parts[2] != "RD8" or not (is_date(start) and is_date(end)):
                    self.report(index, "HI", f"{name} needs RD8 and a CCYYMMDD-CCYYMMDD range", loop)
            elif qualifier == "BE" and (len(parts) < 5 or money(parts[4]) is None):
                self.report(index, "HI", f"{name} needs the value code amount in its fifth component", loop)
        if self.professional and claim.diagnoses > 12:
            self.report(index, "HI", "an 837P claim carries at most twelve diagnoses", loop)

    def on_lx(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None or loop != "2400":
            return
        claim.lines += 1
        claim.line_charge = None
        if element(segment, 1) != str(claim.lines):
            self.report(index, "LX", f"LX01 should be {claim.lines}: service lines are numbered from 1 in order", loop)
        if claim.lines == self.max_lines + 1:
            self.report(index, "LX", f"a claim carries at most {self.max_lines} service lines", loop)

    def on_service(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            return
        professional = segment[0] == "SV1"
        size = len(segment)
        charge_at, units_at = (2, 4) if professional else (3, 5)
        charge = money(segment[charge_at]) if size > charge_at else None
        units = segment[units_at] if size > units_at else ""
        claim.line_charge = charge
        if charge is not None:
            claim.line_total += charge
            if charge < 0:
                self.report(index, segment[0], "the line charge is negative", loop)
        if units and (units[0] == "-" or not units.strip("0.")):
            self.report(index, segment[0], "the service units must be greater than zero", loop)
        if professional and size > 7:
            for pointer in segment[7].split(self.separators.component):
                if (number := small_whole(pointer)) is not None and number > claim.diagnoses:
                    self.report(
                        index, "SV1", f"SV107 points at diagnosis {pointer}, but the claim has {claim.diagnoses}", loop
                    )

    # --- coordination of benefits -----------------------------------------------------------

    def on_svd(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            return
        paid = money(element(segment, 2))
        claim.results.append(
            _LineResult(index, element(segment, 1), paid if paid is not None else ZERO, claim.line_charge)
        )

    def on_cas(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            return
        total = sum((money(segment[position]) or ZERO for position in range(3, len(segment), 3)), ZERO)
        if loop == "2320" and claim.others:
            claim.others[-1].claim_adjustments += total
        elif loop == "2430" and claim.results:
            claim.results[-1].adjustments += total

    def on_amt(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is not None and loop == "2320" and claim.others and element(segment, 1) == "D":
            claim.others[-1].paid = money(element(segment, 2))

    def on_dtp(self, index: int, loop: str, segment: list[str]) -> None:
        claim = self.claim
        if claim is None or element(segment, 1) != "573":
            return
        if loop == "2330B" and claim.others:
            claim.others[-1].dated = True
        elif loop == "2430" and claim.results:
            claim.results[-1].dated = True

    def finish_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        if claim.charge is not None and claim.lines and claim.charge != claim.line_total:
            self.unbalanced(
                claim.index,
                "CLM",
                f"CLM02 claim charge {format_amount(claim.charge)} does not equal the sum of the line charges {format_amount(claim.line_total)}",
                "2300",
            )
        if claim.frequency in CORRECTING_FREQUENCIES and not claim.has_original_reference:
            self.report(
                claim.index,
                "CLM",
                f"frequency {claim.frequency} (replacement or void) needs REF*F8 with the payer's claim number",
                "2300",
            )
        elif claim.frequency == "1" and claim.has_original_reference:
            self.report(claim.index, "CLM", "REF*F8 is only sent with frequency 7 or 8", "2300", "warning")
        if self.responsibility in ("S", "T") and not claim.others:
            self.report(
                claim.index,
                "CLM",
                "a secondary or tertiary claim needs the prior payer's adjudication (loop 2320)",
                "2300",
            )
        payer_ids = {other.payer_id for other in claim.others}
        results_by_payer: dict[str, list[_LineResult]] = {}
        for result in claim.results:
            results_by_payer.setdefault(result.payer_id, []).append(result)
            if result.payer_id not in payer_ids:
                self.report(
                    result.index,
                    "SVD",
                    "SVD01 does not match the payer id (NM109) of any 2330B loop of this claim",
                    "2430",
                )
            if result.line_charge is not None and result.paid + result.adjustments != result.line_charge:
                self.unbalanced(
                    result.index,
                    "SVD",
                    f"line does not balance: paid {format_amount(result.paid)} plus adjustments {format_amount(result.adjustments)} "
                    f"is not the line charge {format_amount(result.line_charge)}",
                    "2430",
                )
        for other in claim.others:
            results = results_by_payer.get(other.payer_id, [])
            if other.paid is None:
                continue
            if not results and not other.dated:
                self.report(
                    other.index,
                    "SBR",
                    "the prior payer adjudicated the claim: 2330B needs DTP*573 when no 2430 line results are sent",
                    "2320",
                )
            if claim.charge is not None:
                adjusted = other.claim_adjustments + sum((result.adjustments for result in results), ZERO)
                if claim.charge - other.paid - adjusted != 0:
                    self.unbalanced(
                        other.index,
                        "SBR",
                        f"prior payer does not balance: charge {format_amount(claim.charge)} minus paid {format_amount(other.paid)} "
                        f"minus adjustments {format_amount(adjusted)} is not zero",
                        "2320",
                    )

    def finish(self) -> None:
        self.finish_claim()
        self.hierarchy.finish()
