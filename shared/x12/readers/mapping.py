"""The loop every reader shares: dispatch each segment of a transaction set by its id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from shared.x12.envelope import TransactionSet
from shared.x12.errors import MappingError

T = TypeVar("T")


def run(
    segments: list[list[str]],
    transaction: TransactionSet,
    handlers: Mapping[str, Callable[[list[str]], None]],
    result: Callable[[], T],
) -> T:
    """Call the handler of every segment between ST and SE, then `result()`.

    Raises MappingError carrying the position of the segment that could not be mapped.
    """
    get = handlers.get
    index = transaction.start
    try:
        for index in range(transaction.start + 1, transaction.end):
            segment = segments[index]
            handler = get(segment[0])
            if handler is not None:
                handler(segment)
        index = transaction.end
        return result()
    except MappingError as failure:
        raise MappingError(failure.message, position=index + 1, segment=_segment_id(segments, index)) from None
    except (IndexError, KeyError, TypeError, ValueError, ArithmeticError):
        # a value of an unexpected shape; the message must not quote it (it may be PHI)
        raise MappingError(
            "segment could not be mapped", position=index + 1, segment=_segment_id(segments, index)
        ) from None


def _segment_id(segments: list[list[str]], index: int) -> str:
    if not segments:
        return ""
    segment_id = segments[min(index, len(segments) - 1)][0]
    return segment_id if len(segment_id) <= 3 and segment_id.isalnum() and segment_id.isascii() else "?"
