"""Bearer JWTs of an external identity provider, verified against its published JWKS.

Only asymmetric algorithms are accepted, so a public key can never be used as an HMAC
secret; ``alg: none`` is never accepted.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

import jwt
from attrs import field, frozen

from application.access.authentication import CredentialRefused, Refusal

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
MAX_LEEWAY_SECONDS = 300.0


def _asymmetric(_instance: object, _attribute: object, value: tuple[str, ...]) -> None:
    refused = sorted(set(value) - ASYMMETRIC_ALGORITHMS)
    if refused or not value:
        raise ValueError(
            f"JWT algorithms must be some of {', '.join(sorted(ASYMMETRIC_ALGORITHMS))}; "
            f"not {', '.join(refused) or 'none at all'}"
        )


def _bounded(_instance: object, _attribute: object, value: float) -> None:
    if not 0 <= value <= MAX_LEEWAY_SECONDS:
        raise ValueError(f"the JWT leeway must be between 0 and {MAX_LEEWAY_SECONDS:g} seconds")


@frozen
class JwtSettings:
    """Where the provider publishes its keys and what its tokens must say; off without a URL."""

    jwks_url: str = ""
    issuer: str = ""
    audience: str = ""
    algorithms: tuple[str, ...] = field(default=("RS256", "ES256"), validator=_asymmetric)
    leeway_seconds: float = field(default=60.0, validator=_bounded)
    """How far a token's ``exp`` and ``nbf`` may be off: clocks drift."""
    email_claim: str = "email"

    def __attrs_post_init__(self) -> None:
        if self.jwks_url and not self.jwks_url.startswith(("https://", "http://")):
            raise ValueError("the JWKS URL must be an http(s) URL")
        if self.jwks_url and not (self.issuer and self.audience):
            raise ValueError("a JWKS URL needs the issuer and the audience its tokens must name")

    @property
    def enabled(self) -> bool:
        return bool(self.jwks_url)


@frozen
class SigningKey:
    """One published key, and the algorithm the provider pinned it to, if any."""

    key: Any
    algorithm: str | None


def fetch_json(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


class JwksCache:
    """The provider's signing keys by ``kid``, fetched once and kept for ``max_age`` seconds.

    A ``kid`` not among them (the provider rotated its keys) refetches the set, but at most
    once per ``refetch_interval``, so tokens with made-up ``kid``s cannot flood the provider.
    """

    def __init__(
        self,
        url: str,
        *,
        max_age: float = 600.0,
        refetch_interval: float = 60.0,
        fetch: Callable[[str], Any] = fetch_json,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._max_age = max_age
        self._refetch_interval = refetch_interval
        self._fetch = fetch
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] | None = None
        self._fetched_at: float | None = None

    def key(self, kid: str) -> SigningKey | None:
        with self._lock:
            now = self._monotonic()
            if self._due(now, kid):
                self._refresh(now)
            if self._keys is None:
                raise CredentialRefused(Refusal.PROVIDER_UNAVAILABLE)
            return self._keys.get(kid)

    def _due(self, now: float, kid: str) -> bool:
        if self._fetched_at is None:
            return True
        since = now - self._fetched_at
        if self._keys is None or kid not in self._keys:
            return since >= self._refetch_interval
        return since >= self._max_age

    def _refresh(self, now: float) -> None:
        # A failed fetch counts as a fetch: the next try waits as long, so an unreachable
        # provider is not asked again by every request.
        self._fetched_at = now
        try:
            document = self._fetch(self._url)
        except (OSError, ValueError):
            return  # keep the keys we have, if any
        self._keys = _signing_keys(document)


def _signing_keys(document: Any) -> dict[str, SigningKey]:
    entries = document.get("keys", []) if isinstance(document, Mapping) else []
    keys: dict[str, SigningKey] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            parsed = jwt.PyJWK(dict(entry))
        except (jwt.PyJWTError, ValueError, TypeError):
            continue  # a key this library cannot use: the others still can be
        pinned = entry.get("alg")
        keys[entry["kid"]] = SigningKey(parsed.key, pinned if isinstance(pinned, str) else None)
    return keys


_REFUSALS: tuple[tuple[type[jwt.PyJWTError], Refusal], ...] = (
    (jwt.ExpiredSignatureError, Refusal.EXPIRED),
    (jwt.ImmatureSignatureError, Refusal.NOT_YET_VALID),
    (jwt.InvalidAudienceError, Refusal.WRONG_AUDIENCE),
    (jwt.InvalidIssuerError, Refusal.WRONG_ISSUER),
    (jwt.MissingRequiredClaimError, Refusal.MISSING_CLAIM),
    (jwt.InvalidSignatureError, Refusal.BAD_SIGNATURE),
    (jwt.InvalidAlgorithmError, Refusal.DISALLOWED_ALGORITHM),
    (jwt.InvalidKeyError, Refusal.DISALLOWED_ALGORITHM),
)


class JwtIdentityTokens:
    """The email a provider's signed token asserts, once signature, issuer, audience,
    algorithm and times all hold."""

    def __init__(self, settings: JwtSettings, keys: JwksCache | None = None) -> None:
        self._settings = settings
        self._keys = keys or JwksCache(settings.jwks_url)

    def email_of(self, token: str) -> str:
        settings = self._settings
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise CredentialRefused(Refusal.MALFORMED) from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in settings.algorithms:
            raise CredentialRefused(Refusal.DISALLOWED_ALGORITHM)
        kid = header.get("kid")
        signing_key = self._keys.key(kid) if isinstance(kid, str) else None
        if signing_key is None:
            raise CredentialRefused(Refusal.UNKNOWN_SIGNING_KEY)
        if signing_key.algorithm not in (None, algorithm):
            # The provider pinned this key to another algorithm.
            raise CredentialRefused(Refusal.DISALLOWED_ALGORITHM)
        try:
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=[algorithm],
                audience=settings.audience,
                issuer=settings.issuer,
                leeway=settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            reason = next((r for kind, r in _REFUSALS if isinstance(error, kind)), None)
            raise CredentialRefused(reason or Refusal.MALFORMED) from None
        email = claims.get(settings.email_claim)
        if not isinstance(email, str) or not email:
            raise CredentialRefused(Refusal.MISSING_CLAIM)
        if claims.get("email_verified") is False:
            raise CredentialRefused(Refusal.UNVERIFIED_EMAIL)
        return email
