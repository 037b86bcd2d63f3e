"""A process keeps each credential's worked-out reach only while the access version read
with the credential stands still: a share, a role, a team or a manager changed through any
process, or a key revoked, applies from the very next request in every process.

On SQLite and PostgreSQL two containers over one database stand for two server processes;
the in-memory storage lives in one process, so both requests go to the same container.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from sqlalchemy import event

from adapters.persistence.database import Database
from application.access.administration import UserPatch
from application.access.bundle import Access
from application.access.ports import UserView
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.principal import Principal
from bootstrap import Container, Settings, build_container
from domain.access.roles import BUILT_IN_ROLES, Resource, Role, Scope
from domain.access.visibility import Visibility

SYSTEM = Principal.system()


@attrs.frozen
class Processes:
    first: Container
    """Where the changes are made."""
    second: Container
    """Where the next request goes after each change."""

    def user(
        self, email: str, role: Role, *, team: str | None = None, manager: str | None = None
    ) -> tuple[UserView, str]:
        """A user and a key of theirs with their own role."""
        access = self.first.use(Access)
        user = access.register_user(
            SYSTEM,
            name=email.split("@")[0],
            email=email,
            role=role,
            team=team,
            manager_email=manager,
        )
        key = access.issue_api_key(SYSTEM, role=role, name="k", user_email=email)
        return user, key.token

    def customer_of(self, owner: UserView) -> str:
        created = self.first.use(Customers).create(
            SYSTEM, NewCustomer(first_name="Ada", last_name="L", owner_id=owner.id)
        )
        return created.id

    def reach(self, token: str) -> Visibility:
        """Who the second process takes ``token`` for, asked twice so a kept reach answers."""
        authenticate = self.second.use(Access).authenticate
        first = authenticate(token)
        again = authenticate(token)
        assert first is not None and again is not None
        assert first.visibility(Resource.CUSTOMERS) == again.visibility(Resource.CUSTOMERS)
        return again.visibility(Resource.CUSTOMERS)

    def team_id(self, user: UserView) -> str:
        found = self.first.use(Access).users.get_many([user.id])[user.id].team_id
        assert found is not None
        return found


def _container(url: str) -> Container:
    return build_container(Settings.from_env({"RAPPORT_DATABASE_URL": url}))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def processes(
    request: pytest.FixtureRequest, migrated_sqlite_template: Path, tmp_path: Path
) -> Iterator[Processes]:
    if request.param == "memory":
        container = build_container(Settings.from_env({"RAPPORT_STORAGE": "memory"}))
        yield Processes(container, container)
        container.close()
        return
    if request.param == "postgres":
        database: Database = request.getfixturevalue("postgres_database")
        url = database.writer.url.render_as_string(hide_password=False)
    else:
        path = tmp_path / "shared.db"
        shutil.copyfile(migrated_sqlite_template, path)
        url = f"sqlite:///{path}"
    first, second = _container(url), _container(url)
    yield Processes(first, second)
    first.close()
    second.close()


def test_a_share_added_or_removed_applies_on_the_next_request(processes: Processes) -> None:
    rep, token = processes.user("rep@example.com", Role.SALES_REP)
    other, _ = processes.user("other@example.com", Role.SALES_REP)
    customer = processes.customer_of(other)
    assert not processes.reach(token).admits(other.id, customer)
    share = processes.first.use(Access).share_record
    share(SYSTEM, Resource.CUSTOMERS, customer, user_id=rep.id)
    assert processes.reach(token).admits(other.id, customer)
    share(SYSTEM, Resource.CUSTOMERS, customer, user_id=rep.id, shared=False)
    assert not processes.reach(token).admits(other.id, customer)


def test_an_edited_role_applies_on_the_next_request(processes: Processes) -> None:
    _, token = processes.user("rep@example.com", Role.SALES_REP)
    assert not processes.reach(token).unrestricted
    rep_role = BUILT_IN_ROLES[Role.SALES_REP.value]
    everything = {**rep_role.record_access, Resource.CUSTOMERS: Scope.ALL}
    processes.first.use(Access).save_role(SYSTEM, attrs.evolve(rep_role, record_access=everything))
    assert processes.reach(token).unrestricted


def test_a_colleague_moved_into_the_team_is_reached_on_the_next_request(
    processes: Processes,
) -> None:
    manager, token = processes.user("boss@example.com", Role.SALES_MANAGER, team="East")
    colleague, _ = processes.user("west@example.com", Role.SALES_REP, team="West")
    customer = processes.customer_of(colleague)
    assert not processes.reach(token).admits(colleague.id, customer)
    # Only the colleague's row changes: nothing of the manager's own credential does.
    processes.first.use(Access).update_user(
        SYSTEM, UserPatch(user_id=colleague.id, team_id=processes.team_id(manager))
    )
    assert processes.reach(token).admits(colleague.id, customer)


def test_a_new_report_is_reached_on_the_next_request(processes: Processes) -> None:
    manager, token = processes.user("boss@example.com", Role.SALES_MANAGER)
    rep, _ = processes.user("rep@example.com", Role.SALES_REP)
    customer = processes.customer_of(rep)
    assert not processes.reach(token).admits(rep.id, customer)
    processes.first.use(Access).update_user(
        SYSTEM, UserPatch(user_id=rep.id, manager_id=manager.id)
    )
    assert processes.reach(token).admits(rep.id, customer)


def test_a_user_moved_team_reaches_what_was_shared_with_the_new_team(
    processes: Processes,
) -> None:
    rep, token = processes.user("rep@example.com", Role.SALES_REP, team="East")
    other, _ = processes.user("other@example.com", Role.SALES_REP, team="West")
    customer = processes.customer_of(other)
    west = processes.team_id(other)
    processes.first.use(Access).share_record(SYSTEM, Resource.CUSTOMERS, customer, team_id=west)
    assert not processes.reach(token).admits(other.id, customer)
    processes.first.use(Access).update_user(SYSTEM, UserPatch(user_id=rep.id, team_id=west))
    assert processes.reach(token).admits(other.id, customer)


def test_a_revoked_key_or_a_deactivated_user_is_refused_on_the_next_request(
    processes: Processes,
) -> None:
    _, revoked = processes.user("rep@example.com", Role.SALES_REP)
    leaver, deactivated = processes.user("leaver@example.com", Role.SALES_REP)
    processes.reach(revoked)
    processes.reach(deactivated)
    access = processes.first.use(Access)
    access.revoke_api_key(SYSTEM, revoked.split("_")[1])
    access.update_user(SYSTEM, UserPatch(user_id=leaver.id, active=False))
    authenticate = processes.second.use(Access).authenticate
    assert authenticate(revoked) is None
    assert authenticate(deactivated) is None


def test_a_kept_reach_costs_no_reads_of_roles_or_shares(
    migrated_sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "kept.db"
    shutil.copyfile(migrated_sqlite_template, path)
    container = _container(f"sqlite:///{path}")
    processes = Processes(container, container)
    _, token = processes.user("rep@example.com", Role.SALES_REP)
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    reader = container.database().reader
    event.listen(reader, "before_cursor_execute", record)
    authenticate = container.use(Access).authenticate
    assert authenticate(token) is not None
    worked_out = list(statements)
    statements.clear()
    assert authenticate(token) is not None
    event.remove(reader, "before_cursor_execute", record)
    assert any("record_shares" in statement for statement in worked_out)
    assert len(statements) == 1 and "FROM api_keys" in statements[0]
    container.close()
