"""What can go wrong with an X12 file, said without PHI.

Two kinds of trouble:

- An `Issue` is a finding about a file we could read: a wrong count, a missing element, claims that
  do not balance. Issues are collected, never raised, so one pass reports all of them.
- An `X12Error` is raised when a file cannot be read at all (not X12, a damaged ISA header, cut off
  before its IEA) or when a writer is given a value it cannot encode.

Messages name segment positions, segment ids, element ids, codes and amounts. They never echo
names, dates of birth, member ids, addresses or other free text from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.errors import RcmError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding. `position` is the 1-based ordinal of the segment in the file (0: the file)."""

    position: int
    segment: str
    message: str
    severity: Severity = "error"
    loop: str | None = None
    # True when the file cannot be used as the sender meant it: money that does not add up, a
    # transaction set that cannot be mapped, segments outside the envelopes. A received file is
    # refused only for these; the guide's other findings are flagged (validate(received=True)).
    blocking: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"position": self.position, "segment": self.segment, "loop": self.loop, "message": self.message,
                "blocking": self.blocking}

    def __str__(self) -> str:
        where = f"segment {self.position} {self.segment}" if self.position else "file"
        if self.loop:
            where += f" (loop {self.loop})"
        return f"{where}: {self.message}"


class X12Error(Exception):
    """Base of every error the codec raises. `code` is short and stable, for DLQ reasons and metrics."""

    code = "x12_error"

    def __init__(self, message: str, *, position: int = 0, segment: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.segment = segment

    def __str__(self) -> str:
        if self.position:
            return f"segment {self.position} {self.segment}: {self.message}"
        return self.message


class NotX12(X12Error):
    """The input does not start with an ISA interchange header: empty, binary, or another format."""

    code = "not_x12"


class MalformedInterchange(X12Error):
    """An ISA header is present but its separators or fields cannot be made out."""

    code = "malformed_interchange"


class TruncatedInterchange(X12Error):
    """The file ends inside an interchange (no IEA): it was cut off in transfer or storage."""

    code = "truncated"


class TooLarge(X12Error):
    """The file is larger than the configured maximum (shared/x12/limits.py); nothing was read."""

    code = "too_large"


class UnexpectedInput(X12Error):
    """The reader failed in a way it did not foresee; the message names only the exception type."""

    code = "unreadable"


class InvalidX12(X12Error):
    """Validation found errors; `issues` lists them (without PHI)."""

    code = "invalid"

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues = tuple(issues)
        first = str(self.issues[0]) if self.issues else "no details"
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(f"invalid X12: {first}{more}")


class UnencodableValue(X12Error):
    """A writer was given a value X12 cannot carry (it contains a separator, or is missing)."""

    code = "unencodable"


class ContractMismatch(X12Error):
    """A value read from a file does not fit the platform's event contract (shared/events.py)."""

    code = "contract_mismatch"


class MappingError(X12Error):
    """A transaction set could not be mapped to its model; reported as an Issue by the reader."""

    code = "mapping"


def rejection(error: X12Error) -> RcmError:
    """The same trouble as a service's bad-input error, for the dead-letter topic: code
    `X12_<CODE>` (e.g. X12_INVALID, X12_NOT_X12) and the PHI-free message."""
    return RcmError(str(error)[:500], code="X12_" + error.code.upper().removeprefix("X12_"))
