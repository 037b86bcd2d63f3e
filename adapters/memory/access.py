"""Teams, stored roles and record shares in memory, and the reads that work out a reach."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.access.ports import UserView
from domain.access.roles import Resource, RoleDefinition
from domain.access.sharing import RecordShare
from domain.access.team import Team

ShareKey = tuple[Resource, str, str | None, str | None]


def share_key(share: RecordShare) -> ShareKey:
    return (share.resource, share.record_id, share.user_id, share.team_id)


class _Pending:
    """Writes staged by one repository, applied to the store on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self.steps: list[Callable[[], None]] = []
        transaction.stages(write_back=self._apply, clear=self.steps.clear)

    def _apply(self) -> None:
        for step in self.steps:
            step()


class InMemoryTeamRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._pending = _Pending(transaction)
        self._added: dict[str, Team] = {}
        transaction.stages(write_back=lambda: None, clear=self._added.clear)

    def add(self, team: Team) -> None:
        self._added[team.id] = team
        self._pending.steps.append(lambda: self._store.teams.__setitem__(team.id, team))

    def get(self, team_id: str) -> Team | None:
        return self._added.get(team_id) or self._store.teams.get(team_id)

    def get_by_name(self, name: str) -> Team | None:
        teams = {**self._store.teams, **self._added}
        return next((team for team in teams.values() if team.name == name), None)


class InMemoryRoleRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._pending = _Pending(transaction)
        self._put: dict[str, RoleDefinition] = {}
        transaction.stages(write_back=lambda: None, clear=self._put.clear)

    def put(self, role: RoleDefinition) -> None:
        self._put[role.key] = role
        self._pending.steps.append(lambda: self._store.roles.__setitem__(role.key, role))
        self._pending.steps.append(self._store.access_changed)

    def get(self, key: str) -> RoleDefinition | None:
        return self._put.get(key) or self._store.roles.get(key)


class InMemoryShareRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._pending = _Pending(transaction)

    def add(self, share: RecordShare) -> None:
        key = share_key(share)
        self._pending.steps.append(lambda: self._store.record_shares.__setitem__(key, share))
        self._pending.steps.append(self._store.access_changed)

    def remove(
        self, resource: Resource, record_id: str, *, user_id: str | None, team_id: str | None
    ) -> bool:
        key = (resource, record_id, user_id, team_id)
        if key not in self._store.record_shares:
            return False
        self._pending.steps.append(lambda: self._store.record_shares.__delitem__(key))
        self._pending.steps.append(self._store.access_changed)
        return True


class InMemoryAccessReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def role(self, key: str) -> RoleDefinition | None:
        return self._store.roles.get(key)

    def roles(self) -> Sequence[RoleDefinition]:
        return [self._store.roles[key] for key in sorted(self._store.roles)]

    def team_member_ids(self, team_id: str) -> frozenset[str]:
        return frozenset(u.id for u in self._store.users.values() if u.team_id == team_id)

    def report_ids(self, manager_id: str) -> frozenset[str]:
        found: set[str] = set()
        level = {manager_id}
        while level:
            level = (
                {u.id for u in self._store.users.values() if u.manager_id in level}
                - found
                - {manager_id}
            )
            found |= level
        return frozenset(found)

    def shared_with(
        self, user_id: str, team_id: str | None, resources: Iterable[Resource]
    ) -> Mapping[Resource, frozenset[str]]:
        wanted = set(resources)
        shared: dict[Resource, set[str]] = {}
        for resource, record_id, user, team in self._store.record_shares:
            if resource in wanted and (
                (user is not None and user == user_id) or (team is not None and team == team_id)
            ):
                shared.setdefault(resource, set()).add(record_id)
        return {resource: frozenset(ids) for resource, ids in shared.items()}

    def teams(self) -> Sequence[Team]:
        return sorted(self._store.teams.values(), key=lambda team: team.name)

    def users(self) -> Sequence[UserView]:
        return [
            UserView.from_user(user)
            for user in sorted(self._store.users.values(), key=lambda u: (u.name, u.id))
        ]

    def owner_of(self, resource: Resource, record_id: str) -> tuple[bool, str | None]:
        by_resource: dict[Resource, Mapping[str, Any]] = {
            Resource.CUSTOMERS: self._store.customers,
            Resource.COMPANIES: self._store.companies,
            Resource.DEALS: self._store.opportunities,
            Resource.LEADS: self._store.leads,
            Resource.TASKS: self._store.tasks,
        }
        record = by_resource[resource].get(record_id)
        if record is None:
            return False, None
        owner = record.assignee_id if resource is Resource.TASKS else record.owner_id
        return True, owner
