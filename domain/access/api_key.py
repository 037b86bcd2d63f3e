"""API keys: bearer credentials of a user, stored only as a hash of their secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from attrs import define, field

from domain.access.roles import role_key
from domain.errors import ErrorCode, InvalidValue, RuleViolated

TOKEN_PREFIX = "rpk"


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

    @classmethod
    def issue(
        cls, *, id: str, user_id: str, name: str, role: str, secret: str, at: datetime
    ) -> ApiKey:
        if "_" in id or not id:
            raise InvalidValue("id", ErrorCode.INVALID_ID, "key ids must not contain '_'")
        return cls(
            id=id,
            user_id=user_id,
            name=name,
            role=role,
            secret_hash=hash_secret(secret),
            created_at=at,
        )

    def token(self, secret: str) -> str:
        """The bearer token handed out once; only its hash is kept."""
        return f"{TOKEN_PREFIX}_{self.id}_{secret}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def matches(self, secret: str) -> bool:
        return self.is_active and hmac.compare_digest(self.secret_hash, hash_secret(secret))

    def revoke(self, *, at: datetime) -> None:
        if not self.is_active:
            raise RuleViolated("id", ErrorCode.INVALID, "the key is already revoked")
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
