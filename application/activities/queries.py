"""Use cases that read activities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import frozen

from application.activities.ports import ActivityReader
from application.activities.views import ActivityView
from application.principal import Principal
from domain.access.roles import Permission, Resource


@frozen
class GetActivities:
    """Activities by id, for lookups and DataLoaders; unknown ids are simply absent."""

    reader: ActivityReader

    def __call__(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, ActivityView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids, visible=actor.visibility(Resource.CUSTOMERS))
