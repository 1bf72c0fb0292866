"""The envelope every message travels in: ids for idempotency and lineage around a typed payload."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, TypeAdapter

from shared.topics import Topic

P = TypeVar("P", bound=BaseModel)


class Envelope(BaseModel, Generic[P]):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID  # unique per event: the idempotency key downstream
    event_type: str
    schema_version: int = 1
    occurred_at: AwareDatetime
    tenant_id: str
    correlation_id: str  # the encounter id, the same through the whole cycle
    causation_id: uuid.UUID | None = None  # the event that caused this one
    producer: str
    payload: P


def new_event(
    topic: Topic[P],
    payload: P,
    *,
    producer: str,
    now: datetime,
    tenant_id: str | None = None,
    correlation_id: str | None = None,
    cause: Envelope | None = None,
    event_id: uuid.UUID | None = None,
) -> Envelope[P]:
    """An envelope for `payload` on `topic`. Tenant and correlation id default to the cause's."""
    if cause is None and (tenant_id is None or correlation_id is None):
        raise ValueError("an event without a cause needs tenant_id and correlation_id")
    return Envelope[topic.payload](  # type: ignore[name-defined]
        event_id=event_id or uuid.uuid4(),
        event_type=topic.event_type,
        schema_version=int(topic.name.rsplit(".v", 1)[1]),
        occurred_at=now,
        tenant_id=tenant_id if tenant_id is not None else cause.tenant_id,  # type: ignore[union-attr]
        correlation_id=correlation_id if correlation_id is not None else cause.correlation_id,  # type: ignore[union-attr]
        causation_id=cause.event_id if cause is not None else None,
        producer=producer,
        payload=payload,
    )


@lru_cache(maxsize=None)
def envelope_adapter(payload: type[BaseModel]) -> TypeAdapter:
    """A cached validator for Envelope[payload] (validating JSON bytes straight in pydantic-core)."""
    return TypeAdapter(Envelope[payload])  # type: ignore[valid-type]


def decode(topic: Topic[P], value: bytes) -> Envelope[P]:
    """Validate raw message bytes as an envelope of `topic`'s payload; raise pydantic.ValidationError."""
    return envelope_adapter(topic.payload).validate_json(value)


def encode(event: Envelope) -> bytes:
    return event.model_dump_json().encode()
