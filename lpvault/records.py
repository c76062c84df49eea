"""How the frozen records pickle: the parse cache and the worker processes move every
record of a vault through pickle, so it has to be quick both ways.

A module of its own so that `findings` (read back from a lint memo on an unchanged
vault) does not import `model`: its dataclasses cost more to create than the rest of
such a run's imports.
"""
from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, Callable, TypeVar

R = TypeVar("R", bound=type)


def pickled_as_arguments(cls: R) -> R:
    """Pickle a frozen dataclass with slots as `cls(*values)`. Its default pickling goes
    through `dataclasses.fields()` and `object.__setattr__` once per field: three times
    slower both ways, and the parse cache pickles and unpickles every record of a vault."""
    values: Callable[[Any], tuple[Any, ...]] = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
