"""How much the reader takes in: one process-wide maximum file size.

Services set it from RCM_X12_MAX_BYTES at start (shared/runtime.py); the CLI from `--max-bytes`.
A larger file is refused with TooLarge (dead-letter code X12_TOO_LARGE) before any work is done.
The reader's memory is linear in the file's size, about 32 times the file at its peak when a
file is read and validated (a 4.3 MB 835 of 10,000 claims peaks at 139 MB), so the default
keeps one file inside a 512 MiB container.
"""

from __future__ import annotations

DEFAULT_MAX_BYTES = 8 * 1024 * 1024

_limit = DEFAULT_MAX_BYTES


def configure(max_bytes: int) -> None:
    """Set the process-wide maximum file size, in bytes."""
    global _limit
    if max_bytes < 1:
        raise ValueError("the X12 maximum file size must be at least one byte")
    _limit = max_bytes


def max_bytes() -> int:
    return _limit
