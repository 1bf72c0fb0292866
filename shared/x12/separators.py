"""The four X12 delimiters, read from the fixed-layout ISA segment that opens every interchange.

ISA is 106 characters when its fields are padded as the standard requires: the element separator is
character 3, the component separator character 104 and the segment terminator character 105;
in version 00501 ISA11 (character 82) is the repetition separator. Senders that do not pad ISA are
common enough that we also find the separators by counting sixteen element separators.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.x12.errors import MalformedInterchange, NotX12

_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class Separators:
    element: str = "*"
    repetition: str = "^"
    component: str = ":"
    segment: str = "~"
    # written after each terminator (e.g. "\n" for one segment per line); readers ignore it
    line_break: str = "\n"

    def __post_init__(self) -> None:
        delimiters = [self.element, self.component, self.segment]
        if self.repetition:
            delimiters.append(self.repetition)
        for delimiter in delimiters:
            if len(delimiter) != 1 or delimiter.isalnum() or delimiter == " ":
                raise MalformedInterchange("a separator must be one character that is not a letter, digit or space")
        if len(set(delimiters)) != len(delimiters):
            raise MalformedInterchange("the ISA separators are not distinct")
        if self.line_break.strip(_WHITESPACE):
            raise MalformedInterchange("the line break after a segment may only be whitespace")

    @property
    def delimiters(self) -> str:
        return self.element + self.component + self.segment + (self.repetition or "")


DEFAULT = Separators()
COMPACT = Separators(line_break="")


def detect_separators(text: str, start: int = 0) -> Separators:
    """Return the separators of the interchange whose ISA begins at `text[start]`.

    Raises NotX12 if there is no ISA there, MalformedInterchange if its separators are unusable.
    """
    if text[start : start + 3] != "ISA":
        raise NotX12("the input does not start with an ISA interchange header")
    if len(text) < start + 4:
        raise MalformedInterchange("the ISA header is cut off")
    element = text[start + 3]
    if element.isalnum() or element in _WHITESPACE:
        raise MalformedInterchange("the ISA element separator is a letter, digit or whitespace")
    fixed_end = start + 103
    if len(text) > start + 105 and text[fixed_end] == element and text.count(element, start, fixed_end + 1) == 16:
        last_separator = fixed_end
    else:
        # unpadded ISA: the sixteenth element separator precedes ISA16
        last_separator = start + 3
        for _ in range(15):
            last_separator = text.find(element, last_separator + 1, start + 400)
            if last_separator < 0:
                raise MalformedInterchange("the ISA header does not have sixteen elements")
    if len(text) < last_separator + 3:
        raise MalformedInterchange("the ISA header is cut off before its segment terminator")
    component = text[last_separator + 1]
    terminator = text[last_separator + 2]
    fields = text[start:last_separator].split(element)
    if len(fields) != 16:
        raise MalformedInterchange("the ISA header does not have sixteen elements")
    version = fields[12].strip()
    repetition = fields[11] if len(fields[11]) == 1 else ""
    if version < "00501" or repetition.isalnum() or repetition == component:
        # 4010 and earlier: ISA11 is a standards identifier ("U"), not a separator; a sender that
        # repeats the component separator in ISA11 cannot mean repetitions (the envelope warns)
        repetition = ""
    after = last_separator + 3
    line_break = ""
    while after < len(text) and len(line_break) < 2 and text[after] in "\r\n" and text[after] != terminator:
        line_break += text[after]
        after += 1
    return Separators(element, repetition, component, terminator, line_break)
