"""MLLP frames read within limits, and the listener's TLS settings."""

from __future__ import annotations

import asyncio
import base64

import pytest

from services.registration.app import _mllp_tls
from services.registration.hl7.framing import Ended, FrameReader, FrameTooLarge, Idle, MllpLimits, TooSlow, body_of
from services.registration.settings import RegistrationSettings
from shared.mllp import END, START

LIMITS = MllpLimits(max_frame_bytes=1024, idle_seconds=0.2, read_seconds=0.2, message_seconds=0.5)


def reader_of(*chunks: bytes, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    for chunk in chunks:
        reader.feed_data(chunk)
    if eof:
        reader.feed_eof()
    return reader


async def test_frames_split_anywhere_even_inside_the_end_block_are_read_whole() -> None:
    frames = FrameReader(reader_of(b"junk" + START + b"MSH|one", b"\x1c", b"\r" + START + b"MSH|two" + END), LIMITS)
    assert body_of(await frames.next()) == b"MSH|one"
    assert body_of(await frames.next()) == b"MSH|two"
    with pytest.raises(Ended) as ended:
        await frames.next()
    assert ended.value.partial == 0


async def test_an_oversized_frame_is_skipped_through_its_end_and_the_next_one_is_read() -> None:
    big = START + b"X" * 5000
    frames = FrameReader(reader_of(big[:3000], big[3000:] + b"\x1c", b"\r" + START + b"MSH|after" + END), LIMITS)
    with pytest.raises(FrameTooLarge):
        await frames.next()
    assert body_of(await frames.next()) == b"MSH|after"


async def test_silence_between_messages_is_idle_and_inside_a_frame_too_slow() -> None:
    with pytest.raises(Idle):
        await FrameReader(reader_of(eof=False), LIMITS).next()
    with pytest.raises(TooSlow):
        await FrameReader(reader_of(START + b"MSH|half", eof=False), LIMITS).next()


async def test_a_frame_trickled_byte_by_byte_past_the_whole_message_time_is_too_slow() -> None:
    reader = asyncio.StreamReader()
    frames = FrameReader(reader, LIMITS)

    async def trickle() -> None:
        reader.feed_data(START)
        for _ in range(40):  # every 0.05 s: within the read time, beyond the message time
            await asyncio.sleep(0.05)
            reader.feed_data(b"x")

    feeding = asyncio.create_task(trickle())
    with pytest.raises(TooSlow):
        await frames.next()
    feeding.cancel()


def test_the_listener_needs_tls_files_unless_plain_text_is_asked_for_and_production_refuses_plain_text() -> None:
    with pytest.raises(RuntimeError):
        _mllp_tls(RegistrationSettings(registration_mllp_port=0))
    assert _mllp_tls(RegistrationSettings(registration_mllp_port=0, registration_mllp_plaintext=True)) is None
    key = base64.b64encode(b"p" * 32).decode()
    issuer = "https://idp.example.com/realms/rcm"
    RegistrationSettings(environment="production", phi_key=key, auth_issuer=issuer).assert_production_ready()
    with pytest.raises(RuntimeError):
        RegistrationSettings(environment="production", phi_key=key, auth_issuer=issuer,
                             registration_mllp_plaintext=True).assert_production_ready()


def test_a_frame_of_countless_tiny_segments_is_refused_before_it_is_split() -> None:
    import tracemalloc

    from services.registration.hl7.listener import DEVELOPMENT_SENDER, MAX_SEGMENTS, Hl7Endpoint, _Refused
    from shared.clock import SystemClock
    from tests.unit.ehr.samples import FACILITIES, a04

    endpoint = Hl7Endpoint(None, lambda: FACILITIES, SystemClock())  # type: ignore[arg-type]
    body = a04("T1") + "\r" + "ZZZ|1\r" * 170_000  # about 1 MiB
    tracemalloc.start()
    try:
        with pytest.raises(_Refused) as refused:
            endpoint._map(body, DEVELOPMENT_SENDER)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (refused.value.error.ack_code, refused.value.error.code) == ("AE", "TOO_MANY_SEGMENTS")
    assert refused.value.header.control_id == "T1" and peak < len(body)
    assert endpoint._map(a04("T2") + "\r" + "ZZZ|1\r" * (MAX_SEGMENTS // 2), DEVELOPMENT_SENDER).header.control_id == "T2"
