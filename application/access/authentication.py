"""Recognising who presents a bearer token: an API key or an identity provider's token.

Every refusal is told to ``AuthenticationFailures`` with its reason, so it can be audited;
the caller only learns that the token was refused.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from attrs import frozen

from application.access.ports import CredentialReader
from application.access.principals import ResolvePrincipal
from application.ports import Clock
from application.principal import Principal
from domain.access.api_key import looks_like_api_key
from domain.customers import EmailAddress
from domain.errors import DomainError


class Refusal(StrEnum):
    """Why a credential was refused."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    """No API key has the id the token names."""
    WRONG_SECRET = "wrong_secret"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    INACTIVE_USER = "inactive_user"
    UNKNOWN_ROLE = "unknown_role"
    """The user's or the key's role no longer exists."""
    UNKNOWN_USER = "unknown_user"
    """The identity token names an email no user has."""
    BAD_SIGNATURE = "bad_signature"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    DISALLOWED_ALGORITHM = "disallowed_algorithm"
    UNKNOWN_SIGNING_KEY = "unknown_signing_key"
    """The identity token's ``kid`` is in none of the provider's published keys."""
    MISSING_CLAIM = "missing_claim"
    UNVERIFIED_EMAIL = "unverified_email"
    """The identity token says its email was not verified."""
    NOT_CONFIGURED = "not_configured"
    """An identity token, where no identity provider is configured."""
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    """The identity provider's keys could not be fetched."""


class CredentialRefused(Exception):
    """A credential that does not authenticate; ``key_id`` names the API key when known."""

    def __init__(self, reason: Refusal, key_id: str | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.key_id = key_id


class AuthenticationFailures(Protocol):
    """Where refusals are reported, e.g. an audit log."""

    def refused(self, reason: Refusal, key_id: str | None, at: datetime) -> None: ...


class IgnoredFailures:
    """Reports refusals nowhere."""

    def refused(self, reason: Refusal, key_id: str | None, at: datetime) -> None:
        return None


IGNORED_FAILURES: AuthenticationFailures = IgnoredFailures()


class BearerVerifier(Protocol):
    """One kind of bearer credential: the principal it stands for, or ``CredentialRefused``."""

    def verify(self, token: str, at: datetime) -> Principal: ...


class IdentityTokens(Protocol):
    """An external identity provider's tokens: the verified email a token asserts."""

    def email_of(self, token: str) -> str:
        """The email claim of a token whose signature, issuer, audience and times hold;
        else ``CredentialRefused``."""
        ...


@frozen
class AuthenticateIdentityToken:
    """An identity provider's token stands for the active user with its email claim."""

    tokens: IdentityTokens
    credentials: CredentialReader
    resolve: ResolvePrincipal

    def verify(self, token: str, at: datetime) -> Principal:
        claimed = self.tokens.email_of(token)
        try:
            email = EmailAddress.parse(claimed)
        except DomainError:
            raise CredentialRefused(Refusal.MISSING_CLAIM) from None
        # Users are never created from a token: someone must have registered them.
        found = self.credentials.user_by_email(email)
        if found is None:
            raise CredentialRefused(Refusal.UNKNOWN_USER)
        if not found.user.is_active:
            raise CredentialRefused(Refusal.INACTIVE_USER)
        principal = self.resolve(found.user, access_version=found.access_version)
        if principal is None:
            raise CredentialRefused(Refusal.UNKNOWN_ROLE)
        return principal


class _NoIdentityProvider:
    def verify(self, token: str, at: datetime) -> Principal:
        raise CredentialRefused(Refusal.NOT_CONFIGURED)


NO_IDENTITY_PROVIDER: BearerVerifier = _NoIdentityProvider()


@frozen
class AuthenticateBearer:
    """The principal behind ``Authorization: Bearer <token>``, or ``None`` if refused.

    ``rpk_…`` tokens are API keys; anything else is an identity provider's token.
    Every credential is read afresh on every request: a revoked key is refused on its very
    next request. Only the reach worked out from it is kept, for as long as the access
    version read with it stands still.
    """

    api_keys: BearerVerifier
    clock: Clock
    identity: BearerVerifier = NO_IDENTITY_PROVIDER
    failures: AuthenticationFailures = IGNORED_FAILURES

    def __call__(self, token: str) -> Principal | None:
        at = self.clock.now()
        verifier = self.api_keys if looks_like_api_key(token) else self.identity
        try:
            return verifier.verify(token, at)
        except CredentialRefused as refused:
            self.failures.refused(refused.reason, refused.key_id, at)
            return None
