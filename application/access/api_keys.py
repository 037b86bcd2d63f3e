"""Issuing, listing and revoking API keys, and recognising the principal behind one."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import partial

from attrs import frozen

from application.access.authentication import CredentialRefused, Refusal
from application.access.ports import (
    AccessReader,
    ApiKeyFilter,
    ApiKeyReader,
    ApiKeyUsage,
    ApiKeyView,
    CredentialReader,
)
from application.access.principals import ResolvePrincipal, RoleCatalogue
from application.errors import NotFound
from application.pagination import MemoryOrder, Page, PageRequest, keyset_page, read_time
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWorkFactory
from domain.access.api_key import ApiKey, split_token
from domain.access.roles import Permission, role_key
from domain.access.user import User
from domain.customers import EmailAddress


@frozen
class IssuedKey:
    key_id: str
    user_id: str
    role: str
    token: str
    """Shown once: only a hash of its secret is stored."""
    expires_at: datetime | None = None


@frozen
class IssueApiKey:
    """Create a key for the user with ``user_email``, registering that user if new."""

    uow: UnitOfWorkFactory
    reader: AccessReader
    clock: Clock
    ids: IdGenerator

    def __call__(
        self,
        actor: Principal,
        *,
        role: str,
        name: str,
        user_email: str,
        user_name: str | None = None,
        expires_at: datetime | None = None,
    ) -> IssuedKey:
        actor.require(Permission.MANAGE_ACCESS)
        role = role_key(role)
        if RoleCatalogue(self.reader).get(role) is None:
            raise NotFound("role", f"there is no role {role!r}")
        email = EmailAddress.parse(user_email, field_name="userEmail")
        now = self.clock.now()
        secret = secrets.token_urlsafe(32)
        with self.uow() as uow:
            user = uow.users.get_by_email(email)
            if user is None:
                user = User.register(
                    id=self.ids.new_id(),
                    name=user_name or email.value.split("@", 1)[0],
                    email=email,
                    role=role,
                    at=now,
                )
                uow.users.add(user)
            key = ApiKey.issue(
                id=self.ids.new_id().replace("-", ""),
                user_id=user.id,
                name=name,
                role=role,
                secret=secret,
                at=now,
                expires_at=expires_at,
            )
            uow.api_keys.add(key)
            uow.commit()
        return IssuedKey(key.id, user.id, role, key.token(secret), key.expires_at)


@frozen
class AuthenticateApiKey:
    """An ``rpk_…`` token stands for its key's user, with at most the key's role.

    One indexed read per request, of the key, its user and the access version; the key's
    state is judged from that read every time, so a revoked key is refused on its very next
    request. The use is written at most once a minute per key.
    """

    credentials: CredentialReader
    resolve: ResolvePrincipal
    usage: ApiKeyUsage

    def verify(self, token: str, at: datetime) -> Principal:
        parts = split_token(token)
        if parts is None:
            raise CredentialRefused(Refusal.MALFORMED)
        key_id, secret = parts
        found = self.credentials.find(key_id)
        if found is None:
            raise CredentialRefused(Refusal.UNKNOWN, key_id)
        key, user = found.key, found.user
        # The secret first: what a key's state is stays hidden from whoever lacks it.
        if not key.secret_matches(secret):
            raise CredentialRefused(Refusal.WRONG_SECRET, key_id)
        if not key.is_active:
            raise CredentialRefused(Refusal.REVOKED, key_id)
        if key.is_expired(at):
            raise CredentialRefused(Refusal.EXPIRED, key_id)
        if not user.is_active:
            raise CredentialRefused(Refusal.INACTIVE_USER, key_id)
        if key.use_is_due(at):
            self.usage.record_use(key.id, at)
        principal = self.resolve(
            user, key_role=key.role, api_key_id=key.id, access_version=found.access_version
        )
        if principal is None:
            raise CredentialRefused(Refusal.UNKNOWN_ROLE, key_id)
        return principal


@frozen
class RevokeApiKey:
    """Revoke a key: every process refuses it from its next request on."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, key_id: str) -> ApiKeyView:
        actor.require(Permission.MANAGE_ACCESS)
        now = self.clock.now()
        with self.uow() as uow:
            key = uow.api_keys.get(key_id)
            if key is None:
                raise NotFound("id", "no API key has this id")
            key.revoke(at=now)
            uow.commit()
        return ApiKeyView.of(key, at=now)


NEWEST_FIRST: MemoryOrder[ApiKeyView] = MemoryOrder(
    "created_at", lambda view: view.created_at, lambda view: view.id, read_time, descending=True
)
"""Keys are listed newest first; the SQL reader walks the same order."""


@frozen
class ListApiKeys:
    """Every key, newest first, for administrators; secrets are never part of it."""

    reader: ApiKeyReader
    clock: Clock

    def __call__(
        self, actor: Principal, page: PageRequest, where: ApiKeyFilter
    ) -> Page[ApiKeyView]:
        actor.require(Permission.MANAGE_ACCESS)
        return keyset_page(page, NEWEST_FIRST, partial(self.reader.slice, where))

    def filter(
        self, actor: Principal, *, user_id: str | None = None, active: bool | None = None
    ) -> ApiKeyFilter:
        """The filter for these conditions, ``active`` judged now."""
        actor.require(Permission.MANAGE_ACCESS)
        return ApiKeyFilter(at=self.clock.now(), user_id=user_id, active=active)

    def count(self, actor: Principal, where: ApiKeyFilter) -> int:
        actor.require(Permission.MANAGE_ACCESS)
        return self.reader.count(where)

    def get(self, actor: Principal, key_id: str) -> ApiKeyView | None:
        actor.require(Permission.MANAGE_ACCESS)
        return self.reader.get_many([key_id], at=self.clock.now()).get(key_id)
