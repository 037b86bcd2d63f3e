"""Record-level visibility: which records of one kind an actor may see.

Readers push a ``Visibility`` down into their queries, so a record outside it is never
read, counted or returned: to the actor it does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from attrs import field, frozen

from domain.access.roles import Resource


@frozen
class Visibility:
    """Records owned by one of ``owner_ids``, or shared by id in ``shared_ids``.

    ``owner_ids`` of ``None`` admits every record: the actor's scope is ``ALL``.
    """

    owner_ids: frozenset[str] | None = None
    shared_ids: frozenset[str] = frozenset()

    @classmethod
    def owned_by(cls, owner_ids: Iterable[str], shared_ids: Iterable[str] = ()) -> Visibility:
        return cls(frozenset(owner_ids), frozenset(shared_ids))

    @property
    def unrestricted(self) -> bool:
        return self.owner_ids is None

    def admits(self, owner_id: str | None, record_id: str) -> bool:
        if self.owner_ids is None:
            return True
        return (owner_id is not None and owner_id in self.owner_ids) or record_id in self.shared_ids


EVERYTHING = Visibility()
NOTHING = Visibility(frozenset())


def _read_only(given: Mapping[Resource, Visibility]) -> Mapping[Resource, Visibility]:
    return MappingProxyType(dict(given))


@frozen
class Reach:
    """An actor's visibility of every kind of owned record; kinds not listed are whole."""

    by_resource: Mapping[Resource, Visibility] = field(factory=dict, converter=_read_only)

    def of(self, resource: Resource) -> Visibility:
        return self.by_resource.get(resource, EVERYTHING)

    @property
    def unrestricted(self) -> bool:
        return all(visibility.unrestricted for visibility in self.by_resource.values())


FULL_REACH = Reach()
