"""Teams, stored roles and record shares in SQL, and the reads that work out a reach."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Row, delete, or_, select

from adapters.persistence.tables import (
    companies,
    customers,
    leads,
    opportunities,
    record_shares,
    roles,
    tasks,
    teams,
    users,
)
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.upserts import insert_for
from application.access.ports import UserView
from domain.access.roles import FieldAccess, Permission, Resource, RoleDefinition, Scope
from domain.access.sharing import RecordShare
from domain.access.team import Team

OWNER_COLUMNS = {
    Resource.CUSTOMERS: (customers.c.id, customers.c.owner_id),
    Resource.COMPANIES: (companies.c.id, companies.c.owner_id),
    Resource.DEALS: (opportunities.c.id, opportunities.c.owner_id),
    Resource.LEADS: (leads.c.id, leads.c.owner_id),
    Resource.TASKS: (tasks.c.id, tasks.c.assignee_id),
}
"""Each owned kind's id column and the column holding its owner."""

USER_GRANTEE = "user"
TEAM_GRANTEE = "team"


def role_row(role: RoleDefinition) -> dict[str, Any]:
    return {
        "key": role.key,
        "name": role.name,
        "description": role.description,
        "permissions": sorted(p.value for p in role.permissions),
        "record_access": {r.value: s.value for r, s in role.record_access.items()},
        "field_rules": [[r.value, f, a.value] for (r, f), a in role.field_rules.items()],
        "built_in": role.built_in,
        "updated_at": datetime.now(UTC),
    }


def role_of(row: Row[Any]) -> RoleDefinition:
    # A permission or resource that a later version dropped is ignored, not fatal.
    known = {p.value for p in Permission}
    return RoleDefinition(
        row.key,
        row.name,
        frozenset(Permission(p) for p in row.permissions if p in known),
        {Resource(r): Scope(s) for r, s in row.record_access.items()},
        {(Resource(r), f): FieldAccess(a) for r, f, a in row.field_rules},
        row.description,
        built_in=row.built_in,
    )


def _grantee(share_user: str | None, share_team: str | None) -> tuple[str, str]:
    if share_user is not None:
        return USER_GRANTEE, share_user
    assert share_team is not None
    return TEAM_GRANTEE, share_team


class SqlTeamRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def add(self, team: Team) -> None:
        self._session.execute(
            teams.insert().values(id=team.id, name=team.name, created_at=team.created_at)
        )

    def get(self, team_id: str) -> Team | None:
        row = self._session.execute(select(teams).where(teams.c.id == team_id)).first()
        return Team(row.id, row.name, row.created_at) if row else None

    def get_by_name(self, name: str) -> Team | None:
        row = self._session.execute(select(teams).where(teams.c.name == name)).first()
        return Team(row.id, row.name, row.created_at) if row else None


class SqlRoleRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def put(self, role: RoleDefinition) -> None:
        row = role_row(role)
        statement = insert_for(self._session, roles).values(row)
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[roles.c.key], set_={k: v for k, v in row.items() if k != "key"}
            )
        )

    def get(self, key: str) -> RoleDefinition | None:
        row = self._session.execute(select(roles).where(roles.c.key == key)).first()
        return role_of(row) if row else None


class SqlShareRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def add(self, share: RecordShare) -> None:
        kind, grantee = _grantee(share.user_id, share.team_id)
        row = {
            "resource": share.resource.value,
            "record_id": share.record_id,
            "grantee_kind": kind,
            "grantee_id": grantee,
            "shared_by": share.shared_by,
            "shared_at": share.shared_at,
        }
        self._session.execute(
            insert_for(self._session, record_shares).values(row).on_conflict_do_nothing()
        )

    def remove(
        self, resource: Resource, record_id: str, *, user_id: str | None, team_id: str | None
    ) -> bool:
        kind, grantee = _grantee(user_id, team_id)
        result = self._session.execute(
            delete(record_shares).where(
                record_shares.c.resource == resource.value,
                record_shares.c.record_id == record_id,
                record_shares.c.grantee_kind == kind,
                record_shares.c.grantee_id == grantee,
            )
        )
        return bool(getattr(result, "rowcount", 0))


class SqlAccessReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def role(self, key: str) -> RoleDefinition | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(roles).where(roles.c.key == key)).first()
        return role_of(row) if row else None

    def roles(self) -> Sequence[RoleDefinition]:
        with self._engine.connect() as connection:
            return [role_of(row) for row in connection.execute(select(roles).order_by(roles.c.key))]

    def team_member_ids(self, team_id: str) -> frozenset[str]:
        query = select(users.c.id).where(users.c.team_id == team_id)
        with self._engine.connect() as connection:
            return frozenset(connection.scalars(query))

    def report_ids(self, manager_id: str) -> frozenset[str]:
        # Walked level by level rather than with a recursive CTE: org charts are shallow,
        # and the same code then runs on every database.
        found: set[str] = set()
        level = {manager_id}
        with self._engine.connect() as connection:
            while level:
                query = select(users.c.id).where(users.c.manager_id.in_(sorted(level)))
                level = set(connection.scalars(query)) - found - {manager_id}
                found |= level
        return frozenset(found)

    def shared_with(
        self, user_id: str, team_id: str | None, resources: Iterable[Resource]
    ) -> Mapping[Resource, frozenset[str]]:
        grantee: ColumnElement[bool] = (record_shares.c.grantee_kind == USER_GRANTEE) & (
            record_shares.c.grantee_id == user_id
        )
        if team_id is not None:
            grantee = or_(
                grantee,
                (record_shares.c.grantee_kind == TEAM_GRANTEE)
                & (record_shares.c.grantee_id == team_id),
            )
        query = select(record_shares.c.resource, record_shares.c.record_id).where(
            grantee, record_shares.c.resource.in_([r.value for r in resources])
        )
        shared: dict[Resource, set[str]] = {}
        with self._engine.connect() as connection:
            for resource, record_id in connection.execute(query):
                shared.setdefault(Resource(resource), set()).add(record_id)
        return {resource: frozenset(ids) for resource, ids in shared.items()}

    def teams(self) -> Sequence[Team]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(teams).order_by(teams.c.name))
            return [Team(row.id, row.name, row.created_at) for row in rows]

    def users(self) -> Sequence[UserView]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(users).order_by(users.c.name, users.c.id))
            return [
                UserView(
                    row.id,
                    row.name,
                    row.email.value,
                    row.role,
                    row.created_at,
                    row.deactivated_at is None,
                    row.team_id,
                    row.manager_id,
                )
                for row in rows
            ]

    def owner_of(self, resource: Resource, record_id: str) -> tuple[bool, str | None]:
        id_column, owner_column = OWNER_COLUMNS[resource]
        query = select(owner_column).where(id_column == record_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return (False, None) if row is None else (True, row[0])
