"""Hostile X12 against the reader as each consuming service uses it: claims (999/277CA), payments
(835) and registration (271). Generated inputs (hypothesis) and mutations of real samples, more
than 1,000 per entry point, derandomized so a run is repeatable. Each input must get an answer (a
result or a coded X12Error, never UnexpectedInput or another exception) within a time bound and
with memory bounded by its size (tracemalloc peak).
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.claims import edi
from services.registration import eligibility
from shared.x12 import UnexpectedInput, X12Error, read, validate

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "x12"
# CPU seconds per input (the machine may be shared: wall-clock time would measure the neighbours),
# plus some per MB: mutations can glue interchanges together into a few MB
SECONDS, SECONDS_PER_MB = 5.0, 5.0
MEMORY_PER_BYTE = 80  # tracemalloc peak per input byte (reading and validating is about 30)
MEMORY_FLOOR = 4 * 1024 * 1024


def _texts(*patterns: str) -> list[str]:
    paths = [path for pattern in patterns for path in [*FIXTURES.glob(pattern), *SAMPLES.glob(pattern)]]
    return [path.read_bytes().decode("utf-8-sig", errors="replace") for path in sorted(paths)]


CLAIMS_INPUT = _texts("999*", "277ca*", "imsweb-x12-parser/x12_999*", "imsweb-x12-parser/x12_277CA*",
                      "derived/999*", "derived/277ca*")
PAYMENTS_INPUT = _texts("835*", "linuxforhealth-x12/*.835", "derived/835*")
REGISTRATION_INPUT = _texts("271*", "linuxforhealth-x12/*.271", "imsweb-x12-parser/x271.txt", "derived/271*")


def claims_entry(data: str) -> object:
    """What claims does with a clearinghouse file, up to the database lookups."""
    document = read(data)
    validate(document, received=True).raise_if_invalid()
    groups = list(edi.groups_answered(document))
    try:
        return edi.answers(document, {})
    except X12Error:
        return groups


def payments_entry(data: str) -> object:
    """What payments does with an 835 before posting (handlers.read_remittances without the envelope)."""
    document = read(data)
    report = validate(document, received=True)
    report.raise_if_invalid()
    return [remittance.to_event() for remittance in document.remittances()], report.warnings


def registration_entry(data: str) -> object:
    """Registration's verdict on a payer's 271 (it turns X12Error into a finding itself)."""
    return eligibility.verdict(data, "elg_" + "0" * 24)


# What a mutation can put in: delimiters, huge and non-ASCII numbers, other separators, noise.
PAYLOADS = st.one_of(
    st.sampled_from(["~", "*", ":", "^", "|", ">", "\n", "\r\n", "\ufeff", "", " ", "\t", "ISA", "IEA*1*", "GE*",
                     "SE*", "ST*835*0001~", "CLP*", "HL*", "9" * 5001, "\u00b2\u0663", "1e999999", "NaN",
                     "-", ".", "0" * 40, "\x00", "\udcff"[:0]]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=0, max_value=10**50).map(str),
)
MUTATION = st.tuples(
    st.sampled_from(["insert", "replace", "delete", "duplicate", "truncate", "repeat_segment", "swap_isa"]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    PAYLOADS,
)


def mutate(text: str, mutations: list[tuple[str, float, float, str]]) -> str:
    for kind, where, span, payload in mutations:
        at = int(where * len(text))
        end = min(len(text), at + 1 + int(span * 60))
        if kind == "insert":
            text = text[:at] + payload + text[at:]
        elif kind == "replace":
            text = text[:at] + payload + text[end:]
        elif kind == "delete":
            text = text[:at] + text[end:]
        elif kind == "duplicate":
            text = text[:end] + text[at:end] * (1 + int(span * 20)) + text[end:]
        elif kind == "truncate":
            text = text[:at]
        elif kind == "repeat_segment":
            segments = text.split("~")
            index = int(where * (len(segments) - 1))
            segments[index:index] = [segments[index]] * int(span * 2000)
            text = "~".join(segments)
        else:  # swap_isa: another interchange with other separators glued on
            other = text.replace("*", "|").replace("~", "!")
            text = text[:at] + other + text[at:]
    return text


def _segment_text(segment_id: str, elements: list[str]) -> str:
    return "*".join([segment_id, *elements]) + "~"


# Generated files: a good envelope around segments made of X12 ids and hostile element values.
ELEMENT = st.one_of(st.sampled_from(["", "1", "0", "22", "ABC", "HC:99213", "9" * 5001, "\u00b2", "-1.005",
                                     "20240230", "1e9", "30^1^35"]),
                    st.text(alphabet="0123456789.-ABCXYZ:^ ", max_size=12))
SEGMENT = st.builds(_segment_text,
                    st.sampled_from(["ST", "SE", "GS", "GE", "BPR", "TRN", "CLP", "SVC", "CAS", "PLB", "N1", "NM1",
                                     "HL", "EB", "AK1", "AK2", "IK5", "AK9", "STC", "TRN", "QTY", "DTM", "LX", "ZZZ"]),
                    st.lists(ELEMENT, max_size=8))
ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~"


def generated(set_id: str, version: str, functional: str) -> st.SearchStrategy[str]:
    def build(body: list[str], count: str) -> str:
        return (ISA + f"GS*{functional}*S*R*20240101*1200*1*X*{version}~ST*{set_id}*0001*{version}~"
                + "".join(body) + f"SE*{count}*0001~GE*1*1~IEA*1*000000001~")
    return st.builds(build, st.lists(SEGMENT, max_size=60), st.sampled_from(["3", "9" * 5001, "\u00b2", ""]))


def _bounded(entry: Callable[[str], object], data: str) -> None:
    tracemalloc.start()
    started = time.process_time()
    try:
        entry(data)
    except UnexpectedInput as failure:  # a coded error still, but one the reader did not foresee
        pytest.fail(f"unforeseen input: {failure}")
    except X12Error as failure:
        assert failure.code and str(failure)
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    size = len(data.encode("utf-8", errors="replace"))
    assert elapsed < SECONDS + SECONDS_PER_MB * size / 1e6
    assert peak < MEMORY_FLOOR + MEMORY_PER_BYTE * size


ENTRY_POINTS = {
    "claims": (claims_entry, CLAIMS_INPUT, generated("999", "005010X231A1", "FA")),
    "payments": (payments_entry, PAYMENTS_INPUT, generated("835", "005010X221A1", "HP")),
    "registration": (registration_entry, REGISTRATION_INPUT, generated("271", "005010X279A1", "HB")),
}
HOSTILE = settings(max_examples=800, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GENERATED = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_every_entry_point_has_real_samples_to_mutate() -> None:
    for entry, samples, _ in ENTRY_POINTS.values():
        assert len(samples) >= 2
        for sample in samples:
            entry(sample)  # the unmutated samples are answered too (warm caches before measuring)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_mutated_samples_get_a_bounded_coded_answer(name: str) -> None:
    entry, samples, _ = ENTRY_POINTS[name]
    for sample in samples:
        entry(sample)

    @HOSTILE
    @given(st.sampled_from(samples), st.lists(MUTATION, min_size=1, max_size=4))
    def check(sample: str, mutations: list) -> None:
        _bounded(entry, mutate(sample, mutations))

    check()


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_generated_files_get_a_bounded_coded_answer(name: str) -> None:
    entry, samples, strategy = ENTRY_POINTS[name]
    entry(samples[0])

    @GENERATED
    @given(strategy)
    def check(data: str) -> None:
        _bounded(entry, data)

    check()


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_the_known_attacks_get_a_bounded_coded_answer(name: str) -> None:
    entry, samples, _ = ENTRY_POINTS[name]
    sample = samples[0]
    star, pipes = sample, sample.replace("*", "|").replace("~", "!")
    attacks = [
        (star + pipes) * 150,  # interchanges with other separators, one after another
        sample.replace("GE*1*", "GE*" + "9" * 5001 + "*"),  # a 5,001-digit count
        sample.replace("SE*", "SE*" + "\u0663", 1),  # a non-ASCII digit
        mutate(sample, [("repeat_segment", 0.5, 1.0, "")]),  # 2,000 copies of one segment
        "ISA" + "*" * 100_000,  # an ISA that never ends
        "\ufeff" * 1000 + sample,
        sample[: len(sample) // 2],  # cut off
    ]
    for data in attacks:
        _bounded(entry, data)
