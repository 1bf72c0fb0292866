"""Reading MLLP frames from a stranger within limits: frame size, idle time between messages, time
between reads inside a frame, and time for a whole frame.

`FrameReader.next()` returns one frame's bytes (from the start block to the end block) or raises:
`Idle` when no message began within the idle time (the sender may reconnect), `TooSlow` when a
frame began but did not end in time, `FrameTooLarge` when it outgrew the limit (its remaining
bytes are then skipped up to its end block, within the same time bound, so the conversation can go
on), `Ended` when the peer closed. The buffer never holds more than the limit plus one read.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from shared.mllp import END, START

READ_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class MllpLimits:
    """Limits of one MLLP listener (see services/registration/README.md)."""

    max_frame_bytes: int = 1 << 20
    max_connections: int = 64
    idle_seconds: float = 300.0  # no message for this long: the connection is closed
    read_seconds: float = 15.0  # inside a frame, no byte for this long: refused (AR) and closed
    message_seconds: float = 60.0  # a frame not complete this long after it began: refused and closed
    handshake_seconds: float = 15.0  # TLS handshake


class Idle(Exception):
    """No message began within the idle time."""


class TooSlow(Exception):
    """A frame began and did not complete in time."""


class FrameTooLarge(Exception):
    """A frame outgrew the limit; its bytes up to its end block were skipped."""


class Ended(Exception):
    """The peer closed; `partial` counts the bytes of an unfinished frame (nothing of it is used)."""

    def __init__(self, partial: int) -> None:
        super().__init__(partial)
        self.partial = partial


class FrameReader:
    def __init__(self, reader: asyncio.StreamReader, limits: MllpLimits) -> None:
        self._reader = reader
        self._limits = limits
        self._buffer = bytearray()
        self._scanned = 0  # the end block was looked for up to here

    async def next(self) -> bytes:
        """The next chunk up to and including an end block (the caller looks for the start block)."""
        began: float | None = None
        while True:
            found = self._buffer.find(END, max(0, self._scanned - 1))
            if found >= 0:
                chunk = bytes(self._buffer[:found + len(END)])
                del self._buffer[:found + len(END)]
                self._scanned = 0
                if found > self._limits.max_frame_bytes:  # it arrived whole within one read
                    raise FrameTooLarge()
                return chunk
            self._scanned = len(self._buffer)
            if began is None and self._buffer.strip():
                began = time.monotonic()
            if len(self._buffer) > self._limits.max_frame_bytes:
                await self._skip_to_end(began or time.monotonic())
                raise FrameTooLarge()
            await self._read(began)

    async def _read(self, began: float | None) -> None:
        if began is None:
            timeout, error = self._limits.idle_seconds, Idle
        else:
            left = began + self._limits.message_seconds - time.monotonic()
            timeout, error = max(0.0, min(self._limits.read_seconds, left)), TooSlow
        try:
            data = await asyncio.wait_for(self._reader.read(READ_SIZE), timeout)
        except TimeoutError:
            raise error() from None
        if not data:
            raise Ended(len(self._buffer.strip()))
        self._buffer += data

    async def _skip_to_end(self, began: float) -> None:
        """Drop the oversized frame's bytes through its end block (kept: what follows it)."""
        while True:
            found = self._buffer.find(END, max(0, self._scanned - 1))
            if found >= 0:
                del self._buffer[:found + len(END)]
                self._scanned = 0
                return
            tail = self._buffer[-1:]  # an end block may straddle two reads
            self._buffer = bytearray(tail)
            self._scanned = 0
            await self._read(began)


def body_of(chunk: bytes) -> bytes | None:
    """The message inside a chunk read up to its end block; None when it has no start block."""
    start = chunk.rfind(START)
    return None if start < 0 else chunk[start + 1:-len(END)]
