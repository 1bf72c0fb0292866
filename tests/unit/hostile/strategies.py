"""Hypothesis strategies for hostile input: mutations of the sample messages (tests/unit/ehr/samples.py)
with the values strangers send (numbers without bounds, other digits, separators, escapes, huge
fields, cut messages)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

from tests.unit.ehr.samples import a03, a04, a08, a11, dft, fhir_bundle, fhir_patient, with_encoding

HOSTILE_LIST = [
    "1e999999", "-1e999999", "Infinity", "-Infinity", "NaN", "sNaN", "9" * 5000, "1" * 400, "\u0663", "\u00b2",
    "\uff11", "0x1F", "1_000", "--1", "1.2.3", "", " ", "\\X41\\", "\\X\\", "\\Zzz\\", "\\", "\\H\\\\N\\", "^^^^",
    "~~~~", "&&&&", "|", "\x00", "\r", "\x0b", "\x1c", "20261301", "20261231235960", "99999999999999",
    "MSH|^~\\&|", "é" * 300, "\ud7ff" * 10, "A" * 70_000,
]
HOSTILE_VALUES = st.sampled_from(HOSTILE_LIST)
SAMPLES = [a04(), a04(secondary=True), a08(), a03(), a11(), dft(), with_encoding(a04())]


@st.composite
def hl7_messages(draw) -> str:
    """A sample message with one to four fields replaced, segments dropped, repeated or cut."""
    text = draw(st.sampled_from(SAMPLES))
    segments = text.split("\r")
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["field", "field", "field", "drop", "repeat", "cut", "noise"]))
        index = draw(st.integers(0, len(segments) - 1))
        fields = segments[index].split("|")
        if action == "field":
            position = draw(st.integers(1, max(1, len(fields) + 2)))
            fields += [""] * (position + 1 - len(fields))
            fields[position] = draw(st.one_of(HOSTILE_VALUES, st.text(max_size=40)))
            segments[index] = "|".join(fields)
        elif action == "drop" and len(segments) > 1:
            segments.pop(index)
        elif action == "repeat":
            segments.insert(index, segments[index])
        elif action == "cut":
            segments[index] = segments[index][:draw(st.integers(0, len(segments[index])))]
        else:
            segments[index] += draw(st.text(max_size=30))
    return "\r".join(segments)


def _leaves(document, path=()):
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(document, list):
        for n, value in enumerate(document):
            yield from _leaves(value, path + (n,))
    yield path


def _replace(document, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: _replace(document[head], rest, value)}
    copy = list(document)
    copy[head] = _replace(copy[head], rest, value)
    return copy


FHIR_HOSTILE = st.one_of(
    HOSTILE_VALUES, st.integers(min_value=-(10 ** 30), max_value=10 ** 30), st.floats(allow_nan=False, allow_infinity=False),
    st.none(), st.booleans(), st.just([]), st.just({}), st.just({"reference": "Coverage/c1"}),
    st.just({"reference": "Patient/nope"}), st.just("2016-12-31T23:59:60Z"), st.just("0000-00-00"),
    st.just({"resourceType": "Coverage"}), st.lists(st.integers(), max_size=3), st.text(max_size=30))


@st.composite
def fhir_documents(draw) -> bytes:
    """A sample Bundle or Patient with one to three values replaced or removed, as JSON bytes; or a
    document made hostile as a whole (deep nesting, huge numbers, not JSON)."""
    kind = draw(st.sampled_from(["mutate"] * 8 + ["deep", "number", "bytes"]))
    if kind == "deep":
        depth = draw(st.integers(60, 3000))
        return b'{"resourceType":"Patient","x":' + b"[" * depth + b"]" * depth + b"}"
    if kind == "number":
        digits = draw(st.integers(20, 6000))
        return b'{"resourceType":"Patient","x":' + b"7" * digits + b"}"
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    document = draw(st.sampled_from([fhir_bundle(), fhir_patient(), fhir_bundle(bundle_id="b1")]))
    paths = list(_leaves(document))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        document = _replace(document, path, draw(FHIR_HOSTILE))
        paths = list(_leaves(document))
    return json.dumps(document).encode()


@st.composite
def raw_topic_values(draw, good: bytes) -> bytes:
    """Bytes on a service's input topic: a good event cut, spliced, nested or altered; or anything."""
    kind = draw(st.sampled_from(["cut", "flip", "field", "deep", "number", "binary"]))
    if kind == "cut":
        return good[:draw(st.integers(0, len(good) - 1))]
    if kind == "flip":
        position = draw(st.integers(0, len(good) - 1))
        return good[:position] + bytes([draw(st.integers(0, 255))]) + good[position + 1:]
    if kind == "field":
        document = json.loads(good)
        paths = list(_leaves(document))
        path = draw(st.sampled_from(paths))
        return json.dumps(_replace(document, path, draw(FHIR_HOSTILE))).encode()
    if kind == "deep":
        depth = draw(st.integers(100, 5000))
        return b'{"payload":' + b"[" * depth + b"]" * depth + b"}"
    if kind == "number":
        return good.replace(b'"event_id"', b'"x":' + b"9" * draw(st.integers(20, 20000)) + b',"event_id"', 1)
    return draw(st.binary(max_size=300))


def mutated_hl7(rng, control_id: str) -> str:
    """A sample message mutated by a seeded `random.Random` (for the real listener, where a test
    sends a fixed number of messages rather than run hypothesis over a socket)."""
    pool = HOSTILE_LIST
    segments = rng.choice(SAMPLES).split("\r")
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(1, len(segments))  # MSH kept: each answer is matched by its control id
        fields = segments[index].split("|")
        position = rng.randint(1, len(fields) + 1)
        fields += [""] * (position + 1 - len(fields))
        fields[position] = rng.choice(pool)
        segments[index] = "|".join(fields)
    separator = segments[0][3]
    header = segments[0].split(separator)
    header[9] = control_id  # a known control id, so the answer can be matched to the message
    segments[0] = separator.join(header)
    return "\r".join(segments).replace("\x0b", "").replace("\x1c", "")


FHIR_HOSTILE_LIST = [*HOSTILE_LIST[:20], None, True, [], {}, 10 ** 30, -1, 0.5, {"reference": "Coverage/c1"},
                     {"reference": "Patient/nope"}, "2016-12-31T23:59:60Z", "0000-00-00", {"resourceType": "Coverage"}]


def mutated_fhir(rng, bundle_id: str) -> bytes:
    """A sample Bundle with one to three values replaced, by a seeded `random.Random`, as JSON."""
    document = fhir_bundle(bundle_id=bundle_id)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice([p for p in _leaves(document) if p])
        document = _replace(document, path, rng.choice(FHIR_HOSTILE_LIST))
    return json.dumps(document).encode()
