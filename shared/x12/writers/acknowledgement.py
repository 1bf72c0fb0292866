"""999 (005010X231A1) and 277CA (005010X214): the answers a clearinghouse or payer sends to an 837.

A 999 says, per functional group and transaction set, whether the file passed the implementation
guide; it is built from `validate`'s report, so the verdict is exactly what our own validator found.
A 277CA says, per claim, whether the claim entered adjudication; the verdicts come from whoever
decides (a simulator's rules, a payer's edits), and the claims from the 837 as read.

Neither answer copies bad data or PHI into an error: IK404 (the copy of the bad value) is never
written, and CTX names only CLM01, our opaque claim id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from shared.x12.control_numbers import ControlNumbers
from shared.x12.document import X12Document
from shared.x12.envelope import FunctionalGroup, TransactionSet
from shared.x12.errors import Issue, UnencodableValue
from shared.x12.models.base import model
from shared.x12.models.claim import Claim837, ClaimBatch
from shared.x12.models.claim_status import REJECTED_CATEGORIES, StatusCode
from shared.x12.models.common import Party
from shared.x12.readers import READERS
from shared.x12.separators import DEFAULT, Separators
from shared.x12.validation import ValidationReport, validate
from shared.x12.values import format_amount, format_date, format_time
from shared.x12.writers.segments import SegmentWriter, TradingPartners, write_interchange

ACKNOWLEDGEMENT_VERSION = "005010X231A1"
CLAIM_STATUS_VERSION = "005010X214"

# --- 999 ---------------------------------------------------------------------------------------

# "CLM05-3 ...", "NM109 ...": the element a validation message is about, and its component.
_ELEMENT = re.compile(r"^([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d{1,2}))?\b")
_LENGTH = re.compile(r"is (\d+) characters long|has (\d+) digits; the guide allows (\d+)-(\d+)")
_ALLOWS = re.compile(r"the guide allows (\d+)-(\d+)")
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")


def _element_error_code(message: str) -> str:
    """IK403 for a validation message about one element (X231 code list 723)."""
    if message.endswith("is required"):
        return "1"  # mandatory data element missing
    if "must both be present" in message:
        return "2"  # conditional required data element missing
    if "characters long" in message or "digits; the guide allows" in message:
        size_match, allows = _LENGTH.search(message), _ALLOWS.search(message)
        if size_match and allows:
            size = int(size_match.group(1) or size_match.group(2))
            return "4" if size < int(allows.group(1)) else "5"  # too short / too long
        return "5"
    if "has code" in message:
        return "7"  # invalid code value
    if "CCYYMMDD date" in message or "date format" in message:
        return "8"
    if "HHMM" in message:
        return "9"
    if "components" in message:
        return "13"  # too many components
    if "not used in this implementation guide" in message:
        return "I10"  # implementation "not used" data element present
    if "number" in message or "decimal places" in message:
        return "6"  # invalid character in data element
    return "I12"  # implementation pattern match failure: a guide rule beyond the element's syntax


class _AcknowledgementBody:
    """Writes one 999 transaction set: the verdict on one functional group of the document."""

    def __init__(
        self,
        writer: SegmentWriter,
        document: X12Document,
        group: FunctionalGroup,
        issues: Sequence[Issue],
    ) -> None:
        self.w = writer
        self.document = document
        self.group = group
        self.issues = issues

    def write(self) -> None:
        add, clean, group = self.w.add, self.w.clean, self.group
        # AK1 and AK2 echo the envelope as received; with other separators than ours, a value
        # could hold one of our separators and shift the elements after it
        clean(group.functional_id + group.control_number + group.version, "GS01, GS06 or GS08 of the group answered")
        add("AK1", group.functional_id, group.control_number, group.version)
        group_codes = self.group_error_codes()
        accepted = 0
        for transaction in group.transactions:
            if self.transaction_set(transaction, rejected_group=bool(group_codes)):
                accepted += 1
        received = len(group.transactions)
        if group_codes or not accepted:
            status = "R"
        elif accepted < received:
            status = "P"
        else:
            status = "A"
        add("AK9", status, str(received), str(received), str(accepted), *group_codes[:5])

    def group_error_codes(self) -> list[str]:
        """AK905-909 for problems in the GS/GE envelope itself."""
        codes: list[str] = []
        for issue in self.issues:
            if issue.segment == "GE":
                code = "5" if "count" in issue.message else "4"  # set count / control number mismatch
            elif issue.segment == "GS" and issue.position == self.group.position:
                code = "6" if "GS06" in issue.message else "1"  # invalid control number / not supported
            else:
                continue
            if code not in codes:
                codes.append(code)
        return codes

    def transaction_set(self, transaction: TransactionSet, rejected_group: bool) -> bool:
        """Write AK2 ... IK5 for `transaction`; return True if it is accepted."""
        w = self.w
        w.clean(transaction.set_id + transaction.control_number + transaction.version, "ST01-03 of the set answered")
        w.add("AK2", transaction.set_id, transaction.control_number, transaction.version)
        set_codes: list[str] = []
        segment_errors = 0
        if transaction.set_id not in READERS:
            set_codes.append("1")  # transaction set not supported
        first, last = transaction.position, transaction.end + 1
        for issue in self.issues:
            if issue.severity != "error" or not first <= issue.position <= last:
                continue
            if issue.segment == "SE" and issue.position == last:
                set_codes.append("4" if "count" in issue.message else "3")
            elif issue.segment == "ST" and issue.position == first:
                set_codes.append("7" if "ST02" in issue.message else "6")
            else:
                self.segment_error(transaction, issue)
                segment_errors += 1
        if segment_errors:
            set_codes.append("5")  # one or more segments in error
        rejected = bool(set_codes) or rejected_group
        unique = list(dict.fromkeys(set_codes))[:5]
        w.add("IK5", "R" if rejected else "A", *unique)
        return not rejected

    def segment_error(self, transaction: TransactionSet, issue: Issue) -> None:
        """IK3 (with CTX naming the claim and IK4 naming the element) for one validation issue."""
        add, message = self.w.add, issue.message
        position = str(issue.position - transaction.position + 1)  # ST is 1
        loop = issue.loop[:4] if issue.loop and issue.loop[:4].isdigit() else ""
        element = _ELEMENT.match(message)
        segment_id = issue.segment if _SEGMENT_ID.match(issue.segment) else "UNK"
        if message.startswith("loop ") and " lacks " in message:
            missing = message.split(" lacks ", 1)[1].split(", ")[0]
            if _SEGMENT_ID.match(missing):
                add("IK3", missing, position, loop, "3")  # mandatory segment missing
            else:
                add("IK3", segment_id, position, loop, "I7")  # implementation loop occurs under minimum
        elif "is not expected here" in message:
            add("IK3", segment_id, position, loop, "2")  # unexpected segment
        elif "is not a segment of" in message:
            add("IK3", segment_id, position, loop, "6")  # segment not in defined transaction set
        elif segment_id == "UNK":
            add("IK3", segment_id, position, loop, "1")  # unrecognized segment id
        else:
            add("IK3", segment_id, position, loop, "8")  # segment has data element errors
            self.claim_context(transaction, issue.position)
            if element is not None and element.group(1) == issue.segment:
                component = element.group(3) or ""
                reference = self.w.composite(str(int(element.group(2))), component)
                add("IK4", reference, "", _element_error_code(message))
            return
        self.claim_context(transaction, issue.position)

    def claim_context(self, transaction: TransactionSet, position: int) -> None:
        """CTX*CLM01: the claim an error belongs to, so the submitter can find it (837 only)."""
        if transaction.set_id != "837":
            return
        segments = self.document.tokens.segments
        for index in range(min(position - 1, transaction.end), transaction.start, -1):
            segment = segments[index]
            if segment[0] == "CLM" and len(segment) > 1 and segment[1]:
                claim_id = segment[1]
                # CTX01-2 is at most 35 characters and must not hold our component separator
                if len(claim_id) <= 35 and self.w.component not in claim_id:
                    self.w.add("CTX", self.w.composite("CLM01", claim_id))
                return
            if segment[0] == "HL":
                return  # an error in a billing provider or subscriber loop, before any claim


def write_999(
    document: X12Document,
    *,
    partners: TradingPartners,
    control_numbers: ControlNumbers,
    created: datetime,
    report: ValidationReport | None = None,
    separators: Separators = DEFAULT,
) -> str:
    """Return one 999 interchange answering every functional group of `document`.

    Each group gets one 999 transaction set (AK1 ... AK9) and each of its transaction sets an AK2
    ... IK5: accepted ("A"), or rejected ("R") with an IK3 (and IK4 when an element is at fault) for
    every error `report` found in it. `report` defaults to `validate(document)`; pass the one you
    already have. Warnings never reject. Raises UnencodableValue if `document` holds no group.
    """
    if report is None:
        report = validate(document)
    groups = [group for interchange in document.interchanges for group in interchange.groups]
    if not groups:
        raise UnencodableValue("a 999 answers at least one functional group; the document has none")
    issues = report.errors

    def body_for(group: FunctionalGroup):
        def body(writer: SegmentWriter, control_number: str) -> None:
            _AcknowledgementBody(writer, document, group, issues).write()

        return body

    return write_interchange(
        set_id="999",
        functional_id="FA",
        version=ACKNOWLEDGEMENT_VERSION,
        bodies=[body_for(group) for group in groups],
        partners=partners,
        control_numbers=control_numbers,
        created=created,
        separators=separators,
    )


# --- 277CA -------------------------------------------------------------------------------------

ACCEPTED_STATUS = StatusCode("A2", "20", "PR")  # accepted into adjudication; 20: accepted for processing
RECEIVED_STATUS = StatusCode("A1", "19", "PR")  # acknowledgement of receipt (the batch-level answer)


@model
class ClaimVerdict:
    """What the payer or clearinghouse says about one claim: the STC composites and the numbers it
    assigns. A first status in category A3, A4, A6, A7, A8 or E0-E4 rejects the claim."""

    status: StatusCode = ACCEPTED_STATUS  # STC01
    more: tuple[StatusCode, ...] = ()  # STC10 and STC11, e.g. a second reason for a rejection
    payer_claim_number: str | None = None  # REF*1K, assigned when the payer accepts the claim
    clearinghouse_trace: str | None = None  # REF*D9

    @property
    def accepted(self) -> bool:
        return all(code.category not in REJECTED_CATEGORIES for code in (self.status, *self.more))


def rejected(category: str, status: str, entity: str | None = None, **numbers: str | None) -> ClaimVerdict:
    """A rejecting verdict, e.g. rejected("A7", "562", "85") for an invalid billing provider NPI."""
    verdict = ClaimVerdict(StatusCode(category, status, entity), **numbers)  # type: ignore[arg-type]
    if verdict.accepted:
        raise UnencodableValue(f"status category {category} does not reject a claim")
    return verdict


class _ClaimStatusBody:
    def __init__(
        self,
        writer: SegmentWriter,
        batch: ClaimBatch,
        verdicts: Mapping[str, ClaimVerdict],
        source: Party,
        source_entity: str,
        received: date,
        processed: date,
    ) -> None:
        self.w = writer
        self.add = writer.add
        self.clean = writer.clean
        self.batch = batch
        self.verdicts = verdicts
        self.source = source
        self.source_entity = source_entity
        self.received = received
        self.processed = processed

    def status(self, verdict: ClaimVerdict, action: str, charge: Decimal, dated: bool = True) -> None:
        composite, statuses = self.w.composite, (verdict.status, *verdict.more)
        if len(statuses) > 3:
            raise UnencodableValue("an STC segment carries at most three status composites")
        self.clean("".join(code.category + code.status + (code.entity or "") for code in statuses), "STC status code")
        codes = [composite(code.category, code.status, code.entity or "") for code in statuses]
        extra = ("", "", "", "", "", *codes[1:]) if len(codes) > 1 else ()
        effective = format_date(self.processed) if dated else ""
        self.add("STC", codes[0], effective, action, format_amount(charge), *extra)

    def write(self, reference: str, created: datetime) -> None:
        add, clean, batch = self.add, self.clean, self.batch
        add("BHT", "0085", "08", clean(reference, "BHT03"), format_date(created.date()), format_time(created), "TH")
        source = self.source
        clean(source.name + (source.identifier or "") + (source.qualifier or "") + self.source_entity, "source")
        add("HL", "1", "", "20", "1")
        qualifier, identifier = source.qualifier or "PI", source.identifier or ""
        add("NM1", self.source_entity, "2", source.name, "", "", "", "", qualifier, identifier)
        add("TRN", "1", reference)
        add("DTP", "050", "D8", format_date(self.received))
        add("DTP", "009", "D8", format_date(self.processed))

        verdicts = [(claim, self.verdicts.get(claim.claim_id, ClaimVerdict())) for claim in batch.claims]
        submitter = batch.submitter
        clean(submitter.name + submitter.identifier + batch.reference, "information receiver")
        add("HL", "2", "1", "21", "1")
        add("NM1", "41", "2", submitter.name, "", "", "", "", "46", submitter.identifier)
        add("TRN", "2", batch.reference)  # the 837's BHT03: which batch this answers
        total = sum((claim.total_charge for claim in batch.claims), Decimal(0))
        self.status(ClaimVerdict(RECEIVED_STATUS), "WQ", total)
        self.totals(verdicts, accepted_code="90", rejected_code="AA")

        hierarchy = 2
        by_provider: dict[tuple[str, str], list[tuple[Claim837, ClaimVerdict]]] = {}
        for claim, verdict in verdicts:
            by_provider.setdefault((claim.billing.npi, claim.billing.name), []).append((claim, verdict))
        for (npi, name), claims in by_provider.items():
            hierarchy += 1
            provider_level = str(hierarchy)
            clean(npi + name, "billing provider")
            add("HL", provider_level, "2", "19", "1")
            add("NM1", "85", "2", name, "", "", "", "", "XX", npi)
            # 2200C is required; an 837 carries no provider trace number, and X214 says 0 then
            add("TRN", "1", "0")
            provider_total = sum((claim.total_charge for claim, _ in claims), Decimal(0))
            # X214 leaves STC02 unused at the billing provider level (its effective date is 2200B's)
            self.status(ClaimVerdict(RECEIVED_STATUS), "WQ", provider_total, dated=False)
            self.totals(claims, accepted_code="QA", rejected_code="QC")
            for claim, verdict in claims:
                hierarchy += 1
                add("HL", str(hierarchy), provider_level, "PT")
                self.claim(claim, verdict)

    def totals(self, verdicts: list[tuple[Claim837, ClaimVerdict]], accepted_code: str, rejected_code: str) -> None:
        """QTY and AMT: how many claims, and how much charge, were accepted (AMT*YU) and rejected (YY)."""
        accepted = [claim.total_charge for claim, verdict in verdicts if verdict.accepted]
        refused = [claim.total_charge for claim, verdict in verdicts if not verdict.accepted]
        for code, charges in ((accepted_code, accepted), (rejected_code, refused)):
            if charges:
                self.add("QTY", code, str(len(charges)))
        for code, charges in (("YU", accepted), ("YY", refused)):
            if charges:
                self.add("AMT", code, format_amount(sum(charges, Decimal(0))))

    def claim(self, claim: Claim837, verdict: ClaimVerdict) -> None:
        add, clean = self.add, self.clean
        person = claim.patient or claim.subscriber.person
        member_id = claim.subscriber.member_id
        clean(person.last_name + (person.first_name or "") + member_id, "patient")
        add("NM1", "QC", "1", person.last_name, person.first_name or "", "", "", "", "MI", member_id)
        add("TRN", "2", clean(claim.claim_id, "CLM01 patient control number"))
        self.status(verdict, "WQ" if verdict.accepted else "U", claim.total_charge)
        if verdict.payer_claim_number:
            add("REF", "1K", clean(verdict.payer_claim_number, "REF*1K payer claim number"))
        if verdict.clearinghouse_trace:
            add("REF", "D9", clean(verdict.clearinghouse_trace, "REF*D9 clearinghouse trace"))
        if claim.type_of_bill:
            add("REF", "BLT", claim.type_of_bill[1:])  # the 277CA carries it without the leading 0
        service = _service_period(claim)
        if service is not None:
            start, end = service
            if start == end:
                add("DTP", "472", "D8", format_date(start))
            else:
                add("DTP", "472", "RD8", f"{format_date(start)}-{format_date(end)}")


def _service_period(claim: Claim837) -> tuple[date, date] | None:
    dates = [line.date_of_service for line in claim.lines if line.date_of_service is not None]
    if dates:
        return min(dates), max(dates)
    if claim.institutional is not None:
        return claim.institutional.statement_from, claim.institutional.statement_to
    return None


def write_277ca(
    claims: X12Document | Sequence[ClaimBatch],
    *,
    source: Party,
    partners: TradingPartners,
    control_numbers: ControlNumbers,
    created: datetime,
    verdicts: Mapping[str, ClaimVerdict] | None = None,
    source_entity: str = "PR",
    received: date | None = None,
    separators: Separators = DEFAULT,
) -> str:
    """Return one 277CA interchange with a transaction set per 837 transaction set in `claims`.

    Each claim gets a 2000D patient level under its billing provider with TRN02 = CLM01 and an STC:
    `verdicts[claim_id]`, or ClaimVerdict() (A2:20, accepted) for a claim it does not name.
    `source` is the information source (a payer, `source_entity="PR"`, qualifier PI; or a
    clearinghouse, "AY", qualifier 46); the information receiver is the 837's submitter. `received`
    (DTP*050) defaults to the day of `created`. Raises UnencodableValue if there are no claims or a
    value cannot be carried.
    """
    batches = claims.claim_batches() if isinstance(claims, X12Document) else list(claims)
    batches = [batch for batch in batches if batch.claims]
    if not batches:
        raise UnencodableValue("a 277CA answers at least one claim")
    if source_entity not in ("PR", "AY"):
        raise UnencodableValue("the 277CA information source is a payer (PR) or a clearinghouse (AY)")
    chosen = verdicts or {}
    processed = created.date()

    def body_for(batch: ClaimBatch):
        def body(writer: SegmentWriter, control_number: str) -> None:
            _ClaimStatusBody(
                writer, batch, chosen, source, source_entity, received or processed, processed
            ).write(control_number, created)

        return body

    return write_interchange(
        set_id="277",
        functional_id="HN",
        version=CLAIM_STATUS_VERSION,
        bodies=[body_for(batch) for batch in batches],
        partners=partners,
        control_numbers=control_numbers,
        created=created,
        separators=separators,
    )
