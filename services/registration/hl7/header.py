"""An HL7 v2 message's header (MSH), read before anything else: enough to acknowledge any message
we can read at all, with the sender's own separators. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass


class MappingError(Exception):
    """The message cannot be applied. `ack_code` is AE (a field is wrong) or AR (the message is not
    for us: unknown type, facility or unreadable header). `field` names the HL7 field, e.g. PID-3."""

    def __init__(self, ack_code: str, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.ack_code = ack_code
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class Header:
    """What MSH says: enough to acknowledge any message we can read at all."""

    field_separator: str
    encoding_characters: str
    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    message_type: str
    trigger: str
    control_id: str
    processing_id: str
    version: str


def normalize(text: str) -> str:
    """Segments separated by CR, as HL7 wants; LF and CRLF files are accepted too."""
    text = text.removeprefix("\ufeff")  # a byte order mark some tools write before MSH
    return "\r".join(line for line in re.split(r"\r\n|\r|\n", text.strip("\r\n\x0b\x1c")) if line.strip())


def split_messages(text: str) -> list[str]:
    """A file or stream of several messages: each starts at an MSH segment."""
    messages: list[list[str]] = []
    for line in normalize(text).split("\r"):
        if line.startswith("MSH") or not messages:
            messages.append([line])
        else:
            messages[-1].append(line)
    return ["\r".join(m) for m in messages]


def read_header(text: str) -> Header:
    """MSH of `text`; raise MappingError (AR) if there is no readable MSH."""
    text = normalize(text)
    if not text.startswith("MSH") or len(text) < 8:
        raise MappingError("AR", "MSH-1", "NO_MSH", "message does not start with an MSH segment")
    separator, encoding = text[3], text[4:8]
    if separator.isalnum() or len(set(encoding + separator)) != 5 or any(c.isalnum() or c in "\r\n" for c in encoding):
        raise MappingError("AR", "MSH-2", "BAD_ENCODING_CHARACTERS", "MSH-1/MSH-2 encoding characters are not usable")
    fields = text.split("\r", 1)[0].split(separator)
    component = encoding[0]

    def at(number: int, component_index: int = 0) -> str:
        index = number - 1  # MSH-1 is the separator itself, so MSH-n is fields[n-1]
        value = fields[index] if index < len(fields) else ""
        parts = value.split(encoding[1])[0].split(component)
        return parts[component_index] if component_index < len(parts) else ""

    header = Header(separator, encoding, at(3), at(4), at(5), at(6), at(9, 0), at(9, 1), at(10), at(11), at(12))
    if not header.control_id:
        raise MappingError("AR", "MSH-10", "NO_CONTROL_ID", "MSH-10 message control id is empty")
    return header
