"""The suggestion index kept in a file between restarts, so a restarted coding process reads it in
well under a second instead of building it again from the code set (seconds, more on a busy node).

The file is named after everything the index depends on: the `simple-icd-10-cm` release (which
fixes the ICD-10-CM code set), a digest of `suggestions.py` (tokens, weights, layout), the cache
format and the Python version (`marshal`'s format is Python's own). A change to any of them picks
a new name, so an old file is never read for a new index; files of other names in the directory
are removed when a new one is written.

The file is written to a temporary name and renamed, so a reader never sees half a file. A file
that cannot be read or does not hold what this module wrote is ignored (and replaced): the index
is built from the code set as if there were no cache. `marshal` only rebuilds plain values
(lists, dicts, strings, numbers, frozensets); it runs no code from the file.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Final

from services.coding import suggestions
from services.coding.suggestions import SuggestionIndex
from shared.logging import get_logger

FORMAT: Final = 1
_MAGIC: Final = "rcm-coding-suggestion-index"
log = get_logger(__name__)


def default_directory() -> Path:
    """Where the file goes when no directory is configured: the system's temporary directory."""
    return Path(tempfile.gettempdir()) / "rcm-coding-cache"


def cache_key(package_version: str | None = None, source_digest: str | None = None) -> str:
    """The file name of the index for this code set, this index code, this format and Python."""
    package = package_version if package_version is not None else metadata.version("simple-icd-10-cm")
    digest = source_digest if source_digest is not None else _source_digest()
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"icd10cm-{package}-{digest}-f{FORMAT}-{python}.index"


def _source_digest() -> str:
    return hashlib.sha256(Path(suggestions.__file__).read_bytes()).hexdigest()[:16]


def load_or_build(directory: Path | None, build: Callable[[], SuggestionIndex],
                  key: str | None = None) -> SuggestionIndex:
    """The index from `directory`'s file for `key` (default: `cache_key()`) if it reads back whole;
    else `build()` it and write the file for the next start. `directory` None: always build."""
    if directory is None:
        return build()
    key = key or cache_key()
    path = directory / key
    cached = read(path, key)
    if cached is not None:
        return cached
    index = build()
    try:
        write(path, key, index)
    except OSError as failure:  # a read-only or full disk costs the next start time, nothing else
        log.warning("suggestion index not cached", error=type(failure).__name__)
    return index


def read(path: Path, key: str) -> SuggestionIndex | None:
    """The index in `path`, or None when there is no file or it is not a whole index for `key`."""
    started = time.perf_counter()
    try:
        with path.open("rb") as file:
            magic, stored_key, state = marshal.load(file)
        if magic != _MAGIC or stored_key != key:
            raise ValueError("another file")
        index = SuggestionIndex.from_state(state, time.perf_counter() - started)
    except FileNotFoundError:
        return None
    except Exception as failure:  # noqa: BLE001 - any unreadable file is rebuilt, never fatal
        log.warning("suggestion index cache ignored", error=type(failure).__name__)
        return None
    log.info("suggestion index read from cache", codes=len(index), seconds=round(index.build_seconds, 2))
    return index


def write(path: Path, key: str, index: SuggestionIndex) -> None:
    """Write `index` to `path` through a temporary file in the same directory and a rename; then
    remove the files of other keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".index-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            marshal.dump((_MAGIC, key, index.state()), file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for other in path.parent.glob("icd10cm-*.index"):
        if other.name != path.name:
            other.unlink(missing_ok=True)
