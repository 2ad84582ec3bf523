"""Which views and blueprints carry options, keyed weakly by the objects.

``@talisman(...)`` registers its options here instead of writing them onto
the view function. Entries are keyed by identity (a view's ``==`` is never
consulted) and hold the object weakly, so a view or blueprint, and an app
built around it, can be collected once the application drops it; its entry
goes with it. An object that cannot be weakly referenced is held strongly.

Identity, not a :class:`weakref.WeakKeyDictionary`: that would consult the
view's ``__hash__`` and ``__eq__``, so two callable view objects that compare
equal would share their options, and an unhashable one could not be
decorated at all.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Literal

from .options import Checked

__all__ = ["CheckedLayer", "Registry"]

#: What a decorator registers: its operation and its options, each checked.
CheckedLayer = tuple[Literal["replace", "extend"], dict[str, Checked]]
Ref = Callable[[], object]

# How many __wrapped__ links get_wrapped follows at most.
_MAX_WRAPPED = 32


class Registry:
    """Option layers per object, innermost decorator first."""

    def __init__(self) -> None:
        self._entries: dict[
            int, tuple[Callable[[], object], tuple[CheckedLayer, ...]]
        ] = {}
        # Reentrant: a collected object's callback may run inside add().
        self._lock = threading.RLock()

    def add(self, target: object, layer: CheckedLayer) -> None:
        """Append ``layer`` to ``target``'s layers."""
        key = id(target)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0]() is target:
                self._entries[key] = (entry[0], (*entry[1], layer))
                return
            ref: Callable[[], object]
            try:
                ref = weakref.ref(target, self._forget(key))
            except TypeError:  # no __weakref__ slot: held for good
                ref = _Strong(target)
            self._entries[key] = (ref, (layer,))

    def _forget(self, key: int) -> Callable[[object], None]:
        def forget(dead: object) -> None:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0] is dead:
                    del self._entries[key]

        return forget

    def get(self, target: object) -> tuple[CheckedLayer, ...]:
        """``target``'s layers, or ``()``."""
        entry = self._entries.get(id(target))
        if entry is not None and entry[0]() is target:
            return entry[1]
        return ()

    def get_wrapped(self, view: object) -> tuple[CheckedLayer, ...]:
        """The layers of ``view`` or of the first function it wraps that has some.

        Follows ``__wrapped__``, so options survive ``functools.wraps``
        decorators stacked between ``@app.route`` and ``@talisman(...)``.
        """
        for _ in range(_MAX_WRAPPED):
            if view is None:
                break
            layers = self.get(view)
            if layers:
                return layers
            view = getattr(view, "__wrapped__", None)
        return ()

    def layers(self) -> list[tuple[CheckedLayer, ...]]:
        """Every registered object's layers."""
        return [entry[1] for entry in list(self._entries.values())]

    def __len__(self) -> int:
        return len(self._entries)


class _Strong:
    """A reference that keeps its object, for objects without weak references."""

    __slots__ = ("target",)

    def __init__(self, target: object) -> None:
        self.target = target

    def __call__(self) -> object:
        return self.target
