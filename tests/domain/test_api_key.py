from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.access.api_key import LAST_USE_RESOLUTION, ApiKey, looks_like_api_key, split_token
from domain.access.roles import Role
from domain.errors import ErrorCode, InvalidValue, RuleViolated

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def key(expires_at: datetime | None = None) -> ApiKey:
    return ApiKey.issue(
        id="k1",
        user_id="u1",
        name="ci",
        role=Role.SALES_REP,
        secret="s",
        at=T0,
        expires_at=expires_at,
    )


def test_a_key_is_usable_until_it_expires() -> None:
    expiring = key(expires_at=T0 + timedelta(days=1))
    assert expiring.is_usable(T0 + timedelta(hours=23, minutes=59))
    assert not expiring.is_usable(T0 + timedelta(days=1))
    assert expiring.is_active  # expired, not revoked


def test_a_key_without_expiry_is_usable_until_revoked() -> None:
    lasting = key()
    assert lasting.is_usable(T0 + timedelta(days=10_000))
    lasting.revoke(at=T0 + timedelta(days=1))
    assert not lasting.is_usable(T0 + timedelta(days=1))
    assert not lasting.matches("s") and lasting.secret_matches("s")


def test_an_expiry_must_be_in_the_future() -> None:
    with pytest.raises(InvalidValue) as raised:
        key(expires_at=T0)
    assert raised.value.problems[0].field == "expiresAt"


@pytest.mark.parametrize(
    ("name", "code"), [("  ", ErrorCode.REQUIRED), ("k" * 201, ErrorCode.TOO_LONG)]
)
def test_a_key_needs_a_name_of_at_most_200_characters(name: str, code: ErrorCode) -> None:
    with pytest.raises(InvalidValue) as raised:
        ApiKey.issue(id="k1", user_id="u1", name=name, role=Role.SALES_REP, secret="s", at=T0)
    assert (raised.value.problems[0].field, raised.value.problems[0].code) == ("name", code)


def test_revoking_twice_is_refused_with_its_own_code() -> None:
    revoked = key()
    revoked.revoke(at=T0)
    with pytest.raises(RuleViolated) as raised:
        revoked.revoke(at=T0 + timedelta(minutes=1))
    assert raised.value.problems[0].code is ErrorCode.ALREADY_REVOKED
    assert revoked.revoked_at == T0


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)))
def test_a_use_is_written_once_per_resolution(elapsed: timedelta) -> None:
    used = key()
    assert used.use_is_due(T0)
    used.last_used_at = T0
    assert used.use_is_due(T0 + elapsed) == (elapsed >= LAST_USE_RESOLUTION)


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_only_rpk_tokens_split_into_id_and_secret(token: str) -> None:
    parts = split_token(token)
    if parts is not None:
        assert looks_like_api_key(token)
        assert token == f"rpk_{parts[0]}_{parts[1]}"
