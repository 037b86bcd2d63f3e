"""The consent aggregate: its history, its status, merges and suppressed addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.channels import Channel
from domain.campaigns.consent import (
    Consent,
    ConsentStatus,
    LawfulBasis,
    consent_source,
    merged_status,
)
from domain.campaigns.events import ConsentChanged
from domain.campaigns.suppression import address_key, normalised_address
from domain.errors import DomainError, ErrorCode

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

changes = st.lists(
    st.tuples(
        st.sampled_from(ConsentStatus),
        st.none() | st.sampled_from(LawfulBasis),
        # Steps back in time too: a clock that is corrected must not reorder the history.
        st.integers(min_value=-3_600, max_value=86_400),
    ),
    max_size=30,
)


def _apply(consent: Consent, steps: list[tuple[ConsentStatus, LawfulBasis | None, int]]) -> None:
    at = START
    for status, basis, seconds in steps:
        at += timedelta(seconds=seconds)
        consent.change(status, source="api", at=at, actor_id="u1", lawful_basis=basis)


@given(changes)
def test_the_status_is_the_last_change_and_the_history_is_in_time_order(
    steps: list[tuple[ConsentStatus, LawfulBasis | None, int]],
) -> None:
    consent = Consent(customer_id="c1", channel=Channel.EMAIL)
    _apply(consent, steps)
    assert consent.status is (
        consent.history[-1].status if consent.history else ConsentStatus.UNKNOWN
    )
    times = [change.at for change in consent.history]
    assert times == sorted(times)
    # Every recorded change changed something, and told partners so.
    for before, after in zip(consent.history, consent.history[1:], strict=False):
        assert (before.status, before.lawful_basis) != (after.status, after.lawful_basis)
    assert len(consent.events) == len(consent.history)


@given(changes, st.lists(changes, min_size=1, max_size=3))
def test_a_merge_keeps_every_change_and_an_opt_out_anywhere_wins(
    survivor_steps: list[tuple[ConsentStatus, LawfulBasis | None, int]],
    loser_steps: list[list[tuple[ConsentStatus, LawfulBasis | None, int]]],
) -> None:
    survivor = Consent(customer_id="c1", channel=Channel.EMAIL)
    _apply(survivor, survivor_steps)
    losers = []
    for index, steps in enumerate(loser_steps):
        loser = Consent(customer_id=f"d{index}", channel=Channel.EMAIL)
        _apply(loser, steps)
        losers.append(loser)
    expected = merged_status([survivor.status, *(loser.status for loser in losers)])
    kept = len(survivor.history) + sum(len(loser.history) for loser in losers)

    survivor.absorb(losers, at=START + timedelta(days=400), actor_id="u2")

    assert survivor.status is expected
    assert len(survivor.history) == kept + 1
    assert survivor.history[-1].source == "merge"
    times = [change.at for change in survivor.history]
    assert times == sorted(times)


def test_a_change_that_changes_nothing_is_not_recorded() -> None:
    consent = Consent(customer_id="c1", channel=Channel.SMS)
    assert consent.change(ConsentStatus.OPTED_OUT, source="api", at=START, actor_id="u1")
    assert not consent.change(ConsentStatus.OPTED_OUT, source="other", at=START, actor_id="u1")
    assert len(consent.history) == 1
    assert consent.updated_at == START
    assert consent.source == "api"


def test_the_event_names_the_statuses_and_no_address() -> None:
    consent = Consent(customer_id="c1", channel=Channel.EMAIL)
    consent.change(ConsentStatus.OPTED_IN, source="signup_form", at=START, actor_id="u1")
    (event,) = consent.events
    assert isinstance(event, ConsentChanged)
    assert event.event_type == "rapport.consent.changed.v1"
    assert (event.aggregate_id, event.channel) == ("c1", Channel.EMAIL)
    assert (event.from_status, event.to_status) == (ConsentStatus.UNKNOWN, ConsentStatus.OPTED_IN)
    assert event.source == "signup_form"


def test_an_answer_ends_a_pending_opt_in() -> None:
    consent = Consent(customer_id="c1", channel=Channel.EMAIL)
    consent.request_opt_in(START)
    assert consent.pending_opt_in_since == START
    assert consent.status is ConsentStatus.UNKNOWN
    consent.change(ConsentStatus.OPTED_IN, source="double_opt_in", at=START, actor_id="c1")
    assert consent.pending_opt_in_since is None


def test_a_source_is_trimmed_defaulted_and_bounded() -> None:
    assert consent_source("  import ") == "import"
    assert consent_source(None) == "api"
    assert consent_source("   ", default="unsubscribe_link") == "unsubscribe_link"
    with pytest.raises(DomainError) as refused:
        consent_source("x" * 65)
    assert refused.value.problems[0].code is ErrorCode.TOO_LONG


def test_two_spellings_of_one_address_share_a_key() -> None:
    assert normalised_address(" Ann@Example.ORG ", Channel.EMAIL) == "ann@example.org"
    assert normalised_address("+44 (20) 7946-0958", Channel.SMS) == "+442079460958"
    assert address_key("Ann@Example.org", Channel.EMAIL) == address_key(
        "ann@example.org", Channel.EMAIL
    )
    assert address_key("ann@example.org", Channel.EMAIL) != address_key(
        "bob@example.org", Channel.EMAIL
    )
    assert len(address_key("ann@example.org", Channel.EMAIL)) == 64
