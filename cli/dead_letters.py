"""Read and replay a service's dead-letter topic."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from cli.topic_reader import read_all
from shared.envelope import decode
from shared.dead_letters import original_of
from shared.events import DeadLetter
from shared.phi import PhiCipher
from shared.settings import ServiceSettings
from shared.topics import dead_letter_topic


async def read_dead_letters(settings: ServiceSettings, service: str, *, limit: int | None = None) -> list[DeadLetter]:
    topic = dead_letter_topic(service)
    unique: dict[str, DeadLetter] = {}
    for record in await read_all(settings.kafka_bootstrap, settings.topic_name(topic.name)):
        # A record read twice parks a letter with the same id (see shared/consumer.py).
        letter = decode(topic, record.value)
        unique[str(letter.event_id)] = letter.payload
    ordered = sorted(unique.values(), key=lambda letter: letter.dead_lettered_at, reverse=True)
    return ordered[:limit] if limit else ordered


async def replay_dead_letters(settings: ServiceSettings, service: str, *, reason_code: str | None = None) -> int:
    """Send each letter's original back to its topic (only whole copies: a cut copy is not the message)."""
    cipher = PhiCipher.from_settings(settings)
    letters = [letter for letter in await read_dead_letters(settings, service)
               if (reason_code is None or letter.reason_code == reason_code) and letter.original_complete]
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for letter in letters:
            original = original_of(letter, cipher)
            if original is None:
                continue
            await producer.send_and_wait(settings.topic_name(letter.original_topic), original,
                                         key=letter.original_key.encode() if letter.original_key else None)
    finally:
        await producer.stop()
    return len(letters)
