"""Interchanges (ISA/IEA), functional groups (GS/GE) and transaction sets (ST/SE).

`walk_envelopes` finds every envelope in a tokenized file and checks what the envelopes promise:
control numbers that match between header and trailer, the counts in SE01, GE01 and IEA01, and
functional identifiers that fit the transaction sets inside. It reports problems as Issues and
raises only when the file ends inside an interchange.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.x12.errors import Issue, TruncatedInterchange
from shared.x12.separators import Separators
from shared.x12.tokenizer import Tokens
from shared.x12.values import is_date, is_time

# GS01 functional identifier of each transaction set we know
FUNCTIONAL_IDS = {
    "837": "HC",
    "835": "HP",
    "999": "FA",
    "277": "HN",
    "270": "HS",
    "271": "HB",
    "276": "HR",
    "997": "FA",
}

ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


@dataclass(slots=True)
class TransactionSet:
    set_id: str  # ST01, e.g. "835"
    control_number: str  # ST02
    version: str  # ST03, or GS08 when ST03 is absent, e.g. "005010X221A1"
    start: int  # index of ST among the file's segments
    end: int  # index of SE (one past the last segment when SE is missing)
    separators: Separators
    model: object | None = None  # what the reader mapped (Remittance, ClaimBatch, ...), None if it could not

    @property
    def position(self) -> int:
        return self.start + 1


@dataclass(slots=True)
class FunctionalGroup:
    functional_id: str  # GS01
    application_sender: str  # GS02
    application_receiver: str  # GS03
    control_number: str  # GS06
    version: str  # GS08
    position: int
    transactions: list[TransactionSet] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06, trimmed
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08, trimmed
    control_number: str  # ISA13
    version: str  # ISA12
    usage: str  # ISA15: P production, T test
    separators: Separators
    position: int
    groups: list[FunctionalGroup] = field(default_factory=list)


def _issue(issues: list[Issue], index: int, segment: str, message: str, severity: str = "error") -> None:
    issues.append(Issue(index + 1, segment, message, severity))  # type: ignore[arg-type]


def _broken(issues: list[Issue], index: int, segment: str, message: str) -> None:
    """An envelope fault that loses or mixes up segments: a received file is refused for it."""
    issues.append(Issue(index + 1, segment, message, "error", None, True))


def _element(segment: list[str], index: int) -> str:
    return segment[index] if len(segment) > index else ""


def _check_isa(segment: list[str], index: int, issues: list[Issue]) -> None:
    if len(segment) != 17:
        _issue(issues, index, "ISA", f"ISA has {len(segment) - 1} elements; it must have 16")
        return
    widths = {1: 2, 2: 10, 3: 2, 4: 10, 5: 2, 6: 15, 7: 2, 8: 15, 9: 6, 10: 4, 11: 1, 12: 5, 13: 9, 14: 1, 15: 1, 16: 1}
    for position, width in widths.items():
        if len(segment[position]) != width:
            _issue(issues, index, "ISA", f"ISA{position:02d} must be exactly {width} characters")
    if segment[1] not in ("00", "03") or segment[3] not in ("00", "01"):
        _issue(issues, index, "ISA", "ISA01/ISA03 qualifiers must be 00, 03 / 00, 01")
    for position in (5, 7):
        if segment[position] not in ("01", "14", "20", "27", "28", "29", "30", "33", "ZZ"):
            _issue(issues, index, "ISA", f"ISA{position:02d} has an interchange id qualifier the guide does not allow")
    if not (segment[9].isdigit() and is_date("20" + segment[9])):
        _issue(issues, index, "ISA", "ISA09 is not a YYMMDD date")
    if not is_time(segment[10]):
        _issue(issues, index, "ISA", "ISA10 is not an HHMM time")
    if segment[12] >= "00501" and segment[11] == segment[16]:
        _issue(issues, index, "ISA", "ISA11 repetition separator is the ISA16 component separator: repetitions are not split", "warning")
    elif segment[12] >= "00501" and segment[11].isalnum():
        _issue(issues, index, "ISA", "ISA11 is a letter or digit, not a repetition separator: repetitions are not split", "warning")
    if segment[12] != "00501":
        _issue(issues, index, "ISA", f"ISA12 version {_code(segment[12])} is not 00501", "warning")
    if not (segment[13].isdigit() and segment[13].isascii()):
        _issue(issues, index, "ISA", "ISA13 interchange control number must be nine digits")
    if segment[14] not in ("0", "1"):
        _issue(issues, index, "ISA", "ISA14 acknowledgment requested must be 0 or 1")
    if segment[15] not in ("P", "T"):
        _issue(issues, index, "ISA", "ISA15 usage indicator must be P or T")


def _code(text: str) -> str:
    """A code from the file, fit to quote in a message: short and alphanumeric, or nothing."""
    return f"'{text}'" if text.isalnum() and text.isascii() and len(text) <= 15 else "(unprintable)"


def _count(text: str) -> int | None:
    """A count element (SE01, GE01, IEA01: at most ten digits), or None when it is not one."""
    return int(text) if len(text) <= 10 and text.isdigit() and text.isascii() else None


def walk_envelopes(tokens: Tokens) -> tuple[list[Interchange], list[Issue]]:
    """Return the interchanges of a tokenized file and the envelope Issues found.

    Raises TruncatedInterchange when the file ends before the IEA of its last interchange.
    """
    segments = tokens.segments
    issues: list[Issue] = []
    interchanges: list[Interchange] = []
    separators_at = dict(tokens.separators)
    separators = tokens.separators[0][1]
    interchange: Interchange | None = None
    group: FunctionalGroup | None = None
    transaction: TransactionSet | None = None
    seen_interchanges: set[str] = set()
    envelope_ids = ENVELOPE_IDS

    def close_transaction(at: int) -> None:
        nonlocal transaction
        assert transaction is not None
        _broken(
            issues, transaction.start, "ST", f"transaction set {_code(transaction.control_number)} has no SE trailer"
        )
        transaction.end = at
        transaction = None

    def close_group(at: int) -> None:
        nonlocal group
        if transaction is not None:
            close_transaction(at)
        assert group is not None
        _issue(issues, group.position - 1, "GS", f"functional group {_code(group.control_number)} has no GE trailer")
        group = None

    # Visit only the envelope segments; everything between them is checked only for lying
    # outside ST/SE.
    positions = [index for index, segment in enumerate(segments) if segment[0] in envelope_ids]
    previous = -1
    for index in positions:
        if transaction is None and index > previous + 1:
            _broken(
                issues,
                previous + 1,
                _segment_label(segments[previous + 1][0]),
                "segment is outside any transaction set (ST/SE)",
            )
        previous = index
        segment = segments[index]
        segment_id = segment[0]
        if segment_id == "ISA":
            if interchange is not None:
                if group is not None:
                    close_group(index)
                _issue(
                    issues,
                    interchange.position - 1,
                    "ISA",
                    f"interchange {_code(interchange.control_number)} has no IEA trailer",
                )
            separators = separators_at.get(index, separators)
            _check_isa(segment, index, issues)
            isa = segment + [""] * (17 - len(segment)) if len(segment) < 17 else segment
            interchange = Interchange(
                isa[5], isa[6].strip(), isa[7], isa[8].strip(), isa[13], isa[12], isa[15], separators, index + 1
            )
            if isa[13] in seen_interchanges:
                _issue(
                    issues,
                    index,
                    "ISA",
                    f"interchange control number {_code(isa[13])} appears twice in this file",
                    "warning",
                )
            seen_interchanges.add(isa[13])
            interchanges.append(interchange)
        elif segment_id == "GS":
            if interchange is None:
                _broken(issues, index, "GS", "GS is outside an interchange (no ISA before it)")
                continue
            if group is not None:
                close_group(index)
            gs = segment + [""] * (9 - len(segment)) if len(segment) < 9 else segment
            if len(segment) != 9:
                _issue(issues, index, "GS", f"GS has {len(segment) - 1} elements; it must have 8")
            if not (gs[6].isdigit() and gs[6].isascii() and len(gs[6]) <= 9):
                _issue(issues, index, "GS", "GS06 group control number must be 1-9 digits")
            if not is_date(gs[4]):
                _issue(issues, index, "GS", "GS04 is not a CCYYMMDD date")
            if not is_time(gs[5]):
                _issue(issues, index, "GS", "GS05 is not an HHMM time")
            if gs[7] != "X":
                _issue(issues, index, "GS", "GS07 responsible agency code must be X")
            if any(other.control_number == gs[6] for other in interchange.groups):
                _issue(issues, index, "GS", f"group control number {_code(gs[6])} is used twice in this interchange")
            group = FunctionalGroup(gs[1], gs[2], gs[3], gs[6], gs[8], index + 1)
            interchange.groups.append(group)
        elif segment_id == "ST":
            if group is None:
                _broken(issues, index, "ST", "ST is outside a functional group (no GS before it)")
                continue
            if transaction is not None:
                close_transaction(index)
            set_id, control_number, version = _element(segment, 1), _element(segment, 2), _element(segment, 3)
            if not 4 <= len(control_number) <= 9:
                _issue(issues, index, "ST", "ST02 transaction set control number must be 4-9 characters")
            if any(other.control_number == control_number for other in group.transactions):
                _issue(
                    issues,
                    index,
                    "ST",
                    f"transaction set control number {_code(control_number)} is used twice in this group",
                )
            expected_group = FUNCTIONAL_IDS.get(set_id)
            if expected_group and group.functional_id != expected_group:
                _issue(
                    issues,
                    index,
                    "ST",
                    f"a {_code(set_id)} transaction set belongs in a GS01 {expected_group} group, not {_code(group.functional_id)}",
                )
            if version and group.version and version != group.version:
                _issue(issues, index, "ST", "ST03 implementation version differs from GS08")
            transaction = TransactionSet(set_id, control_number, version or group.version, index, index + 1, separators)
            group.transactions.append(transaction)
        elif segment_id == "SE":
            if transaction is None:
                _issue(issues, index, "SE", "SE without a matching ST")
                continue
            transaction.end = index
            counted = index - transaction.start + 1
            declared = _count(_element(segment, 1))
            if declared != counted:
                _issue(
                    issues,
                    index,
                    "SE",
                    f"SE01 segment count is {_element(segment, 1) if declared is not None else 'not a number'}; the transaction set has {counted} segments",
                )
            if _element(segment, 2) != transaction.control_number:
                _issue(issues, index, "SE", "SE02 does not match ST02 control number")
            transaction = None
        elif segment_id == "GE":
            if group is None:
                _issue(issues, index, "GE", "GE without a matching GS")
                continue
            if transaction is not None:
                close_transaction(index)
            declared = _count(_element(segment, 1))
            if declared != len(group.transactions):
                _issue(
                    issues,
                    index,
                    "GE",
                    f"GE01 transaction set count does not match: the group has {len(group.transactions)}",
                )
            if _element(segment, 2) != group.control_number:
                _issue(issues, index, "GE", "GE02 does not match GS06 group control number")
            group = None
        else:  # IEA
            if interchange is None:
                _issue(issues, index, "IEA", "IEA without a matching ISA")
                continue
            if group is not None:
                close_group(index)
            declared = _count(_element(segment, 1))
            if declared != len(interchange.groups):
                _issue(
                    issues,
                    index,
                    "IEA",
                    f"IEA01 group count does not match: the interchange has {len(interchange.groups)}",
                )
            if _element(segment, 2) != interchange.control_number:
                _issue(issues, index, "IEA", "IEA02 does not match ISA13 interchange control number")
            interchange = None
    if transaction is None and previous < len(segments) - 1:
        _broken(
            issues,
            previous + 1,
            _segment_label(segments[previous + 1][0]),
            "segment is outside any transaction set (ST/SE)",
        )
    if interchange is not None:
        raise TruncatedInterchange(
            f"the file ends inside interchange {_code(interchange.control_number)} (no IEA): it looks truncated",
            position=len(segments),
            segment=_segment_label(segments[-1][0]) if segments else "",
        )
    return interchanges, issues


def _segment_label(segment_id: str) -> str:
    """The segment id if it looks like one (2-3 upper-case letters/digits), else '?'."""
    if 2 <= len(segment_id) <= 3 and segment_id.isalnum() and segment_id.isascii() and segment_id.isupper():
        return segment_id
    return "?"
