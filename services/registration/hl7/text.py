"""HL7 v2 message text split on demand: the fields the mapping reads, nothing else.

python-hl7's `hl7.parse` builds a container for every field, repetition, component and
subcomponent of a message (some 165 objects for an A04 with charges), which caps a listener at
about 1,100 messages/s on a small machine. The mapping reads some 40 values, so this module splits
each segment into fields once and splits a field further only when it is read. The answers are
python-hl7's: `Hl7Text.get` returns what `Segment.extract_field` returns (MSH-1 and MSH-2 raw,
everything else unescaped by python-hl7's own `hl7.util.unescape`), and the unit tests compare
the two on hand-written and generated messages (python-hl7 is the test oracle there).
"""

from __future__ import annotations

import logging
from functools import lru_cache

import hl7.util
from hl7.util import unescape

# python-hl7 logs an escape it cannot decode with the field's value (PHI) at ERROR, under a logger
# named after its file. The value is kept as sent either way; the log line is not wanted.
logging.getLogger(hl7.util.__file__).disabled = True


class _Separators:
    """What `hl7.util.unescape` reads from a message: the escape character and the separators
    (segment, field, repetition, component, subcomponent)."""

    __slots__ = ("esc", "separators")

    def __init__(self, field: str, encoding: str) -> None:
        component, repetition, escape, sub = encoding
        self.esc = escape
        self.separators = ("\r", field, repetition, component, sub)


@lru_cache(maxsize=64)  # senders use one or two sets of encoding characters
def _separators(field: str, encoding: str) -> _Separators:
    return _Separators(field, encoding)


class Segment:
    """One segment: its name and its fields as text, HL7-numbered (`field(3)` is PID-3)."""

    __slots__ = ("name", "_fields", "_trees")

    def __init__(self, name: str, fields: list[str]) -> None:
        self.name = name
        self._fields = fields  # fields[n] is field n; fields[0] is the name
        self._trees: dict[int, list[list[list[str]]]] = {}  # field -> repetitions/components/subcomponents

    def field(self, number: int) -> str:
        """The raw text of field `number` ("" when absent)."""
        fields = self._fields
        return fields[number] if 0 < number < len(fields) else ""


class Hl7Text:
    """A message's segments, split into fields; a field is split further (repetitions, components,
    subcomponents) the first time it is read, and a value is unescaped when it is returned."""

    __slots__ = ("segments", "_repetition", "_component", "_sub", "_escape", "_unescape_with")

    def __init__(self, text: str, field_separator: str, encoding_characters: str) -> None:
        """`text`: segments separated by CR (see mapping.normalize); the separators come from MSH."""
        self._component, self._repetition, self._escape, self._sub = encoding_characters
        self._unescape_with = _separators(field_separator, encoding_characters)
        self.segments: list[Segment] = []
        for line in text.strip().split("\r"):  # python-hl7 strips the message's outer whitespace too
            if line:
                fields = line.split(field_separator)
                if fields[0] == "MSH":  # MSH-1 is the field separator itself: MSH-2 is the first piece after it
                    fields.insert(1, field_separator)
                self.segments.append(Segment(fields[0], fields))

    def all(self, name: str) -> list[Segment]:
        return [segment for segment in self.segments if segment.name == name]

    def first(self, name: str) -> Segment | None:
        for segment in self.segments:
            if segment.name == name:
                return segment
        return None

    def _tree(self, segment: Segment, field: int) -> list[list[list[str]]]:
        tree = segment._trees.get(field)
        if tree is None:
            value = segment.field(field)
            component, sub = self._component, self._sub
            tree = [[part.split(sub) for part in repetition.split(component)]
                    for repetition in value.split(self._repetition)] if value else []
            segment._trees[field] = tree
        return tree

    def repetitions(self, segment: Segment, field: int) -> int:
        """How many repetitions field `field` holds (0 when it is empty)."""
        return len(self._tree(segment, field))

    def get(self, segment: Segment, field: int, repetition: int = 1, component: int = 1, sub: int = 1) -> str:
        """One value, unescaped and stripped; "" when any part of the path is absent."""
        if segment.name == "MSH" and field in (1, 2):
            return segment.field(field) if repetition == component == sub == 1 else ""
        try:
            value = self._tree(segment, field)[repetition - 1][component - 1][sub - 1]
        except IndexError:
            return ""
        if self._escape in value:
            value = unescape(self._unescape_with, value)
        return value.strip()
