"""Issuing API keys and recognising the principal behind a presented token."""

from __future__ import annotations

import secrets

from attrs import frozen

from application.access.ports import CredentialReader
from application.access.principals import ResolvePrincipal
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


@frozen
class IssueApiKey:
    """Create a key for the user with ``user_email``, registering that user if new."""

    uow: UnitOfWorkFactory
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
    ) -> IssuedKey:
        actor.require(Permission.MANAGE_ACCESS)
        role = role_key(role)
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
            )
            uow.api_keys.add(key)
            uow.commit()
        return IssuedKey(key.id, user.id, role, key.token(secret))


@frozen
class AuthenticateApiKey:
    """The principal a bearer token stands for, or ``None`` for any invalid token."""

    credentials: CredentialReader
    resolve: ResolvePrincipal

    def __call__(self, token: str) -> Principal | None:
        parts = split_token(token)
        if parts is None:
            return None
        key_id, secret = parts
        found = self.credentials.find(key_id)
        if found is None:
            return None
        key, user = found
        if not key.matches(secret):
            return None
        return self.resolve(user, key_role=key.role, api_key_id=key.id)
