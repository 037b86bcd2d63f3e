"""A user: a person or an integration that acts in Rapport and owns records."""

from __future__ import annotations

from datetime import datetime

from attrs import define, field

from domain.access.roles import role_key
from domain.customers.contact import EmailAddress
from domain.errors import ErrorCode, RuleViolated
from domain.text import clean_line


@define(slots=False, eq=False)
class User:
    """``role`` is a role key; ``team_id`` and ``manager_id`` decide what a ``TEAM`` scope
    reaches: the records of the user's team mates and of everyone who reports to them."""

    id: str
    name: str
    email: EmailAddress
    role: str = field(converter=role_key)
    created_at: datetime
    deactivated_at: datetime | None = None
    team_id: str | None = None
    manager_id: str | None = None

    @classmethod
    def register(
        cls,
        *,
        id: str,
        name: str,
        email: EmailAddress,
        role: str,
        at: datetime,
        team_id: str | None = None,
        manager_id: str | None = None,
    ) -> User:
        if manager_id == id:
            raise RuleViolated("managerId", ErrorCode.INVALID, "a user cannot manage themselves")
        return cls(
            id=id,
            name=clean_line(name, field="name", max_length=200),
            email=email,
            role=role,
            created_at=at,
            team_id=team_id,
            manager_id=manager_id,
        )

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    def deactivate(self, *, at: datetime) -> None:
        if self.deactivated_at is None:
            self.deactivated_at = at

    def reactivate(self) -> None:
        self.deactivated_at = None

    def report_to(self, manager_id: str | None, *, manager_chain: list[str]) -> None:
        """Set the manager; ``manager_chain`` is the new manager's own chain upwards."""
        if manager_id is not None and (manager_id == self.id or self.id in manager_chain):
            raise RuleViolated(
                "managerId",
                ErrorCode.INVALID,
                "a user cannot report to someone who reports to them",
            )
        self.manager_id = manager_id
