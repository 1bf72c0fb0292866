"""What every rule set has: a place to put Issues, and helpers to read amounts without raising."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from shared.codes.npi import is_valid_npi
from shared.x12.errors import Issue, Severity
from shared.x12.separators import Separators
from shared.x12.values import is_number, small_whole

Handler = Callable[[int, str, list[str]], None]

CANADIAN_PROVINCES = frozenset({"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"})
US_STATES = (
    frozenset(
        {
            "AL",
            "AK",
            "AZ",
            "AR",
            "CA",
            "CO",
            "CT",
            "DE",
            "DC",
            "FL",
            "GA",
            "HI",
            "ID",
            "IL",
            "IN",
            "IA",
            "KS",
            "KY",
            "LA",
            "ME",
            "MD",
            "MA",
            "MI",
            "MN",
            "MS",
            "MO",
            "MT",
            "NE",
            "NV",
            "NH",
            "NJ",
            "NM",
            "NY",
            "NC",
            "ND",
            "OH",
            "OK",
            "OR",
            "PA",
            "RI",
            "SC",
            "SD",
            "TN",
            "TX",
            "UT",
            "VT",
            "VA",
            "WA",
            "WV",
            "WI",
            "WY",
            "AS",
            "GU",
            "MP",
            "PR",
            "VI",
            "FM",
            "MH",
            "PW",
            "AA",
            "AE",
            "AP",
        }
    )
    | CANADIAN_PROVINCES
)


def element(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


def money(value: str) -> Decimal | None:
    """The amount in `value`, or None when it is absent or not a number (syntax reports that)."""
    return Decimal(value) if value and is_number(value) else None


class Rules:
    """Base of the per-transaction rule sets. Subclasses fill `handlers` and may override `finish`."""

    def __init__(self, issues: list[Issue], separators: Separators) -> None:
        self.issues = issues
        self.separators = separators
        self.handlers: dict[str, Handler] = {"NM1": self.check_npi, "N1": self.check_npi, "N4": self.check_postal}
        # segment id -> the loops where its handler matters; a handler not listed runs everywhere
        self.only_in: dict[str, frozenset[str]] = {}
        self._valid_npis: set[str] = set()

    def handlers_in(self, loop_id: str) -> dict[str, Handler]:
        """The handlers that apply to segments of loop `loop_id`."""
        return {
            segment_id: handler
            for segment_id, handler in self.handlers.items()
            if segment_id not in self.only_in or loop_id in self.only_in[segment_id]
        }

    def report(
        self, index: int, segment_id: str, message: str, loop: str | None = None, severity: Severity = "error"
    ) -> None:
        self.issues.append(Issue(index + 1, segment_id, message, severity, loop))

    def unbalanced(self, index: int, segment_id: str, message: str, loop: str) -> None:
        """Money that does not add up: a received file is refused for it (Issue.blocking)."""
        self.issues.append(Issue(index + 1, segment_id, message, "error", loop, True))

    def check_npi(self, index: int, loop: str, segment: list[str]) -> None:
        at = 8 if segment[0] == "NM1" else 3  # NM108/NM109 or N103/N104
        if len(segment) <= at + 1 or segment[at] != "XX":
            return
        identifier = segment[at + 1]
        where = "NM109" if at == 8 else "N104"
        if not identifier or identifier in self._valid_npis:
            return
        if is_valid_npi(identifier):
            self._valid_npis.add(identifier)
        else:
            self.report(index, segment[0], f"{where} is not a valid NPI (ten digits with a correct check digit)", loop)

    def check_postal(self, index: int, loop: str, segment: list[str]) -> None:
        state, postal, country = element(segment, 2), element(segment, 3), element(segment, 4)
        if country and country != "US":
            return
        if state and state not in US_STATES:
            self.report(index, "N4", "N402 is not a US state or Canadian province code", loop)
        us_postal = postal.isdigit() and postal.isascii() and len(postal) in (5, 9)
        if postal and state not in CANADIAN_PROVINCES and not us_postal:
            self.report(index, "N4", "N403 is not a five- or nine-digit ZIP code", loop)

    def finish(self) -> None:
        """Called after the last segment of the transaction set."""


class Hierarchy:
    """HL rules: HL01 counts up from 1, HL02 names an earlier HL, HL04 tells the truth about children."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.seen: set[str] = set()
        self.expected = 1
        self.previous: tuple[int, str, str] | None = None  # (index, id, child code)

    def check(self, index: int, loop: str, segment: list[str]) -> None:
        rules = self.rules
        identifier, parent, child_code = element(segment, 1), element(segment, 2), element(segment, 4)
        if identifier != str(self.expected):
            rules.report(index, "HL", f"HL01 should be {self.expected}: hierarchical ids count up from 1", loop)
        if (number := small_whole(identifier)) is not None:
            self.expected = number + 1
        if parent and parent not in self.seen:
            rules.report(index, "HL", "HL02 names a parent HL that does not come before it", loop)
        previous = self.previous
        if previous is not None:
            previous_index, previous_id, previous_child = previous
            has_child = parent == previous_id
            if previous_child == "0" and has_child:
                rules.report(previous_index, "HL", "HL04 says no child levels follow, but one does", None)
            elif previous_child == "1" and not has_child:
                rules.report(previous_index, "HL", "HL04 says child levels follow, but none does", None)
        self.seen.add(identifier)
        self.previous = (index, identifier, child_code)

    def finish(self) -> None:
        if self.previous is not None and self.previous[2] == "1":
            self.rules.report(self.previous[0], "HL", "HL04 says child levels follow, but none does")
