"""Explicit sharing: one record made visible to a user or a team beyond their scope."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from domain.access.roles import OWNED_RESOURCES, Resource
from domain.errors import ErrorCode, InvalidValue


@frozen
class RecordShare:
    resource: Resource
    record_id: str
    user_id: str | None
    team_id: str | None
    shared_by: str
    shared_at: datetime

    @classmethod
    def grant(
        cls,
        *,
        resource: Resource,
        record_id: str,
        user_id: str | None = None,
        team_id: str | None = None,
        shared_by: str,
        at: datetime,
    ) -> RecordShare:
        if resource not in OWNED_RESOURCES:
            raise InvalidValue("recordId", ErrorCode.INVALID, f"{resource.value} cannot be shared")
        if (user_id is None) == (team_id is None):
            raise InvalidValue("userId", ErrorCode.INVALID, "share with exactly one user or team")
        return cls(resource, record_id, user_id, team_id, shared_by, at)
