"""Coding settings: the shared RCM_* settings plus how documentation checks act."""

from pathlib import Path
from typing import Literal

from shared.settings import ServiceSettings


class CodingSettings(ServiceSettings):
    # RCM_CODING_REVIEW_ON_DISAGREEMENT: what a note that does not back the principal diagnosis
    # does. "hold" parks the encounter in the review queue; "warn" codes it and keeps the finding
    # with the coded encounter; "off" skips the suggestion checks.
    coding_review_on_disagreement: Literal["hold", "warn", "off"] = "warn"
    # RCM_CODING_INDEX_CACHE: keep the suggestion index in a file between restarts (index_cache.py);
    # RCM_CODING_INDEX_CACHE_DIR: where (default: <system temp dir>/rcm-coding-cache).
    coding_index_cache: bool = True
    coding_index_cache_dir: Path | None = None

    def index_cache_directory(self) -> Path | None:
        """The directory of the index file, or None when the cache is off."""
        if not self.coding_index_cache:
            return None
        from services.coding.index_cache import default_directory

        return self.coding_index_cache_dir or default_directory()
