from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.links.signed import SignedLinks
from application.campaigns.links import LinkPurpose, TamperedLink

KEY = "a-signing-key-of-some-length"
claims_strategy = st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=4)


@given(claims=claims_strategy, purpose=st.sampled_from(LinkPurpose))
def test_a_signed_token_gives_back_its_claims(claims: dict[str, str], purpose: LinkPurpose) -> None:
    links = SignedLinks(KEY)
    assert links.verify(purpose, links.sign(purpose, claims)) == claims


@given(claims=claims_strategy, position=st.integers(min_value=0))
def test_a_changed_character_is_refused(claims: dict[str, str], position: int) -> None:
    links = SignedLinks(KEY)
    token = links.sign(LinkPurpose.UNSUBSCRIBE, claims)
    index = position % len(token)
    replacement = "A" if token[index] != "A" else "B"
    tampered = token[:index] + replacement + token[index + 1 :]
    with pytest.raises(TamperedLink):
        links.verify(LinkPurpose.UNSUBSCRIBE, tampered)


def test_a_token_for_one_purpose_is_refused_for_another() -> None:
    links = SignedLinks(KEY)
    token = links.sign(LinkPurpose.CLICK, {"message": "m1"})
    with pytest.raises(TamperedLink):
        links.verify(LinkPurpose.UNSUBSCRIBE, token)


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = SignedLinks("another-signing-key-entirely").sign(LinkPurpose.OPEN, {"message": "m1"})
    with pytest.raises(TamperedLink):
        SignedLinks(KEY).verify(LinkPurpose.OPEN, token)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 characters"):
        SignedLinks("short")
