"""Every module's bundle of use cases, found by the bundle's type."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

B = TypeVar("B")


class Modules:
    """The bundles the composition root built; adapters take this instead of a list of use
    cases, so a new module adds its bundle without touching them."""

    def __init__(self, bundles: Iterable[object]) -> None:
        self._bundles: dict[type, object] = {type(bundle): bundle for bundle in bundles}

    def use(self, kind: type[B]) -> B:
        """The bundle of ``kind``; a ``LookupError`` names a module that was not composed."""
        try:
            bundle = self._bundles[kind]
        except KeyError:
            raise LookupError(f"no {kind.__name__} module is composed") from None
        return bundle  # type: ignore[return-value]

    def __contains__(self, kind: type) -> bool:
        return kind in self._bundles
