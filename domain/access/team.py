"""Teams: the groups whose members see each other's records under a ``TEAM`` scope."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from domain.text import clean_line


@define(slots=False, eq=False)
class Team:
    id: str
    name: str
    created_at: datetime

    @classmethod
    def create(cls, *, id: str, name: str, at: datetime) -> Team:
        return cls(id=id, name=clean_line(name, field="name", max_length=120), created_at=at)
