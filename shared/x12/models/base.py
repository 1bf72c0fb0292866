"""`@model`: a frozen dataclass whose __init__ is cheap enough to build a remittance with.

A frozen dataclass's generated __init__ stores each field through object.__setattr__ (to get past
its own __setattr__, which refuses assignment). That costs about half a microsecond per field, and
reading a 10,000-claim 835 builds some 100,000 models, so the codec's models use `@model` instead:
the same frozen dataclass (equality, hashing, repr, `replace`, FrozenInstanceError on assignment),
with an __init__ of the same signature that fills the instance dictionary in one update.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T")


def model(cls: type[T]) -> type[T]:
    frozen = dataclasses.dataclass(frozen=True)(cls)
    fields = dataclasses.fields(frozen)
    if hasattr(frozen, "__post_init__") or any(field.default_factory is not dataclasses.MISSING for field in fields):
        raise TypeError(f"@model supports neither __post_init__ nor default factories ({cls.__qualname__})")
    defaults = {field.name: field.default for field in fields if field.default is not dataclasses.MISSING}
    parameters = ", ".join(
        f"{field.name}=_defaults[{field.name!r}]" if field.name in defaults else field.name for field in fields
    )
    stored = ", ".join(f"{field.name!r}: {field.name}" for field in fields)
    namespace: dict[str, object] = {"_defaults": defaults}
    exec(f"def __init__(self, {parameters}):\n    self.__dict__.update({{{stored}}})\n", namespace)
    initializer = namespace["__init__"]
    initializer.__qualname__ = f"{frozen.__qualname__}.__init__"  # type: ignore[attr-defined]
    initializer.__doc__ = frozen.__init__.__doc__  # type: ignore[attr-defined]
    frozen.__init__ = initializer  # type: ignore[misc]
    return frozen
