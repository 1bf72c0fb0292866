"""The suggestion index's cache file: read back when it is whole and of this key, else rebuilt and
rewritten; and the start-up loader that hands it (or why not) to the batches."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.coding import code_sets, index_cache
from services.coding.code_sets import CodeSets, CodeSetsUnavailable
from services.coding.suggestions import SuggestionIndex

DOCUMENTS = [
    ("J449", "Chronic obstructive pulmonary disease, unspecified", ["Chronic obstructive lung disease NOS"]),
    ("I10", "Essential (primary) hypertension", ["High blood pressure"]),
    ("E119", "Type 2 diabetes mellitus without complications", []),
    ("J459", "Asthma, unspecified", ["Asthmatic bronchitis NOS"]),
]
KEY = "icd10cm-1.5.0-abc-f1-py311.index"


class Builds:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> SuggestionIndex:
        self.calls += 1
        return SuggestionIndex.from_documents(DOCUMENTS)


def test_a_miss_builds_and_writes_the_file_and_a_hit_reads_it_without_building(tmp_path: Path) -> None:
    build = Builds()
    first = index_cache.load_or_build(tmp_path, build, key=KEY)
    assert build.calls == 1 and (tmp_path / KEY).is_file()

    second = index_cache.load_or_build(tmp_path, build, key=KEY)
    assert build.calls == 1
    assert second is not first
    assert second.rank("high blood pressure") == first.rank("high blood pressure")
    assert second.read("Assessment: chronic obstructive lung disease; asthma.") == first.read(
        "Assessment: chronic obstructive lung disease; asthma.")
    assert second.state() == first.state()


@pytest.mark.parametrize("content", [b"", b"not an index at all", b"\xe3\x04\x00"])
def test_a_corrupt_file_is_ignored_rebuilt_and_replaced(tmp_path: Path, content: bytes) -> None:
    (tmp_path / KEY).write_bytes(content)
    build = Builds()
    index = index_cache.load_or_build(tmp_path, build, key=KEY)
    assert build.calls == 1 and len(index) == len(DOCUMENTS)
    assert index_cache.read(tmp_path / KEY, KEY) is not None  # the rebuilt index replaced it


def test_a_half_written_file_is_ignored(tmp_path: Path) -> None:
    index_cache.load_or_build(tmp_path, Builds(), key=KEY)
    whole = (tmp_path / KEY).read_bytes()
    (tmp_path / KEY).write_bytes(whole[: len(whole) // 2])
    build = Builds()
    index_cache.load_or_build(tmp_path, build, key=KEY)
    assert build.calls == 1
    assert (tmp_path / KEY).read_bytes() == whole


def test_a_file_of_another_key_is_not_read_even_under_this_name(tmp_path: Path) -> None:
    index_cache.write(tmp_path / KEY, "icd10cm-1.4.0-abc-f1-py311.index", Builds()())
    assert index_cache.read(tmp_path / KEY, KEY) is None


def test_a_version_change_builds_a_new_file_and_removes_the_old_one(tmp_path: Path) -> None:
    old_key = index_cache.cache_key(package_version="1.5.0", source_digest="aaaa")
    new_key = index_cache.cache_key(package_version="1.6.0", source_digest="aaaa")
    changed_code = index_cache.cache_key(package_version="1.5.0", source_digest="bbbb")
    assert len({old_key, new_key, changed_code}) == 3
    build = Builds()
    index_cache.load_or_build(tmp_path, build, key=old_key)
    index_cache.load_or_build(tmp_path, build, key=new_key)
    assert build.calls == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [new_key]


def test_the_default_key_names_the_installed_code_set_package_and_this_python() -> None:
    from importlib import metadata
    import sys

    key = index_cache.cache_key()
    assert key.startswith(f"icd10cm-{metadata.version('simple-icd-10-cm')}-")
    assert key.endswith(f"-f{index_cache.FORMAT}-py{sys.version_info.major}{sys.version_info.minor}.index")


def test_no_directory_always_builds_and_writes_nothing(tmp_path: Path) -> None:
    build = Builds()
    index_cache.load_or_build(None, build)
    index_cache.load_or_build(None, build)
    assert build.calls == 2 and list(tmp_path.iterdir()) == []


def test_an_unwritable_directory_still_gives_the_index(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    index = index_cache.load_or_build(blocker / "cache", Builds(), key=KEY)  # mkdir fails: not a directory
    assert len(index) == len(DOCUMENTS)


def test_a_state_of_another_shape_is_refused() -> None:
    with pytest.raises(ValueError):
        SuggestionIndex.from_state(([], {}, {}, ["extra"]), 0.0)


def test_code_sets_hand_the_loaded_index_to_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_sets.icd10cm, "load", lambda: None)
    monkeypatch.setattr(code_sets, "build_icd10cm_index", Builds())
    loader = CodeSets(tmp_path)

    async def run() -> SuggestionIndex:
        await loader.start()
        await loader.wait()
        await loader.stop()
        return loader.index()

    assert len(asyncio.run(run())) == len(DOCUMENTS)


def test_code_sets_that_fail_to_load_make_every_batch_wait_as_for_infrastructure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("synthetic install failure")

    monkeypatch.setattr(code_sets.icd10cm, "load", broken)
    loader = CodeSets(tmp_path)

    async def run() -> None:
        await loader.start()
        await loader.wait()

    with pytest.raises(CodeSetsUnavailable) as raised:
        asyncio.run(run())
    assert isinstance(raised.value, OSError)  # the consumer reads the batch again; no dead letter
    with pytest.raises(CodeSetsUnavailable):
        loader.index()
