"""A compact notation for segment and loop definitions from the implementation guides.

An element is written as "<usage> <type> <min>/<max> [codes] [*]":

- usage: R required, S situational, N not used (then nothing else follows);
- type: AN string, ID code, N0 integer, R decimal, $ amount (decimal with at most two places),
  DT date CCYYMMDD, TM time HHMM[SS[d..]];
- codes: comma-separated values the guide allows (only for ID);
- a trailing * marks a repeating element (split on the repetition separator).

`composite(usage, *components)` declares a composite element, `segment(id, *elements, pairs=...)` a
segment; `pairs` lists element positions that must be present together (X12 "P" conditions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

AN, ID, N0, R, MONEY, DT, TM, COMPOSITE = range(8)
NOT_SIMPLE = 99  # in SegmentSpec.checks: not used, or repeating; checked the long way
_TYPES = {"AN": AN, "ID": ID, "N0": N0, "R": R, "$": MONEY, "DT": DT, "TM": TM}


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: validation memoizes verdicts per element
class Element:
    name: str  # e.g. "CLM02" or "CLM05-3"
    required: bool
    used: bool
    kind: int
    min_length: int = 0
    max_length: int = 0
    codes: frozenset[str] | None = None
    components: tuple[Element | None, ...] = ()
    repeats: bool = False


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    segment_id: str
    elements: tuple[Element | None, ...]  # index 0 unused, so elements[i] describes element i
    pairs: tuple[tuple[int, int], ...] = ()
    # (position, element, kind, required, min, max, codes) of every element the guide uses, and
    # (position, element, NOT_USED, ...) of those it does not: precomputed for the validation loop
    checks: tuple[tuple[int, Element, int, bool, int, int, frozenset[str] | None], ...] = ()
    required_positions: tuple[int, ...] = ()

    max_elements: int = 0


def _spec(segment_id: str, elements: tuple[Element | None, ...], pairs: tuple[tuple[int, int], ...]) -> SegmentSpec:
    checks = tuple(
        (
            position,
            element,
            element.kind if element.used and not element.repeats else NOT_SIMPLE,
            element.required,
            element.min_length,
            element.max_length,
            element.codes,
        )
        for position, element in enumerate(elements)
        if element is not None
    )
    required = tuple(position for position, element in enumerate(elements) if element is not None and element.required)
    return SegmentSpec(segment_id, elements, pairs, checks, required, len(elements) - 1)


@dataclass(frozen=True)
class _Composite:
    usage: str
    components: tuple[str, ...]


def composite(usage: str, *components: str) -> _Composite:
    return _Composite(usage, components)


def _element(name: str, text: str) -> Element | None:
    parts = text.split()
    usage = parts[0]
    if usage == "N":
        return Element(name, required=False, used=False, kind=AN)
    if usage not in ("R", "S") or len(parts) < 3:
        raise ValueError(f"bad element notation for {name}")
    repeats = parts[-1] == "*"
    if repeats:
        parts = parts[:-1]
    low, high = (int(bound) for bound in parts[2].split("/"))
    codes = frozenset(parts[3].split(",")) if len(parts) > 3 else None
    return Element(name, usage == "R", True, _TYPES[parts[1]], low, high, codes, (), repeats)


def segment(segment_id: str, *elements: str | _Composite, pairs: tuple[tuple[int, int], ...] = ()) -> SegmentSpec:
    built: list[Element | None] = [None]
    for position, text in enumerate(elements, start=1):
        name = f"{segment_id}{position:02d}"
        if isinstance(text, _Composite):
            components = tuple(_element(f"{name}-{index}", part) for index, part in enumerate(text.components, start=1))
            built.append(Element(name, text.usage == "R", text.usage != "N", COMPOSITE, components=(None, *components)))
        else:
            built.append(_element(name, text))
    return _spec(segment_id, tuple(built), pairs)


def with_codes(spec: SegmentSpec, position: int, codes: str) -> SegmentSpec:
    """A copy of `spec` whose element `position` allows only `codes` (comma-separated)."""
    elements = list(spec.elements)
    original = elements[position]
    assert original is not None
    elements[position] = Element(
        original.name,
        original.required,
        original.used,
        original.kind,
        original.min_length,
        original.max_length,
        frozenset(codes.split(",")),
        original.components,
        original.repeats,
    )
    return _spec(spec.segment_id, tuple(elements), spec.pairs)


@dataclass(frozen=True)
class Loop:
    """A loop of a transaction set: the segment that opens it (id and the qualifier in element 1,
    or HL03 for HL; None accepts any), the other segments it may hold, its child loops, and what
    must appear in it (segment ids or child loop ids)."""

    loop_id: str
    trigger: tuple[str, str | None]
    segments: frozenset[str] = frozenset()
    children: tuple[Loop, ...] = ()
    required: frozenset[str] = frozenset()


def loop(loop_id: str, trigger: str, segments: str = "", *children: Loop, required: str = "") -> Loop:
    """loop("2010AA", "NM1 85", "N3 N4 REF PER", required="N3 N4 REF")."""
    parts = trigger.split()
    return Loop(
        loop_id,
        (parts[0], parts[1] if len(parts) > 1 else None),
        frozenset(segments.split()),
        children,
        frozenset(required.split()),
    )


@dataclass(frozen=True)
class Guide:
    """What validation knows about one implementation guide."""

    version: str
    root: Loop  # the transaction set's header: its segments and first-level loops
    specs: dict[str, SegmentSpec]  # element rules by segment id ...
    loop_specs: dict[str, dict[str, SegmentSpec]] = field(default_factory=dict)  # ... or by loop, then id
