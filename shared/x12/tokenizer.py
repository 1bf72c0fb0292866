"""Split an X12 file into segments and elements, in time and memory linear in its size.

Each interchange is split with the separators its own ISA declares: we look for the next ISA that
begins a segment (only whitespace between it and the previous terminator), split the text before
it in one `str.split`, and go on from there. Every character is split once, whatever the
separators of the interchanges. What real senders add around segments is ignored: a byte-order
mark, CR, LF or CRLF line endings (or none), indentation and blank lines, and empty segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from shared.x12.errors import NotX12, TooLarge, X12Error
from shared.x12.limits import max_bytes as configured_max_bytes
from shared.x12.separators import Separators, detect_separators

_LEADING_JUNK = "\ufeff \t\r\n"
_WHITESPACE = " \t\r\n"


@dataclass(slots=True)
class Tokens:
    """Segments of a file. `raw[i]` is the text of segment i without terminator or surrounding
    whitespace; `segments[i]` its element list (element 0 is the segment id). `separators` pairs
    the index of every ISA with the separators it declares.

    Element lists are many small objects that the garbage collector walks for as long as they
    live, so a reader drops them once its models are built (`drop_elements`) and they are split
    again from the texts if validation asks for them.
    """

    raw: list[str]
    separators: list[tuple[int, Separators]]
    _segments: list[list[str]] | None = None

    @property
    def segments(self) -> list[list[str]]:
        if self._segments is None:
            self._segments = self._split()
        return self._segments

    def drop_elements(self) -> None:
        self._segments = None

    def _split(self) -> list[list[str]]:
        raw = self.raw
        bounds = [*self.separators, (len(raw), None)]
        segments: list[list[str]] = []
        for (start, separators), (end, _) in pairwise(bounds):
            element = separators.element  # type: ignore[union-attr]
            segments.extend(piece.split(element) for piece in raw[start:end])
        return segments


def decode(data: str | bytes) -> str:
    """Return the text of `data`: UTF-8 when it decodes, else Latin-1 (which never fails)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_size(data: str | bytes, limit: int | None = None) -> None:
    """Raise TooLarge when `data` is over `limit` bytes (characters for text); None: the configured
    maximum (shared/x12/limits.py)."""
    limit = configured_max_bytes() if limit is None else limit
    if len(data) > limit:
        raise TooLarge(f"the file is {len(data)} bytes; the most this reader accepts is {limit}")


def tokenize(data: str | bytes, *, max_bytes: int | None = None) -> Tokens:
    """Split `data` into segments. Raises TooLarge over the size limit, NotX12 or
    MalformedInterchange if the first ISA is unusable."""
    check_size(data, max_bytes)
    text = decode(data).lstrip(_LEADING_JUNK)
    if not text:
        raise NotX12("the input is empty")
    separators = detect_separators(text, 0)
    tokens = Tokens([], [(0, separators)])
    if text.find("ISA", 3) < 0:
        _split_into(tokens.raw, text, separators)
        return tokens
    start, search = 0, 3
    while True:
        at = _next_isa(text, search, separators.segment)
        if at < 0:
            _split_into(tokens.raw, text[start:] if start else text, separators)
            return tokens
        try:
            following = detect_separators(text, at)
        except X12Error:
            # a damaged ISA: the envelope check reports it; keep splitting with what we have
            search = at + 3
            continue
        _split_into(tokens.raw, text[start:at], separators)
        tokens.separators.append((len(tokens.raw), following))
        separators, start, search = following, at, at + 3


def _next_isa(text: str, search: int, terminator: str) -> int:
    """Index of the next "ISA" at or after `search` that begins a segment, or -1. Each candidate
    looks back only over the whitespace before it, so the whole search is linear."""
    at = text.find("ISA", search)
    while at >= 0:
        before = at - 1
        while before >= 0 and text[before] != terminator and text[before] in _WHITESPACE:
            before -= 1
        if before >= 0 and text[before] == terminator:
            return at
        at = text.find("ISA", at + 3)
    return -1


def _split_into(raw: list[str], text: str, separators: Separators) -> None:
    """Append the segments of one interchange's text to `raw`."""
    terminator = separators.segment
    line_break = separators.line_break
    if line_break and _only_after_terminators(text, terminator, line_break):
        # every terminator is followed by the same line break and there is no other whitespace
        pieces = text.split(terminator + line_break)
    else:
        pieces = text.split(terminator)
        if "\n" in text or "\r" in text or "\t" in text or (terminator + " ") in text:
            pieces = [piece.strip(_WHITESPACE) for piece in pieces]
    if "" in pieces:
        pieces = [piece for piece in pieces if piece]  # blank lines, "~~", the end after the last "~"
    raw.extend(pieces)


def _only_after_terminators(text: str, terminator: str, line_break: str) -> bool:
    """True when line breaks appear only right after terminators, and never followed by blanks."""
    breaks = text.count(terminator + line_break)
    if text.count(terminator) != breaks or (terminator + line_break + " ") in text:
        return False
    if "\t" in text:
        return False
    return all(text.count(character) == breaks * line_break.count(character) for character in "\r\n")
