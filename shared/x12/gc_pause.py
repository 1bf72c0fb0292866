"""Pausing Python's cyclic garbage collector while the codec builds large, acyclic structures.

Reading a 10,000-claim file allocates a few hundred thousand lists and models. None of them form
reference cycles, but each allocation burst makes the collector walk every live container again,
which costs about a third of the reading time. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
