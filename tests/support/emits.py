"""What a process's source names as written to its outbox, read from the code: the oracle that
checks the declaration (shared/topics.py EMITS) misses nothing the code writes by name. The outbox
itself refuses an undeclared topic at run time (shared/outbox.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from shared import topics

ROOT = Path(__file__).resolve().parents[2]

# Where code puts an event on a topic: a consumer's unit of work (`unit.emit`), or code that writes its
# own outbox rows (`new_event` and `outbox_document`, e.g. registration's feed intake). The relay
# publishes every outbox row, so each such topic needs Write.
_OUTBOX_WRITERS = frozenset({"new_event", "outbox_document"})


def _writer(call: ast.Call) -> str | None:
    """What `call` is: "emit" for `….emit(…)`, the function's name for an outbox writer, else None."""
    if isinstance(call.func, ast.Attribute):
        return call.func.attr if call.func.attr == "emit" or call.func.attr in _OUTBOX_WRITERS else None
    if isinstance(call.func, ast.Name) and call.func.id in _OUTBOX_WRITERS:
        return call.func.id
    return None


def _topic_name(node: ast.AST) -> str | None:
    """The topic name of a `topics.X` expression (None for anything else)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "topics":
        topic = getattr(topics, node.attr, None)
        return topic.name if isinstance(topic, topics.Topic) else None
    return None


def named_in_source(module: str, consumed: frozenset[str] = frozenset(), *, root: Path = ROOT) -> tuple[str, ...]:
    """Topics named `topics.X` as the first argument of `….emit(…)`, `new_event(…)` or
    `outbox_document(…)` anywhere in the process's package. An `emit` whose topic is not written
    `topics.X` is refused: its topic could not be checked. The outbox writers often compute
    theirs (the dead-letter topic, a loop over (topic, payload) pairs), so those are not refused, and
    such a topic is checked only where it is named (the outbox checks every write)."""
    package = root.joinpath(*module.split("."))
    names: set[str] = set()
    for source in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Tuple) and len(node.elts) == 2 and (name := _topic_name(node.elts[0])):
                # `(topics.X, payload)` pairs that a loop writes to the outbox (an API's audit record, a
                # coder's decision). The same shape also pairs a consumed topic with its handler, so
                # a topic the process consumes is not granted by such a pair.
                if name not in consumed:
                    names.add(name)
                continue
            writer = _writer(node) if isinstance(node, ast.Call) else None
            if writer is None:
                continue
            first = node.args[0] if node.args else None
            named = (isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name)
                     and first.value.id == "topics")
            if named:
                names.add(getattr(topics, first.attr).name)
            elif writer == "emit":
                raise ValueError(f"{source.relative_to(root)}:{node.lineno}: emit(...) must name its topic as "
                                 "topics.<NAME>")
    return tuple(sorted(names))
