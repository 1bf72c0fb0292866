"""Loop structure: which loop each segment of a transaction set belongs to.

A segment either belongs to the loop we are in, or opens a child loop of it or of one of its
ancestors (closing the loops in between), or belongs to an ancestor itself. Anything else is out
of place. When a loop closes we check that what it requires appeared in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.x12.errors import Issue
from shared.x12.validation.dsl import Guide, Loop, SegmentSpec


@dataclass(eq=False)
class Node:
    loop_id: str
    segments: frozenset[str]
    required: frozenset[str]
    specs: dict[str, SegmentSpec]
    index: int
    depth: int
    children: dict[tuple[str, str | None], Node] = field(default_factory=dict)
    # memo of resolved moves: (segment id, qualifier) -> (depth to keep, loop to open or None)
    moves: dict[tuple[str, str], tuple[int, Node | None]] = field(default_factory=dict)


@dataclass
class CompiledGuide:
    guide: Guide
    root: Node
    node_count: int
    known_segments: frozenset[str]
    qualified: frozenset[str]  # segment ids whose qualifier decides which loop they open (NM1, HL, N1)


MAX_REMEMBERED_MOVES = 256  # per loop; garbage qualifiers must not grow the memo without bound


def compile_guide(guide: Guide) -> CompiledGuide:
    counter = [0]
    known: set[str] = set()
    qualified: set[str] = set()

    def build(loop: Loop, depth: int) -> Node:
        specs = dict(guide.specs)
        specs.update(guide.loop_specs.get(loop.loop_id, {}))
        node = Node(loop.loop_id, loop.segments, loop.required, specs, counter[0], depth)
        counter[0] += 1
        known.update(loop.segments)
        known.add(loop.trigger[0])
        if loop.trigger[1] is not None:
            qualified.add(loop.trigger[0])
        for child in loop.children:
            node.children[child.trigger] = build(child, depth + 1)
        return node

    root = build(guide.root, 0)
    return CompiledGuide(guide, root, counter[0], frozenset(known), frozenset(qualified))


def _qualifier(segment: list[str]) -> str:
    position = 3 if segment[0] == "HL" else 1
    return segment[position] if len(segment) > position else ""


def _label(segment_id: str) -> str:
    if 2 <= len(segment_id) <= 3 and segment_id.isalnum() and segment_id.isascii() and segment_id[0].isalpha():
        return segment_id
    return "?"


class LoopWalker:
    """Follows one transaction set segment by segment; collects structural Issues."""

    def __init__(self, compiled: CompiledGuide, segments: list[list[str]], start: int, issues: list[Issue]) -> None:
        self.compiled = compiled
        self.qualified = compiled.qualified
        self.segments = segments
        self.issues = issues
        root = compiled.root
        self.stack: list[tuple[Node, int, set[str]]] = [(root, start, set())]

    def step(self, index: int, segment: list[str]) -> Node | None:
        """Return the loop `segment` belongs to, or None (and an Issue) if it is out of place."""
        segment_id = segment[0]
        stack = self.stack
        node, _, seen = stack[-1]
        if segment_id in node.segments:
            seen.add(segment_id)
            return node
        key = (segment_id, _qualifier(segment) if segment_id in self.qualified else "")
        move = node.moves.get(key)
        if move is None:
            move = self._resolve(key)
            if move is None:
                self._out_of_place(index, segment_id, node)
                return None
            if len(node.moves) < MAX_REMEMBERED_MOVES:
                node.moves[key] = move
        keep, child = move
        if len(stack) > keep:
            self._close_to(keep)
        if child is None:
            owner = stack[-1]
            owner[2].add(segment_id)
            return owner[0]
        stack[-1][2].add(child.loop_id)
        stack.append((child, index, {segment_id}))
        return child

    def _resolve(self, key: tuple[str, str]) -> tuple[int, Node | None] | None:
        """Where a segment that is not part of the current loop goes: (loops to keep, loop to open)."""
        stack = self.stack
        segment_id, qualifier = key
        for depth in range(len(stack) - 1, -1, -1):
            parent = stack[depth][0]
            child = parent.children.get((segment_id, qualifier)) or parent.children.get((segment_id, None))
            if child is not None:
                return depth + 1, child
            if depth < len(stack) - 1 and segment_id in parent.segments:
                return depth + 1, None
        return None

    def _out_of_place(self, index: int, segment_id: str, node: Node) -> None:
        label = _label(segment_id)
        if label == "?":
            message = "unrecognised segment identifier"
        elif segment_id in self.compiled.known_segments:
            message = f"{segment_id} is not expected here"
        else:
            message = f"{segment_id} is not a segment of {self.compiled.guide.version}"
        self.issues.append(Issue(index + 1, label, message, "error", node.loop_id))

    def _close_to(self, depth: int) -> None:
        stack = self.stack
        while len(stack) > depth:
            node, start, seen = stack.pop()
            self._check_required(node, start, seen)

    def _check_required(self, node: Node, start: int, seen: set[str]) -> None:
        missing = node.required - seen
        if missing:
            label = _label(self.segments[start][0])
            self.issues.append(
                Issue(
                    start + 1, label, f"loop {node.loop_id} lacks {', '.join(sorted(missing))}", "error", node.loop_id
                )
            )

    def finish(self) -> None:
        """Close every open loop at the end of the transaction set."""
        self._close_to(0)
