"""API keys in SQL: the per-request lookup, the throttled note of use, the admin list."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam, func, or_, select, update
from sqlalchemy.exc import OperationalError

from adapters.persistence.keyset import walking_order, window
from adapters.persistence.tables import access_version, api_keys, users
from application.access.ports import ApiKeyFilter, ApiKeyView, FoundKey, FoundUser
from application.pagination import SortKey
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.customers import EmailAddress

log = logging.getLogger(__name__)

_KEY_COLUMNS = (
    api_keys.c.id,
    api_keys.c.user_id,
    api_keys.c.name.label("key_name"),
    api_keys.c.role.label("key_role"),
    api_keys.c.secret_hash,
    api_keys.c.created_at.label("key_created_at"),
    api_keys.c.revoked_at,
    api_keys.c.expires_at,
    api_keys.c.last_used_at,
)
_USER_COLUMNS = (
    users.c.name,
    users.c.email,
    users.c.role,
    users.c.created_at,
    users.c.deactivated_at,
    users.c.team_id,
    users.c.manager_id,
)

# Read in the same statement as the credential, so the reach a process kept for it is
# checked against the database on every request without another round trip.
_ACCESS_VERSION = func.coalesce(
    select(access_version.c.version).where(access_version.c.id == 1).scalar_subquery(), 0
).label("access_version")

# One primary-key lookup joined to its user: what every authenticated request costs.
_CREDENTIALS = (
    select(*_KEY_COLUMNS, *_USER_COLUMNS, _ACCESS_VERSION)
    .join(users, users.c.id == api_keys.c.user_id)
    .where(api_keys.c.id == bindparam("key_id"))
)
_USER_BY_EMAIL = select(users.c.id.label("user_id"), *_USER_COLUMNS, _ACCESS_VERSION).where(
    users.c.email == bindparam("email", type_=users.c.email.type)
)


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        user_id=row.user_id,
        name=row.key_name,
        role=row.key_role,
        secret_hash=row.secret_hash,
        created_at=row.key_created_at,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def _user(row: Any) -> User:
    return User(
        id=row.user_id,
        name=row.name,
        email=row.email,
        role=row.role,
        created_at=row.created_at,
        deactivated_at=row.deactivated_at,
        team_id=row.team_id,
        manager_id=row.manager_id,
    )


class SqlCredentialReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def find(self, key_id: str) -> FoundKey | None:
        with self._engine.connect() as connection:
            row = connection.execute(_CREDENTIALS, {"key_id": key_id}).first()
        if row is None:
            return None
        return FoundKey(user=_user(row), access_version=row.access_version, key=_key(row))

    def user_by_email(self, email: EmailAddress) -> FoundUser | None:
        with self._engine.connect() as connection:
            row = connection.execute(_USER_BY_EMAIL, {"email": email}).first()
        return None if row is None else FoundUser(_user(row), row.access_version)


class SqlApiKeyUsage:
    """Writes a key's last use outside any unit of work: it is bookkeeping, not a change."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record_use(self, key_id: str, at: datetime) -> None:
        statement = (
            update(api_keys)
            .where(
                api_keys.c.id == key_id,
                or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at < at),
            )
            .values(last_used_at=at)
        )
        # Best effort: a request never waits for, or fails on, the writer lock for this.
        # When the lock is held the use is noted on a later request instead.
        with self._engine.connect() as connection:
            # Straight to the driver: through SQLAlchemy a pragma would open the writer's
            # transaction, and wait for the lock, itself.
            # sqlite3's connection executes directly; the DB-API protocol does not say so.
            raw: Any = connection.connection.dbapi_connection
            sqlite = connection.dialect.name == "sqlite" and raw is not None
            waited = raw.execute("PRAGMA busy_timeout").fetchone()[0] if sqlite else 0
            if sqlite:
                raw.execute("PRAGMA busy_timeout = 0")
            try:
                with connection.begin():
                    connection.execute(statement)
            except OperationalError:
                log.info("the last use of key %s waits for a free writer", key_id)
            finally:
                if sqlite:
                    raw.execute(f"PRAGMA busy_timeout = {int(waited)}")


def _admitted(where: ApiKeyFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.user_id is not None:
        conditions.append(api_keys.c.user_id == where.user_id)
    if where.active is not None:
        unexpired = or_(api_keys.c.expires_at.is_(None), api_keys.c.expires_at > where.at)
        usable = api_keys.c.revoked_at.is_(None) & unexpired
        conditions.append(usable if where.active else ~usable)
    return conditions


class SqlApiKeyReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def slice(
        self,
        where: ApiKeyFilter,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[ApiKeyView]:
        sort, id_column = api_keys.c.created_at, api_keys.c.id
        query = (
            select(*_KEY_COLUMNS)
            .where(
                *_admitted(where),
                *window(sort, id_column, descending=True, after=after, before=before),
            )
            .order_by(*walking_order(sort, id_column, descending=True, from_end=from_end))
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [ApiKeyView.of(_key(row), at=where.at) for row in connection.execute(query)]

    def count(self, where: ApiKeyFilter) -> int:
        query = select(func.count()).select_from(api_keys).where(*_admitted(where))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def get_many(self, ids: Iterable[str], *, at: datetime) -> Mapping[str, ApiKeyView]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = select(*_KEY_COLUMNS).where(api_keys.c.id.in_(wanted))
        with self._engine.connect() as connection:
            return {row.id: ApiKeyView.of(_key(row), at=at) for row in connection.execute(query)}
