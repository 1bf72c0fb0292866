"""MLLP, the minimal framing HL7 v2 uses over TCP: <VT> message <FS><CR>. Shared by registration's
listener, the simulated EHR and the test client, so both ends frame alike."""

from __future__ import annotations

START, END = b"\x0b", b"\x1c\x0d"


def frame(message: str | bytes) -> bytes:
    """One MLLP frame."""
    body = message.encode() if isinstance(message, str) else message
    return START + body + END


def unframe(chunk: bytes) -> bytes:
    """The message inside a frame read up to and including END (bytes before START dropped)."""
    return chunk[chunk.index(START) + 1:-len(END)]
