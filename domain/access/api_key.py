"""API keys: bearer credentials of a user, stored only as a hash of their secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from attrs import define, field

from domain.access.roles import role_key
from domain.errors import ErrorCode, InvalidValue, RuleViolated

TOKEN_PREFIX = "rpk"
MAX_NAME_LENGTH = 200

LAST_USE_RESOLUTION = timedelta(minutes=1)
"""How precise ``last_used_at`` is: a key's use is written at most once a minute, so
authenticating a request costs a read, not a write."""


@define(slots=False, eq=False)
class ApiKey:
    """A key acts for ``user_id`` with at most ``role``; the token is ``rpk_<id>_<secret>``."""

    id: str
    user_id: str
    name: str
    role: str = field(converter=role_key)
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None
    """Null for a key that never expires."""
    last_used_at: datetime | None = None
    """When a request last presented the key, to within ``LAST_USE_RESOLUTION``."""

    @classmethod
    def issue(
        cls,
        *,
        id: str,
        user_id: str,
        name: str,
        role: str,
        secret: str,
        at: datetime,
        expires_at: datetime | None = None,
    ) -> ApiKey:
        if "_" in id or not id:
            raise InvalidValue("id", ErrorCode.INVALID_ID, "key ids must not contain '_'")
        name = name.strip()
        if not name:
            raise InvalidValue("name", ErrorCode.REQUIRED, "a key needs a name")
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidValue("name", ErrorCode.TOO_LONG, f"at most {MAX_NAME_LENGTH} characters")
        if expires_at is not None and expires_at <= at:
            raise InvalidValue("expiresAt", ErrorCode.INVALID, "must be in the future")
        return cls(
            id=id,
            user_id=user_id,
            name=name,
            role=role,
            secret_hash=hash_secret(secret),
            created_at=at,
            expires_at=expires_at,
        )

    def token(self, secret: str) -> str:
        """The bearer token handed out once; only its hash is kept."""
        return f"{TOKEN_PREFIX}_{self.id}_{secret}"

    @property
    def is_active(self) -> bool:
        """Not revoked; an expired key may still be active in this sense."""
        return self.revoked_at is None

    def is_expired(self, at: datetime) -> bool:
        return self.expires_at is not None and at >= self.expires_at

    def is_usable(self, at: datetime) -> bool:
        """Neither revoked nor expired at ``at``."""
        return self.is_active and not self.is_expired(at)

    def secret_matches(self, secret: str) -> bool:
        # Constant time, so the time taken tells nothing of how much of a guess was right.
        return hmac.compare_digest(self.secret_hash, hash_secret(secret))

    def matches(self, secret: str) -> bool:
        return self.is_active and self.secret_matches(secret)

    def use_is_due(self, at: datetime) -> bool:
        """Whether a use at ``at`` should be written down (see ``LAST_USE_RESOLUTION``)."""
        return self.last_used_at is None or at - self.last_used_at >= LAST_USE_RESOLUTION

    def revoke(self, *, at: datetime) -> None:
        if not self.is_active:
            raise RuleViolated("id", ErrorCode.ALREADY_REVOKED, "the key is already revoked")
        self.revoked_at = at


def hash_secret(secret: str) -> str:
    # Secrets are 256 random bits, so a fast hash is as safe as a slow one and costs
    # microseconds per request instead of the tens of milliseconds of a password hash.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """``(key id, secret)`` of a well-formed token, else ``None``."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def looks_like_api_key(token: str) -> bool:
    """Whether a bearer token is meant as an API key (rather than an identity token)."""
    return token.startswith(f"{TOKEN_PREFIX}_")
