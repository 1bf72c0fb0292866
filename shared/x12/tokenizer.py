"""Split an X12 file into segments and elements in one pass of `str.split`.

The separators come from each interchange's ISA. A file usually holds one interchange, or several
with the same separators; only when a later ISA declares different ones do we split the rest of the
file again from that ISA.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from shared.x12.errors import MalformedInterchange, NotX12
from shared.x12.separators import Separators, detect_separators

_LEADING_JUNK = "\ufeff \t\r\n"


@dataclass(slots=True)
class Tokens:
    """Segments of a file. `raw[i]` is the text of segment i without terminator or surrounding
    line breaks; `segments[i]` its element list (element 0 is the segment id). `separators` pairs
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


def tokenize(data: str | bytes) -> Tokens:
    """Split `data` into segments. Raises NotX12 or MalformedInterchange if the first ISA is unusable."""
    text = decode(data).lstrip(_LEADING_JUNK)
    if not text:
        raise NotX12("the input is empty")
    return _tokenize_from(text)


def _tokenize_from(text: str) -> Tokens:
    separators = detect_separators(text, 0)
    terminator = separators.segment
    element = separators.element
    line_break = separators.line_break
    if line_break and _only_after_terminators(text, terminator, line_break):
        # every terminator is followed by the same line break and there is no other whitespace to
        # strip: split on both at once
        terminator = terminator + line_break
        pieces = text.split(terminator)
        raw = pieces
        if pieces and not pieces[-1].strip():
            pieces[-1] = ""
    else:
        pieces = text.split(terminator)
        if "\n" in text or "\r" in text or (terminator + " ") in text or (terminator + "\t") in text:
            raw = [piece.strip() for piece in pieces]
        else:
            raw = pieces
    if raw and not raw[-1]:
        raw.pop()
    segments = [piece.split(element) for piece in raw]
    tokens = Tokens(raw, [(0, separators)], segments)
    if text.count("ISA", 3) == 0:
        return tokens
    for index in range(1, len(segments)):
        if not raw[index].startswith("ISA"):
            continue
        segment = segments[index]
        if segment[0] == "ISA" and len(segment) == 17 and len(segment[16]) == 1:
            tokens.separators.append((index, _same_split(segment, separators)))
            continue
        # a later interchange with other separators: split the rest of the file again from its ISA
        offset = sum(len(piece) for piece in pieces[:index]) + index * len(terminator)
        rest = _tokenize_from(text[offset:].lstrip(_LEADING_JUNK))
        del segments[index:], raw[index:]
        segments.extend(rest.segments)
        raw.extend(rest.raw)
        tokens.separators.extend((index + at, found) for at, found in rest.separators)
        break
    return tokens


def _only_after_terminators(text: str, terminator: str, line_break: str) -> bool:
    """True when line breaks appear only right after terminators, and never followed by blanks."""
    breaks = text.count(terminator + line_break)
    if text.count(terminator) != breaks or (terminator + line_break + " ") in text:
        return False
    return all(text.count(character) == breaks * line_break.count(character) for character in "\r\n")


def _same_split(isa: list[str], first: Separators) -> Separators:
    """Separators of a later ISA that splits with the same element separator and terminator."""
    repetition = isa[11] if len(isa[11]) == 1 and not isa[11].isalnum() and isa[12] >= "00501" else ""
    try:
        return Separators(first.element, repetition, isa[16], first.segment, first.line_break)
    except MalformedInterchange:  # the envelope check reports the damaged ISA; keep splitting as before
        return first
