"""The delivery decision: consent, suppression, caps and quiet hours, across time zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.policy import (
    Decision,
    Defer,
    DeferReason,
    FrequencyCap,
    QuietHours,
    Send,
    Skip,
    SkipReason,
    decide_delivery,
    local_moment,
    lookback,
)
from domain.errors import DomainError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
EVENINGS = QuietHours(time(21), time(8))
THREE_A_WEEK = FrequencyCap(Channel.EMAIL, 3, timedelta(days=7))


def decide(
    *,
    now: datetime,
    consent: ConsentStatus = ConsentStatus.OPTED_IN,
    marketing: bool = True,
    suppressed: bool = False,
    has_address: bool = True,
    sent: list[datetime] | None = None,
    caps: list[FrequencyCap] | None = None,
    quiet: QuietHours | None = None,
    zone: ZoneInfo = BERLIN,
    channel: Channel = Channel.EMAIL,
) -> Decision:
    return decide_delivery(
        channel=channel,
        marketing=marketing,
        consent=consent,
        suppressed=suppressed,
        has_address=has_address,
        sent_times=sent or [],
        caps=caps or [],
        quiet_hours=quiet,
        zone=zone,
        now=now,
    )


NOON = datetime(2026, 3, 10, 11, tzinfo=UTC)  # 12:00 in Berlin


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        (ConsentStatus.OPTED_IN, Send()),
        (ConsentStatus.UNKNOWN, Skip(SkipReason.NO_CONSENT)),
        (ConsentStatus.OPTED_OUT, Skip(SkipReason.NO_CONSENT)),
    ],
)
def test_marketing_needs_an_explicit_opt_in(consent: ConsentStatus, expected: Decision) -> None:
    assert decide(now=NOON, consent=consent) == expected


def test_suppression_and_a_missing_address_skip_even_transactional_messages() -> None:
    assert decide(now=NOON, marketing=False, suppressed=True) == Skip(SkipReason.SUPPRESSED)
    assert decide(now=NOON, marketing=False, has_address=False) == Skip(SkipReason.NO_ADDRESS)


def test_transactional_messages_ignore_consent_caps_and_quiet_hours() -> None:
    at_night = datetime(2026, 3, 10, 23, tzinfo=UTC)
    sent = [at_night - timedelta(hours=hours) for hours in (1, 2, 3)]
    decision = decide(
        now=at_night,
        marketing=False,
        consent=ConsentStatus.UNKNOWN,
        sent=sent,
        caps=[THREE_A_WEEK],
        quiet=EVENINGS,
    )
    assert decision == Send()


def test_over_the_cap_waits_until_the_oldest_counted_send_leaves_the_window() -> None:
    sent = [NOON - timedelta(days=6), NOON - timedelta(days=2), NOON - timedelta(hours=1)]
    old = NOON - timedelta(days=8)
    decision = decide(now=NOON, sent=[old, *sent], caps=[THREE_A_WEEK])
    assert decision == Defer(NOON + timedelta(days=1), DeferReason.FREQUENCY_CAP)


def test_a_cap_on_another_channel_does_not_hold_email_back() -> None:
    sms_cap = FrequencyCap(Channel.SMS, 1, timedelta(days=1))
    assert decide(now=NOON, sent=[NOON - timedelta(hours=1)], caps=[sms_cap]) == Send()


def test_quiet_hours_wrap_midnight_in_the_customers_local_time() -> None:
    # 22:30 in Berlin (UTC+1 in March before the change): quiet until 08:00 the next morning.
    late = datetime(2026, 3, 10, 21, 30, tzinfo=UTC)
    assert decide(now=late, quiet=EVENINGS) == Defer(
        datetime(2026, 3, 11, 7, tzinfo=UTC), DeferReason.QUIET_HOURS
    )
    # The same instant is 17:30 in New York: no quiet hours there.
    assert decide(now=late, quiet=EVENINGS, zone=NEW_YORK) == Send()
    # 06:00 in Berlin: quiet until 08:00 the same day.
    early = datetime(2026, 3, 11, 5, tzinfo=UTC)
    assert decide(now=early, quiet=EVENINGS) == Defer(
        datetime(2026, 3, 11, 7, tzinfo=UTC), DeferReason.QUIET_HOURS
    )


def test_when_cap_and_quiet_hours_both_apply_the_later_moment_wins_and_satisfies_both() -> None:
    # The cap frees up at 23:00 Berlin time, which is inside the quiet hours: wait for 08:00.
    now = datetime(2026, 3, 10, 11, tzinfo=UTC)
    sent = [datetime(2026, 3, 9, 22, tzinfo=UTC)]
    daily = FrequencyCap(Channel.EMAIL, 1, timedelta(days=1))
    decision = decide(now=now, sent=sent, caps=[daily], quiet=EVENINGS)
    assert decision == Defer(datetime(2026, 3, 11, 7, tzinfo=UTC), DeferReason.QUIET_HOURS)


def test_the_end_of_quiet_hours_in_a_spring_forward_gap_resolves_to_the_gap_end() -> None:
    # On 29 March 2026 Berlin jumps from 02:00 to 03:00; quiet hours ending 02:30 end at 03:00.
    quiet = QuietHours(time(1), time(2, 30))
    now = datetime(2026, 3, 29, 0, 15, tzinfo=UTC)  # 01:15 local, CET
    decision = decide(now=now, quiet=quiet)
    assert decision == Defer(datetime(2026, 3, 29, 1, tzinfo=UTC), DeferReason.QUIET_HOURS)
    assert decision.until.astimezone(BERLIN).hour == 3


def test_an_ambiguous_end_of_quiet_hours_resolves_to_its_first_occurrence() -> None:
    # On 25 October 2026 Berlin goes from 03:00 back to 02:00; 02:30 happens twice.
    quiet = QuietHours(time(1), time(2, 30))
    now = datetime(2026, 10, 24, 23, 15, tzinfo=UTC)  # 01:15 local, CEST
    decision = decide(now=now, quiet=quiet)
    assert decision == Defer(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), DeferReason.QUIET_HOURS)


def test_inside_the_repeated_hour_quiet_hours_end_at_the_second_occurrence() -> None:
    quiet = QuietHours(time(2), time(2, 45))
    now = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 02:10 local the second time, CET
    decision = decide(now=now, quiet=quiet)
    assert decision == Defer(datetime(2026, 10, 25, 1, 45, tzinfo=UTC), DeferReason.QUIET_HOURS)


def test_local_moment_in_a_gap_is_the_first_instant_after_it() -> None:
    moment = local_moment(datetime(2026, 3, 8).date(), time(2, 30), NEW_YORK)
    assert moment == datetime(2026, 3, 8, 7, tzinfo=UTC)  # 03:00 EDT


def test_bad_caps_and_quiet_hours_are_refused() -> None:
    with pytest.raises(DomainError):
        FrequencyCap(Channel.EMAIL, 0, timedelta(days=1))
    with pytest.raises(DomainError):
        FrequencyCap(Channel.EMAIL, 1, timedelta(0))
    with pytest.raises(DomainError):
        QuietHours(time(8), time(8))


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Pacific/Apia",
]
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)
times_of_day = st.times().map(lambda t: t.replace(microsecond=0, second=0))
caps = st.builds(
    FrequencyCap,
    st.sampled_from(list(Channel)),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=14 * 24).map(lambda hours: timedelta(hours=hours)),
)


@st.composite
def situations(draw: st.DrawFn, eligible: bool = False) -> dict[str, object]:
    """Any situation; ``eligible``: a marketing message that consent lets out, so only caps
    and quiet hours decide."""
    now = draw(moments)
    start, end = draw(times_of_day), draw(times_of_day)
    quiet = QuietHours(start, end) if start != end and draw(st.booleans()) else None
    offsets = st.integers(min_value=0, max_value=14 * 24 * 60).map(lambda m: timedelta(minutes=m))
    return {
        "channel": draw(st.sampled_from(list(Channel))),
        "marketing": eligible or draw(st.booleans()),
        "consent": ConsentStatus.OPTED_IN if eligible else draw(st.sampled_from(ConsentStatus)),
        "suppressed": not eligible and draw(st.booleans()),
        "has_address": eligible or draw(st.booleans()),
        "sent_times": [now - offset for offset in draw(st.lists(offsets, max_size=12))],
        "caps": draw(st.lists(caps, max_size=3)),
        "quiet_hours": quiet,
        "zone": ZoneInfo(draw(st.sampled_from(ZONES))),
        "now": now,
    }


@given(situations())
def test_no_marketing_is_sent_without_an_opt_in(situation: dict[str, object]) -> None:
    decision = decide_delivery(**situation)
    if isinstance(decision, Send) and situation["marketing"]:
        assert situation["consent"] is ConsentStatus.OPTED_IN
        assert not situation["suppressed"]


@given(situations(eligible=True))
def test_a_deferral_is_later_and_deciding_again_then_does_not_defer(
    situation: dict[str, object],
) -> None:
    decision = decide_delivery(**situation)
    if isinstance(decision, Defer):
        assert decision.until > situation["now"]
        again = decide_delivery(**{**situation, "now": decision.until})
        assert again == Send()


@given(st.one_of(situations(), situations(eligible=True)))
def test_caps_and_quiet_hours_never_drop_a_message(situation: dict[str, object]) -> None:
    decision = decide_delivery(**situation)
    if isinstance(decision, Skip):
        unconstrained = {**situation, "caps": [], "quiet_hours": None}
        assert decide_delivery(**unconstrained) == decision


def test_the_history_needed_is_the_longest_cap_period_of_the_channel() -> None:
    daily = FrequencyCap(Channel.EMAIL, 1, timedelta(days=1))
    sms = FrequencyCap(Channel.SMS, 1, timedelta(days=30))
    assert lookback([daily, THREE_A_WEEK, sms], Channel.EMAIL) == timedelta(days=7)
    assert lookback([daily], Channel.WEBHOOK) is None
