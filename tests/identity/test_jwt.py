"""The identity provider's tokens: every way a token can be wrong is refused with its
reason, and the provider's keys are fetched once, not per token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.identity.jwt import JwksCache, JwtIdentityTokens, JwtSettings, fetch_json
from application.access.authentication import CredentialRefused, Refusal
from composition.settings import Settings
from tests.identity.provider import AUDIENCE, ISSUER, IdentityProvider, identity_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityProvider]:
    with identity_provider() as running:
        yield running


def tokens_of(provider: IdentityProvider, **settings: Any) -> JwtIdentityTokens:
    given = {"jwks_url": provider.url, "issuer": ISSUER, "audience": AUDIENCE} | settings
    return JwtIdentityTokens(JwtSettings(**given))


def refusal(tokens: JwtIdentityTokens, token: str) -> Refusal:
    with pytest.raises(CredentialRefused) as refused:
        tokens.email_of(token)
    return refused.value.reason


def test_a_valid_token_of_either_algorithm_gives_its_email(provider: IdentityProvider) -> None:
    tokens = tokens_of(provider)
    assert tokens.email_of(provider.token("ada@example.com")) == "ada@example.com"
    assert tokens.email_of(provider.token("bob@example.com", algorithm="ES256")) == (
        "bob@example.com"
    )


def test_the_email_claim_is_configurable(provider: IdentityProvider) -> None:
    tokens = tokens_of(provider, email_claim="upn")
    assert tokens.email_of(provider.token(None, upn="ada@example.com")) == "ada@example.com"
    assert refusal(tokens, provider.token("ada@example.com")) is Refusal.MISSING_CLAIM


OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.token(aud="someone-else"), Refusal.WRONG_AUDIENCE),
        (lambda p: p.token(iss="https://evil.example.com/"), Refusal.WRONG_ISSUER),
        (lambda p: p.unsigned_token({"alg": "none", "kid": "rsa-1"}), Refusal.DISALLOWED_ALGORITHM),
        (lambda p: p.unsigned_token({"alg": "None", "kid": "rsa-1"}), Refusal.DISALLOWED_ALGORITHM),
        (lambda p: p.hmac_with_public_key(), Refusal.DISALLOWED_ALGORITHM),
        (lambda p: p.token(algorithm="RS512"), Refusal.DISALLOWED_ALGORITHM),
        (lambda p: p.token(kid="rotated-away"), Refusal.UNKNOWN_SIGNING_KEY),
        (lambda p: p.token(key=OTHER_KEY), Refusal.BAD_SIGNATURE),
        # The provider pinned rsa-1 to RS256: an ES256 token naming it is refused.
        (lambda p: p.token(algorithm="ES256", kid="rsa-1"), Refusal.DISALLOWED_ALGORITHM),
        (lambda p: p.token(lifetime=-120), Refusal.EXPIRED),
        (lambda p: p.token(nbf=2**31), Refusal.NOT_YET_VALID),
        (lambda p: p.token(None), Refusal.MISSING_CLAIM),
        (lambda p: p.token(email_verified=False), Refusal.UNVERIFIED_EMAIL),
        (lambda p: "not-a-jwt", Refusal.MALFORMED),
        (lambda p: p.token()[:-8] + "AAAAAAAA", Refusal.BAD_SIGNATURE),
    ],
)
def test_a_wrong_token_is_refused_with_its_reason(
    provider: IdentityProvider, make: Any, reason: Refusal
) -> None:
    assert refusal(tokens_of(provider), make(provider)) is reason


def test_a_token_without_expiry_is_refused(provider: IdentityProvider) -> None:
    token = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "email": "ada@example.com"},
        provider.rsa_key,
        algorithm="RS256",
        headers={"kid": "rsa-1"},
    )
    assert refusal(tokens_of(provider), token) is Refusal.MISSING_CLAIM


def test_clock_skew_within_the_leeway_is_allowed(provider: IdentityProvider) -> None:
    expired_a_little = provider.token(lifetime=-30)
    assert tokens_of(provider, leeway_seconds=60).email_of(expired_a_little)
    assert refusal(tokens_of(provider, leeway_seconds=0), expired_a_little) is Refusal.EXPIRED


def test_the_keys_are_fetched_once_for_many_tokens(provider: IdentityProvider) -> None:
    tokens = tokens_of(provider)
    before = len(provider.requests)
    for _ in range(20):
        tokens.email_of(provider.token())
        tokens.email_of(provider.token(algorithm="ES256"))
    assert len(provider.requests) == before + 1


def test_unknown_kids_refetch_the_keys_at_most_once_a_minute(provider: IdentityProvider) -> None:
    now = [1000.0]
    cache = JwksCache(provider.url, monotonic=lambda: now[0])
    tokens = JwtIdentityTokens(
        JwtSettings(jwks_url=provider.url, issuer=ISSUER, audience=AUDIENCE), cache
    )
    before = len(provider.requests)
    for _ in range(10):
        refusal(tokens, provider.token(kid="made-up"))
    assert len(provider.requests) == before + 1
    now[0] += 61  # a key rotated in may have appeared: one more look
    refusal(tokens, provider.token(kid="made-up"))
    assert len(provider.requests) == before + 2
    now[0] += 601  # the set is old: fetched again even for known kids
    tokens.email_of(provider.token())
    assert len(provider.requests) == before + 3


def test_an_unreachable_provider_refuses_tokens_and_is_asked_once_a_minute() -> None:
    now = [1000.0]
    attempts: list[str] = []

    def down(url: str) -> Any:
        attempts.append(url)
        raise OSError("connection refused")

    settings = JwtSettings(jwks_url="https://id.invalid/jwks", issuer=ISSUER, audience=AUDIENCE)
    cache = JwksCache(settings.jwks_url, fetch=down, monotonic=lambda: now[0])
    tokens = JwtIdentityTokens(settings, cache)
    with identity_provider() as other:
        for _ in range(5):
            assert refusal(tokens, other.token()) is Refusal.PROVIDER_UNAVAILABLE
        assert len(attempts) == 1
        now[0] += 61
        assert refusal(tokens, other.token()) is Refusal.PROVIDER_UNAVAILABLE
        assert len(attempts) == 2


def test_keys_already_fetched_outlive_an_outage(provider: IdentityProvider) -> None:
    now = [1000.0]
    up = [True]

    def flaky(url: str) -> Any:
        if not up[0]:
            raise OSError("connection refused")
        return fetch_json(url)

    cache = JwksCache(provider.url, fetch=flaky, monotonic=lambda: now[0])
    tokens = JwtIdentityTokens(
        JwtSettings(jwks_url=provider.url, issuer=ISSUER, audience=AUDIENCE), cache
    )
    assert tokens.email_of(provider.token())
    up[0] = False
    now[0] += 601
    assert tokens.email_of(provider.token()) == "ada@example.com"


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"RAPPORT_JWT_ALGORITHMS": "HS256"}, "HS256"),
        ({"RAPPORT_JWT_ALGORITHMS": "RS256,none"}, "none"),
        ({"RAPPORT_JWT_ALGORITHMS": ","}, "none at all"),
        ({"RAPPORT_JWT_LEEWAY_SECONDS": "3600"}, "leeway"),
        ({"RAPPORT_JWT_ISSUER": ""}, "issuer"),
        ({"RAPPORT_JWT_JWKS_URL": "file:///etc/jwks.json"}, "http"),
    ],
)
def test_unsafe_settings_stop_the_process(variables: dict[str, str], complaint: str) -> None:
    environment = {
        "RAPPORT_JWT_JWKS_URL": "https://id.example.com/jwks",
        "RAPPORT_JWT_ISSUER": ISSUER,
        "RAPPORT_JWT_AUDIENCE": AUDIENCE,
    } | variables
    with pytest.raises(SystemExit) as stopped:
        Settings.from_env(environment)
    assert complaint in str(stopped.value)


def test_jwt_is_off_unless_a_jwks_url_is_given() -> None:
    assert not Settings.from_env({}).jwt.enabled
    settings = Settings.from_env(
        {
            "RAPPORT_JWT_JWKS_URL": "https://id.example.com/jwks",
            "RAPPORT_JWT_ISSUER": ISSUER,
            "RAPPORT_JWT_AUDIENCE": AUDIENCE,
            "RAPPORT_JWT_ALGORITHMS": "ES256, PS256",
            "RAPPORT_JWT_LEEWAY_SECONDS": "30",
        }
    )
    assert settings.jwt.enabled
    assert (settings.jwt.algorithms, settings.jwt.leeway_seconds) == (("ES256", "PS256"), 30.0)
