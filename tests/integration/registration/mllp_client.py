"""A small MLLP client for tests and the benchmark: send frames, read ACK frames."""

from __future__ import annotations

import asyncio
import ssl

import hl7

from shared.mllp import END, START, frame, unframe

__all__ = ["END", "START", "MllpClient", "msa"]


class MllpClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> MllpClient:
        """A connection; with `tls`, mutual TLS presenting that context's client certificate."""
        return cls(*await asyncio.open_connection(host, port, ssl=tls))

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read_ack(self, timeout: float = 15.0) -> hl7.Message:
        reply = await asyncio.wait_for(self.reader.readuntil(END), timeout)
        return hl7.parse(unframe(reply).decode())

    async def send(self, message: str, timeout: float = 15.0) -> hl7.Message:
        await self.send_raw(frame(message))
        return await self.read_ack(timeout)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def msa(ack: hl7.Message) -> tuple[str, str]:
    """(MSA-1, MSA-2): the acknowledgement code and the control id it answers."""
    return str(ack["MSA.F1"]), str(ack["MSA.F2"])
