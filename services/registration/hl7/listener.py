"""The MLLP listener: HL7 v2 over TCP, one ACK per message, several messages per connection.

MLLP frames a message as <VT> message <FS><CR>. Bytes outside a frame are dropped; a frame with no
start block is answered AR (we cannot tell which message it was) and the connection goes on; a
frame larger than `max_frame_bytes`, or a connection that ends inside a frame, is closed without
storing anything of that frame. Each complete message is mapped, stored (services/registration/
intake.py) and only then acknowledged, with the sender's own encoding characters.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from pymongo.errors import PyMongoError

from services.registration.facilities import Facility, UnknownFacility, facility_for
from services.registration.hl7.ack import ack
from services.registration.hl7.mapping import Header, MappingError, map_message, read_header
from services.registration.intake import FeedIntake
from shared.clock import Clock
from shared.ids import new_id
from shared.logging import get_logger
from shared.mllp import END, START, frame

log = get_logger(__name__)

ORIGIN = "hl7v2.mllp"


def decode(body: bytes) -> str:
    """HL7 text is mostly ASCII; UTF-8 is preferred since v2.8, older senders use Latin-1."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


class Hl7Endpoint:
    """One HL7 message in, its ACK out (transport-free: the listener and the benchmark use it)."""

    def __init__(self, intake: FeedIntake, facilities: Callable[[], dict[str, Facility]], clock: Clock) -> None:
        self._intake = intake
        self._facilities = facilities
        self._clock = clock

    def now(self):
        return self._clock.now()

    async def handle(self, body: bytes) -> str:
        text = decode(body)
        control_id = new_id("ack")[4:24]
        header: Header | None = None
        try:
            header = read_header(text)
            mapped = map_message(text, self._facilities(), header)
        except MappingError as refused:
            tenant = None
            if header is not None:
                with contextlib.suppress(UnknownFacility):
                    tenant = facility_for(self._facilities(), header.sending_facility, header.receiving_facility).tenant_id
            key = f"{header.sending_facility}|{header.control_id}" if header else None
            await self._intake.refuse(tenant, ORIGIN, body, refused.code, f"{refused.field}: {refused}", key)
            return ack(header, refused.ack_code, self._clock.now(), control_id, error_field=refused.field,
                       error_code=refused.code, error_text=str(refused))
        message_key = f"{mapped.header.sending_facility}|{mapped.header.control_id}"
        result = await self._intake.accept(mapped.facility.tenant_id, message_key, mapped.message)
        if result.ack_code != "AA":
            await self._intake.refuse(mapped.facility.tenant_id, ORIGIN, body, result.error_code or "REFUSED",
                                      f"{result.field}: {result.error_text}", message_key + "|" + result.outcome)
        return ack(mapped.header, result.ack_code, self._clock.now(), control_id, error_field=result.field,
                   error_code=result.error_code, error_text=result.error_text)


class MllpListener:
    def __init__(self, endpoint: Hl7Endpoint, host: str, port: int, *, max_frame_bytes: int = 1 << 20) -> None:
        self._endpoint = endpoint
        self._host = host
        self._port = port
        self._limit = max_frame_bytes
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task, asyncio.StreamWriter] = {}

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port, limit=self._limit)
        log.info("mllp listener started", host=self._host, port=self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        # Closing each connection ends its conversation as a peer hang-up would (nothing half-stored:
        # a message is ACKed only after its commit). Cancelling the task instead makes asyncio log a
        # CancelledError traceback per connection at every shutdown; it is kept for a stuck one.
        for writer in list(self._connections.values()):
            writer.close()
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=5)
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections[task] = writer
        try:
            await self._conversation(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the peer went away; a partial frame was never stored
        except asyncio.LimitOverrunError:
            log.warning("mllp frame too large, connection closed")
        except PyMongoError as failure:
            # Nothing was acknowledged for the message in hand: close, the sender resends it.
            log.warning("mllp message not stored, connection closed", error=type(failure).__name__)
        finally:
            if task is not None:
                self._connections.pop(task, None)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _conversation(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                chunk = await reader.readuntil(END)
            except asyncio.IncompleteReadError as ended:
                if ended.partial.strip():
                    log.warning("mllp connection ended inside a frame; nothing stored", bytes=len(ended.partial))
                return
            start = chunk.rfind(START)
            if start < 0:
                log.warning("mllp frame without start block refused")
                writer.write(frame(ack(None, "AR", self._endpoint.now(), new_id("ack")[4:24],
                                       error_field="MSH", error_code="MLLP_FRAMING",
                                       error_text="frame has no start block")))
                await writer.drain()
                continue
            body = chunk[start + 1:-len(END)]
            reply = await self._endpoint.handle(body)
            writer.write(frame(reply))
            await writer.drain()
