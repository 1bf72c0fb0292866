"""The MLLP listener: HL7 v2 over TCP (TLS with client certificates in production), one ACK per
message, several messages per connection.

MLLP frames a message as <VT> message <FS><CR>. Bytes outside a frame are dropped; a frame with no
start block is answered AR (we cannot tell which message it was) and the connection goes on. Every
refusal is an ACK: a frame larger than the limit is answered AR and skipped; a frame that does not
complete in time is answered AR and the connection closed; a connection beyond the listener's limit
is answered AR and closed; a connection idle for too long is closed (no message was in hand).
Limits: services/registration/hl7/framing.py. Each complete message is mapped, stored
(services/registration/intake.py) and only then acknowledged, with the sender's own encoding
characters. The tenant is the configured facility's, and only a facility the sender's certificate
covers (services/registration/senders.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable

from pymongo.errors import PyMongoError

from services.registration.facilities import Facility, UnknownFacility, facility_key_for
from services.registration.hl7.ack import ack
from services.registration.hl7.framing import Ended, FrameReader, FrameTooLarge, Idle, MllpLimits, TooSlow, body_of
from services.registration.hl7.mapping import Header, MappingError, map_message, read_header
from services.registration.intake import FeedIntake
from services.registration.senders import Sender, mllp_sender
from shared import metrics
from shared.clock import Clock
from shared.ids import new_id
from shared.logging import get_logger
from shared.mllp import frame

log = get_logger(__name__)

ORIGIN = "hl7v2.mllp"
INLINE_BYTES = 64 * 1024  # larger messages are mapped on a worker thread, so the event loop stays free
# An ADT or DFT has tens of segments, a few hundred with many charges. Splitting costs memory per
# segment (a 1 MiB frame of tiny segments took some 70 MB), so more than this is refused (AE).
MAX_SEGMENTS = 5000
HEADER_CHARS = 64 * 1024  # where MSH is looked for: a message's first segment, whatever follows it
DEVELOPMENT_SENDER = Sender(ORIGIN, None, None, None)


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

    def refusal(self, code: str, text: str) -> str:
        """An AR for what could not be read as a message at all (framing, limits)."""
        return ack(None, "AR", self._clock.now(), new_id("ack")[4:24], error_field="MSH", error_code=code,
                   error_text=text)

    def _map(self, text: str, sender: Sender):
        header = read_header(text[:HEADER_CHARS])
        if text.count("\r") + text.count("\n") > 2 * MAX_SEGMENTS:  # CRLF counts a segment twice
            raise _Refused(header, None, MappingError("AE", "MSH", "TOO_MANY_SEGMENTS",
                                                      f"message has more than {MAX_SEGMENTS} segments"))
        facilities = self._facilities()
        try:
            key = facility_key_for(facilities, header.sending_facility, header.receiving_facility)
        except UnknownFacility:
            raise _Refused(header, None, MappingError("AR", "MSH-4", "UNKNOWN_FACILITY",
                                                      "sending facility is not configured")) from None
        if not sender.covers(key):
            raise _Refused(header, None, MappingError("AR", "MSH-4", "FACILITY_NOT_AUTHORIZED",
                                                      "the sender's certificate does not cover this facility"))
        try:
            return map_message(text, {key: facilities[key]}, header)
        except MappingError as refused:
            raise _Refused(header, facilities[key].tenant_id, refused) from None
        except (ValueError, ArithmeticError, LookupError, TypeError, RecursionError, UnicodeError):
            # A defect of ours must still get an answer and leave the connection usable.
            raise _Refused(header, facilities[key].tenant_id, MappingError(
                "AE", "MSH", "UNPROCESSABLE", "message could not be read")) from None

    async def handle(self, body: bytes, sender: Sender = DEVELOPMENT_SENDER) -> str:
        text = decode(body)
        control_id = new_id("ack")[4:24]
        try:
            if len(body) > INLINE_BYTES:
                mapped = await asyncio.to_thread(self._map, text, sender)
            else:
                mapped = self._map(text, sender)
        except MappingError as unreadable:  # no usable MSH
            await self._intake.refuse(None, ORIGIN, body, unreadable.code, f"{unreadable.field}: {unreadable}", None,
                                      sender=sender)
            return ack(None, unreadable.ack_code, self._clock.now(), control_id, error_field=unreadable.field,
                       error_code=unreadable.code, error_text=str(unreadable))
        except _Refused as refusal:
            header, refused = refusal.header, refusal.error
            key = f"{header.sending_facility}|{header.control_id}"
            await self._intake.refuse(refusal.tenant, ORIGIN, body, refused.code, f"{refused.field}: {refused}", key,
                                      sender=sender)
            return ack(header, refused.ack_code, self._clock.now(), control_id, error_field=refused.field,
                       error_code=refused.code, error_text=str(refused))
        message_key = f"{mapped.header.sending_facility}|{mapped.header.control_id}"
        result = await self._intake.accept(mapped.facility.tenant_id, message_key, mapped.message, sender=sender)
        if result.ack_code != "AA":
            await self._intake.refuse(mapped.facility.tenant_id, ORIGIN, body, result.error_code or "REFUSED",
                                      f"{result.field}: {result.error_text}", message_key + "|" + result.outcome,
                                      sender=sender)
        return ack(mapped.header, result.ack_code, self._clock.now(), control_id, error_field=result.field,
                   error_code=result.error_code, error_text=result.error_text)


class _Refused(Exception):
    def __init__(self, header: Header, tenant: str | None, error: MappingError) -> None:
        super().__init__(error.code)
        self.header, self.tenant, self.error = header, tenant, error


class MllpListener:
    """`tls` makes (at start) a server context that requires client certificates, with `senders`
    (certificate name -> facility keys); a listener whose `tls` makes None speaks plain text
    (development only)."""

    def __init__(self, endpoint: Hl7Endpoint, host: str, port: int, *, limits: MllpLimits | None = None,
                 tls: Callable[[], ssl.SSLContext | None] = lambda: None,
                 senders: dict[str, list[str]] | None = None) -> None:
        self._endpoint = endpoint
        self._host = host
        self._port = port
        self._limits = limits or MllpLimits()
        self._make_tls = tls
        self._tls: ssl.SSLContext | None = None
        self._configured_senders = senders or {}
        self._senders: dict[str, list[str]] | None = None
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task, asyncio.StreamWriter] = {}

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        self._tls = self._make_tls()
        self._senders = self._configured_senders if self._tls is not None else None
        self._server = await asyncio.start_server(
            self._serve, self._host, self._port, ssl=self._tls,
            ssl_handshake_timeout=self._limits.handshake_seconds if self._tls else None)
        log.info("mllp listener started", host=self._host, port=self.port, tls=self._tls is not None)

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
        try:
            if len(self._connections) >= self._limits.max_connections:
                metrics.STAGE_EVENTS.labels("registration", "feed.mllp.connection_refused").inc()
                writer.write(frame(self._endpoint.refusal("TOO_MANY_CONNECTIONS", "too many connections; retry later")))
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.drain(), self._limits.read_seconds)
                return
            if task is not None:
                self._connections[task] = writer
            sender = mllp_sender(writer.get_extra_info("peername"), writer.get_extra_info("ssl_object"), self._senders)
            await self._conversation(FrameReader(reader, self._limits), writer, sender)
        except (ConnectionError, TimeoutError):
            pass  # the peer went away or stopped reading its ACKs; a partial frame was never stored
        except PyMongoError as failure:
            # Nothing was acknowledged for the message in hand: close, the sender resends it.
            log.warning("mllp message not stored, connection closed", error=type(failure).__name__)
        finally:
            if task is not None:
                self._connections.pop(task, None)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), self._limits.read_seconds)

    async def _reply(self, writer: asyncio.StreamWriter, message: str) -> None:
        writer.write(frame(message))
        await asyncio.wait_for(writer.drain(), self._limits.read_seconds)

    async def _conversation(self, frames: FrameReader, writer: asyncio.StreamWriter, sender: Sender) -> None:
        while True:
            try:
                chunk = await frames.next()
            except Ended as ended:
                if ended.partial:
                    log.warning("mllp connection ended inside a frame; nothing stored", bytes=ended.partial)
                return
            except Idle:
                return
            except TooSlow:
                log.warning("mllp frame not completed in time; refused")
                await self._reply(writer, self._endpoint.refusal("MESSAGE_TIMEOUT", "message not completed in time"))
                return
            except FrameTooLarge:
                log.warning("mllp frame too large; refused")
                await self._reply(writer, self._endpoint.refusal("FRAME_TOO_LARGE", "message exceeds the size limit"))
                continue
            body = body_of(chunk)
            if body is None:
                log.warning("mllp frame without start block refused")
                await self._reply(writer, self._endpoint.refusal("MLLP_FRAMING", "frame has no start block"))
                continue
            await self._reply(writer, await self._endpoint.handle(body, sender))
