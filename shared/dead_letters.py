"""The copy of a dead-lettered message: bounded and sealed with the PHI key.

A dead letter is read by operators with the broker's credentials and kept for the topic's retention,
so it never holds a message in the clear (feed messages and many events carry PHI). The copy is
AES-GCM sealed (shared/phi.py, with its key id) and at most MAX_COPY_BYTES of the original, so a
letter stays far below the broker's message size whatever was refused. A longer original keeps
its first MAX_COPY_BYTES (enough to diagnose, `original_complete` false: not replayable).
"""

from __future__ import annotations

import base64

from shared.events import DeadLetter
from shared.phi import PhiCipher

MAX_COPY_BYTES = 256 * 1024


def sealed_copy(cipher: PhiCipher, original: bytes) -> dict[str, object]:
    """The DeadLetter fields that keep `original`: pass them as DeadLetter(**sealed_copy(...))."""
    kept = original[:MAX_COPY_BYTES]
    return {"original_sealed": base64.b64encode(cipher.seal_bytes(kept)).decode(), "original_size": len(original),
            "original_complete": len(kept) == len(original)}


def original_of(letter: DeadLetter, cipher: PhiCipher) -> bytes | None:
    """The kept copy of the original (possibly cut, see `original_complete`); None if none was kept."""
    if letter.original_sealed:
        return cipher.open_bytes(base64.b64decode(letter.original_sealed))
    if letter.original_value_b64:
        return base64.b64decode(letter.original_value_b64)
    return None
