"""Contracts of the user and API key repositories and the user reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from application.access.ports import ApiKeyFilter
from application.pagination import SortKey
from domain.access.api_key import ApiKey
from domain.access.roles import FieldAccess, Permission, Resource, Role, RoleDefinition, Scope
from domain.access.sharing import RecordShare
from domain.access.team import Team
from domain.access.user import User
from domain.customers import EmailAddress
from tests.contracts.backend import StorageBackend

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def new_user(user_id: str = "user-1", email: str = "rep@example.com") -> User:
    return User.register(
        id=user_id, name="Sales Rep", email=EmailAddress(email), role=Role.SALES_REP, at=T0
    )


class AccessRepositoryContract:
    def test_user_reads_back_by_id_and_email(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.commit()
        with backend.uow() as uow:
            by_id = uow.users.get("user-1")
            by_email = uow.users.get_by_email(EmailAddress("rep@example.com"))
        assert by_id is not None and by_email is not None
        assert (by_id.id, by_id.role, by_id.email) == (
            "user-1",
            Role.SALES_REP,
            EmailAddress("rep@example.com"),
        )
        assert by_email.id == "user-1"

    def test_key_of_a_new_user_is_stored_in_the_same_transaction(
        self, backend: StorageBackend
    ) -> None:
        key = ApiKey.issue(
            id="key1", user_id="user-1", name="ci", role=Role.ANALYST, secret="s3cret", at=T0
        )
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.api_keys.add(key)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.api_keys.get("key1")
        assert loaded is not None
        assert loaded.matches("s3cret") and not loaded.matches("other")
        assert loaded.secret_hash != "s3cret"
        assert loaded.role == Role.ANALYST

    def test_revocation_is_saved(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.api_keys.add(
                ApiKey.issue(
                    id="key1", user_id="user-1", name="ci", role=Role.ADMIN, secret="s", at=T0
                )
            )
            uow.commit()
        with backend.uow() as uow:
            key = uow.api_keys.get("key1")
            assert key is not None
            key.revoke(at=T0)
            uow.commit()
        with backend.uow() as uow:
            revoked = uow.api_keys.get("key1")
        assert revoked is not None and not revoked.matches("s")

    def test_user_reader_returns_views_of_known_users(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.commit()
        views = backend.users.get_many(["user-1", "nobody"])
        assert list(views) == ["user-1"]
        assert views["user-1"].email == "rep@example.com" and views["user-1"].active

    def test_credentials_pair_a_key_with_its_user(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.api_keys.add(
                ApiKey.issue(
                    id="key1", user_id="user-1", name="ci", role=Role.ADMIN, secret="s", at=T0
                )
            )
            uow.commit()
        found = backend.credentials.find("key1")
        assert found is not None
        key, user = found.key, found.user
        assert (key.id, key.role, user.id, user.role) == (
            "key1",
            Role.ADMIN,
            "user-1",
            Role.SALES_REP,
        )
        assert key.matches("s")
        assert user.email == EmailAddress("rep@example.com")
        assert backend.credentials.find("nokey") is None


def _users(backend: StorageBackend, *users: User, teams: tuple[Team, ...] = ()) -> None:
    with backend.uow() as uow:
        for team in teams:
            uow.teams.add(team)
        for user in users:
            uow.users.add(user)
        uow.commit()


def _member(user_id: str, *, team_id: str | None = None, manager_id: str | None = None) -> User:
    return User.register(
        id=user_id,
        name=user_id.title(),
        email=EmailAddress(f"{user_id}@example.com"),
        role=Role.SALES_REP,
        at=T0,
        team_id=team_id,
        manager_id=manager_id,
    )


class AccessReaderContract:
    def test_team_mates_and_every_level_of_reports(self, backend: StorageBackend) -> None:
        assert backend.access is not None
        east = Team.create(id="team-east", name="East", at=T0)
        _users(
            backend,
            _member("boss"),
            _member("mid", team_id="team-east", manager_id="boss"),
            _member("rep", team_id="team-east", manager_id="mid"),
            _member("far", manager_id="rep"),
            _member("loner"),
            teams=(east,),
        )
        assert backend.access.team_member_ids("team-east") == {"mid", "rep"}
        assert backend.access.report_ids("boss") == {"mid", "rep", "far"}
        assert backend.access.report_ids("rep") == {"far"}
        assert backend.access.report_ids("loner") == frozenset()
        assert [team.name for team in backend.access.teams()] == ["East"]
        with backend.uow() as uow:
            found = uow.teams.get_by_name("East")
        assert found is not None and found.id == "team-east"

    def test_records_shared_with_the_user_or_their_team(self, backend: StorageBackend) -> None:
        assert backend.access is not None
        _users(backend, _member("rep", team_id="t1"), _member("other"))

        def share(record_id: str, **grantee: str) -> RecordShare:
            return RecordShare.grant(
                resource=Resource.CUSTOMERS, record_id=record_id, shared_by="x", at=T0, **grantee
            )

        with backend.uow() as uow:
            uow.record_shares.add(share("c1", user_id="rep"))
            uow.record_shares.add(share("c2", team_id="t1"))
            uow.record_shares.add(share("c3", user_id="other"))
            uow.record_shares.add(
                RecordShare.grant(
                    resource=Resource.DEALS, record_id="d1", user_id="rep", shared_by="x", at=T0
                )
            )
            uow.commit()
        shared = backend.access.shared_with("rep", "t1", [Resource.CUSTOMERS, Resource.DEALS])
        assert shared == {Resource.CUSTOMERS: {"c1", "c2"}, Resource.DEALS: {"d1"}}
        assert backend.access.shared_with("rep", None, [Resource.CUSTOMERS]) == {
            Resource.CUSTOMERS: {"c1"}
        }
        with backend.uow() as uow:
            assert uow.record_shares.remove(Resource.CUSTOMERS, "c1", user_id="rep", team_id=None)
            assert not uow.record_shares.remove(
                Resource.CUSTOMERS, "c9", user_id="rep", team_id=None
            )
            uow.commit()
        assert backend.access.shared_with("rep", None, [Resource.CUSTOMERS]) == {}

    def test_stored_roles_read_back_whole(self, backend: StorageBackend) -> None:
        assert backend.access is not None
        role = RoleDefinition(
            "auditor",
            "Auditor",
            {Permission.READ_CUSTOMERS, Permission.READ_AUDIT},
            {Resource.CUSTOMERS: Scope.TEAM},
            {(Resource.CUSTOMERS, "custom_fields.salary"): FieldAccess.HIDDEN},
            "Reads the books.",
        )
        with backend.uow() as uow:
            uow.roles.put(role)
            uow.commit()
        changed = RoleDefinition("auditor", "Auditor", {Permission.READ_CUSTOMERS})
        with backend.uow() as uow:
            assert uow.roles.get("auditor") == role
            uow.roles.put(changed)
            uow.commit()
        stored = backend.access.role("auditor")
        assert stored is not None
        assert (stored.permissions, dict(stored.record_access), dict(stored.field_rules)) == (
            {Permission.READ_CUSTOMERS},
            {},
            {},
        )
        assert [r.key for r in backend.access.roles()] == ["auditor"]
        assert backend.access.role("nobody") is None

    def test_the_access_version_moves_with_every_change_to_who_reaches_what(
        self, backend: StorageBackend
    ) -> None:
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.users.add(_member("mate", team_id="t1"))
            uow.api_keys.add(
                ApiKey.issue(
                    id="key1", user_id="user-1", name="ci", role=Role.ADMIN, secret="s", at=T0
                )
            )
            uow.commit()
        seen: list[int] = []

        def moved() -> bool:
            found = backend.credentials.find("key1")
            by_email = backend.credentials.user_by_email(EmailAddress("rep@example.com"))
            assert found is not None and by_email is not None
            assert by_email.access_version == found.access_version
            seen.append(found.access_version)
            return len(seen) > 1 and seen[-1] != seen[-2]

        def change_user(user_id: str, **values: Any) -> None:
            with backend.uow() as uow:
                user = uow.users.get(user_id)
                assert user is not None
                for name, value in values.items():
                    setattr(user, name, value)
                uow.commit()

        share = RecordShare.grant(
            resource=Resource.CUSTOMERS, record_id="c1", user_id="user-1", shared_by="x", at=T0
        )
        moved()
        with backend.uow() as uow:
            uow.record_shares.add(share)
            uow.commit()
        assert moved()
        with backend.uow() as uow:
            uow.record_shares.remove(Resource.CUSTOMERS, "c1", user_id="user-1", team_id=None)
            uow.commit()
        assert moved()
        with backend.uow() as uow:
            uow.roles.put(RoleDefinition("auditor", "Auditor", {Permission.READ_CUSTOMERS}))
            uow.commit()
        assert moved()
        change_user("mate", team_id="t2")
        assert moved()
        change_user("mate", manager_id="user-1")
        assert moved()
        change_user("mate", role=Role.SALES_MANAGER)
        assert moved()
        change_user("mate", deactivated_at=T0)
        assert moved()
        with backend.uow() as uow:
            uow.users.add(_member("newcomer", team_id="t2"))
            uow.commit()
        assert moved()
        # What reaches nobody's records leaves the version, and every kept reach, alone.
        change_user("mate", name="Renamed")
        assert not moved()
        if backend.key_usage is not None:
            backend.key_usage.record_use("key1", T0)
            assert not moved()
        with backend.uow() as uow:
            uow.record_shares.add(share)
        assert not moved()

    def test_a_rolled_back_team_is_not_kept(self, backend: StorageBackend) -> None:
        assert backend.access is not None
        with backend.uow() as uow:
            uow.teams.add(Team.create(id="t1", name="Gone", at=T0))
        assert backend.access.teams() == []

    def test_expiry_and_last_use_are_saved(self, backend: StorageBackend) -> None:
        expires = T0 + timedelta(days=30)
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.api_keys.add(
                ApiKey.issue(
                    id="key1",
                    user_id="user-1",
                    name="ci",
                    role=Role.SALES_REP,
                    secret="s",
                    at=T0,
                    expires_at=expires,
                )
            )
            uow.commit()
        usage = backend.key_usage
        assert usage is not None
        usage.record_use("key1", T0 + timedelta(minutes=5))
        # A use noted late (another process was slower) never moves the time back.
        usage.record_use("key1", T0 + timedelta(minutes=2))
        usage.record_use("nokey", T0)
        found = backend.credentials.find("key1")
        assert found is not None
        key = found.key
        assert (key.expires_at, key.last_used_at) == (expires, T0 + timedelta(minutes=5))
        assert key.is_usable(expires - timedelta(seconds=1)) and not key.is_usable(expires)

    def test_credentials_find_a_user_by_email(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.commit()
        found = backend.credentials.user_by_email(EmailAddress.parse("Rep@Example.com"))
        assert found is not None and (found.user.id, found.user.role) == ("user-1", Role.SALES_REP)
        assert backend.credentials.user_by_email(EmailAddress("nobody@example.com")) is None

    def test_key_list_pages_newest_first_and_filters(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.users.add(new_user())
            uow.users.add(new_user("user-2", "other@example.com"))
            for number, (user_id, expires) in enumerate(
                [
                    ("user-1", None),
                    ("user-2", T0 + timedelta(days=1)),
                    ("user-1", T0 + timedelta(days=9)),
                    ("user-2", None),
                ]
            ):
                uow.api_keys.add(
                    ApiKey.issue(
                        id=f"key{number}",
                        user_id=user_id,
                        name="ci",
                        role=Role.SALES_REP,
                        secret="s",
                        at=T0 + timedelta(minutes=number),
                        expires_at=expires,
                    )
                )
            uow.commit()
        with backend.uow() as uow:
            revoked = uow.api_keys.get("key3")
            assert revoked is not None
            revoked.revoke(at=T0 + timedelta(hours=1))
            uow.commit()
        reader = backend.api_keys
        assert reader is not None
        later = T0 + timedelta(days=2)

        def ids(where: ApiKeyFilter, **window: Any) -> list[str]:
            options = {"after": None, "before": None, "limit": 10, "from_end": False} | window
            return [view.id for view in reader.slice(where, **options)]

        everything = ApiKeyFilter(at=later)
        assert ids(everything) == ["key3", "key2", "key1", "key0"]
        assert reader.count(everything) == 4
        assert ids(ApiKeyFilter(at=later, active=True)) == ["key2", "key0"]
        assert ids(ApiKeyFilter(at=later, active=False)) == ["key3", "key1"]
        assert reader.count(ApiKeyFilter(at=later, active=False, user_id="user-2")) == 2
        assert ids(ApiKeyFilter(at=T0, user_id="user-2", active=True)) == ["key1"]
        key2 = SortKey(T0 + timedelta(minutes=2), "key2")
        assert ids(everything, after=key2, limit=1) == ["key1"]
        assert ids(everything, before=key2, from_end=True) == ["key3"]
        views = reader.get_many(["key1", "nokey"], at=later)
        assert list(views) == ["key1"]
        assert (views["key1"].active, views["key1"].expires_at) == (False, T0 + timedelta(days=1))
        assert reader.get_many(["key1"], at=T0)["key1"].active
