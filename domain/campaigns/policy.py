"""Whether a message may go out now: consent, suppression, frequency caps and quiet hours.

One pure decision, taken by the worker at send time (never at enqueue time, since consent
and history change in between). Caps and quiet hours only ever hold a message back: they
defer it to the next allowed moment and never drop it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from attrs import field, frozen

from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.errors import ErrorCode, InvalidValue

MAX_CAP_LIMIT = 1_000
MAX_CAP_PERIOD = timedelta(days=366)
_MAX_ROUNDS = 16
"""Caps and quiet hours are re-checked in turn; each round moves the moment forward and two
or three rounds settle any real configuration, so this bound is only a safety net."""


class SkipReason(StrEnum):
    """Why a message is dropped for good."""

    NO_CONSENT = "no_consent"
    SUPPRESSED = "suppressed"
    NO_ADDRESS = "no_address"
    CANCELLED = "cancelled"
    """Its campaign was cancelled, or its customer left the journey, before it went out;
    the worker's decision never gives this reason."""


class DeferReason(StrEnum):
    """Why a message is held back for later."""

    FREQUENCY_CAP = "frequency_cap"
    QUIET_HOURS = "quiet_hours"


def _positive_limit(_: object, __: object, value: int) -> None:
    if not 1 <= value <= MAX_CAP_LIMIT:
        raise InvalidValue("limit", ErrorCode.INVALID, f"must be between 1 and {MAX_CAP_LIMIT}")


def _sensible_period(_: object, __: object, value: timedelta) -> None:
    if not timedelta(0) < value <= MAX_CAP_PERIOD:
        raise InvalidValue("period", ErrorCode.INVALID, "must be longer than 0 and at most a year")


@frozen
class FrequencyCap:
    """At most ``limit`` marketing messages on ``channel`` to one customer within any
    ``period`` (a sliding window, across campaigns and journeys)."""

    channel: Channel
    limit: int = field(validator=_positive_limit)
    period: timedelta = field(validator=_sensible_period)

    def next_allowed(self, sent_times: Sequence[datetime], now: datetime) -> datetime | None:
        """When one more message fits, or ``None`` if it fits ``now``.

        A send at ``s`` counts while ``now - period < s``; the cap frees up when enough of the
        oldest counted sends have left the window that fewer than ``limit`` remain.
        """
        counted = sorted(sent for sent in sent_times if sent > now - self.period)
        if len(counted) < self.limit:
            return None
        return counted[len(counted) - self.limit] + self.period


def lookback(caps: Sequence[FrequencyCap], channel: Channel) -> timedelta | None:
    """How far back a customer's sends on ``channel`` matter to ``caps``: the history
    ``decide_delivery`` needs. ``None``: no cap applies."""
    return max((cap.period for cap in caps if cap.channel is channel), default=None)


def _distinct_bounds(instance: QuietHours, _: object, end: time) -> None:
    if instance.start == end:
        raise InvalidValue("quietHours", ErrorCode.INVALID, "start and end must differ")


@frozen
class QuietHours:
    """Local times of day when no marketing goes out: from ``start`` (inclusive) to ``end``
    (exclusive), wrapping past midnight when ``end`` comes before ``start`` (21:00 to 08:00)."""

    start: time
    end: time = field(validator=_distinct_bounds)

    @property
    def wraps_midnight(self) -> bool:
        return self.end < self.start

    def contains(self, local: time) -> bool:
        local = local.replace(tzinfo=None, fold=0)
        if self.wraps_midnight:
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def end_after(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """The moment these quiet hours end if ``moment`` falls inside them, else ``None``."""
        local = moment.astimezone(zone)
        if not self.contains(local.time()):
            return None
        day = local.date()
        if self.wraps_midnight and local.time().replace(tzinfo=None, fold=0) >= self.start:
            day += timedelta(days=1)
        ending = local_moment(day, self.end, zone)
        if ending <= moment:
            # The clocks fell back and ``moment`` is in the repeated hour, past the first
            # occurrence of the end: the quiet hours end at its second occurrence.
            ending = datetime.combine(day, self.end).replace(tzinfo=zone, fold=1).astimezone(UTC)
        return ending


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) when the wall clock in ``zone`` shows ``at`` on ``day``.

    Across a DST change the wall time can be missing (clocks jump forward): it resolves
    forward to the first instant after the gap. It can also occur twice (clocks fall back):
    it resolves to the first occurrence.
    """
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=0 reads the wall time with the offset from before the jump and lands past
    # the gap, fold=1 with the offset from after it and lands before. The jump lies between.
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(before, first), max(before, first)
    target = first.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


@frozen
class Send:
    """The message may go out now."""


@frozen
class Defer:
    """Hold the message back until ``until``; ``reason`` names what set that moment."""

    until: datetime
    reason: DeferReason


@frozen
class Skip:
    """Never send this message."""

    reason: SkipReason


Decision = Send | Defer | Skip


def decide_delivery(
    *,
    channel: Channel,
    marketing: bool,
    consent: ConsentStatus,
    suppressed: bool,
    has_address: bool,
    sent_times: Sequence[datetime],
    caps: Sequence[FrequencyCap],
    quiet_hours: QuietHours | None,
    zone: ZoneInfo,
    now: datetime,
) -> Decision:
    """Send, defer or skip one message to one customer at ``now``.

    ``sent_times`` are the customer's marketing sends on ``channel`` within the longest cap
    period. Transactional messages (an opt-in confirmation) ignore consent, caps and quiet
    hours, but never go to a suppressed address. When a cap and quiet hours both apply, the
    message waits for the later moment, re-checked until one satisfies both.
    """
    if not has_address:
        return Skip(SkipReason.NO_ADDRESS)
    if suppressed:
        return Skip(SkipReason.SUPPRESSED)
    if not marketing:
        return Send()
    if not consent.allows_marketing:
        return Skip(SkipReason.NO_CONSENT)
    relevant = [cap for cap in caps if cap.channel is channel]
    moment = now
    reason: DeferReason | None = None
    for _ in range(_MAX_ROUNDS):
        waits = [
            (until, DeferReason.FREQUENCY_CAP)
            for until in (cap.next_allowed(sent_times, moment) for cap in relevant)
            if until is not None
        ]
        if quiet_hours is not None and (until := quiet_hours.end_after(moment, zone)):
            waits.append((until, DeferReason.QUIET_HOURS))
        if not waits:
            break
        moment, reason = max(waits, key=lambda wait: wait[0])
    else:  # pragma: no cover - unreachable for valid caps and quiet hours
        raise AssertionError("caps and quiet hours did not settle")
    if reason is None:
        return Send()
    return Defer(until=moment, reason=reason)
