"""Public types whose fields come from several modules, found by the modules that build them.

``Customer`` and ``Company`` are assembled in ``adapters.graphql.types`` from a base and the
fields other modules add (``Customer.orders`` from orders, ...). That module imports the
others, so they cannot import it back: each base names its ``Assembled`` slot instead, which
the assembly fills once, when it is imported, before any schema exists.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

BaseT = TypeVar("BaseT")
PublicT = TypeVar("PublicT")


class Assembled(Generic[BaseT]):
    """The public type built on ``base``; ``cls`` once the assembly has bound it."""

    def __init__(self, base: type[BaseT]) -> None:
        self.base = base
        self._public: type[BaseT] | None = None

    def bind(self, public: type[PublicT]) -> type[PublicT]:
        """Records ``public`` as the type; a class decorator of the assembly."""
        self._public = self._built_on_base(public)
        return public

    def _built_on_base(self, public: type[Any]) -> type[BaseT]:
        if not issubclass(public, self.base):
            raise TypeError(f"{public.__name__} does not build on {self.base.__name__}")
        return public

    @property
    def cls(self) -> type[BaseT]:
        if self._public is None:
            raise RuntimeError(f"{self.base.__name__} is not assembled yet: build the schema first")
        return self._public
