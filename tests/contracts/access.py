"""Contracts of the user and API key repositories and the user reader."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.access.api_key import ApiKey
from domain.access.roles import Role
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
        assert loaded.role is Role.ANALYST

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
        key, user = found
        assert (key.id, key.role, user.id, user.role) == (
            "key1",
            Role.ADMIN,
            "user-1",
            Role.SALES_REP,
        )
        assert key.matches("s")
        assert user.email == EmailAddress("rep@example.com")
        assert backend.credentials.find("nokey") is None
