"""Whole UTC days as rules count them, shared by every evaluator so that they agree."""

from __future__ import annotations

from datetime import date, timedelta

from domain.segments.rules import Comparison, DateRelation


def last_days(today: date, days: int) -> tuple[date, date]:
    """The first and last day of "the last ``days`` days", today included."""
    return today - timedelta(days=days - 1), today


def day_bounds(relation: DateRelation, days: int, today: date) -> tuple[date | None, date | None]:
    """The inclusive range of days that ``relation`` accepts (None: open); not anniversaries."""
    if relation is DateRelation.IN_LAST:
        return last_days(today, days)
    if relation is DateRelation.MORE_THAN_AGO:
        return None, today - timedelta(days=days + 1)
    raise ValueError("anniversaries are not a range of days")


def anniversary_days(today: date, days: int) -> frozenset[tuple[int, int]]:
    """The (month, day) pairs of the next ``days`` days, today included."""
    return frozenset(
        ((today + timedelta(days=offset)).month, (today + timedelta(days=offset)).day)
        for offset in range(days)
    )


def day_comparison(comparison: Comparison, value: date) -> tuple[date | None, date | None]:
    """The inclusive range of days that ``day comparison value`` accepts; not for ``!=``."""
    one = timedelta(days=1)
    if comparison is Comparison.EQ:
        return value, value
    if comparison is Comparison.LT:
        return None, value - one
    if comparison is Comparison.LTE:
        return None, value
    if comparison is Comparison.GT:
        return value + one, None
    if comparison is Comparison.GTE:
        return value, None
    raise ValueError("!= is not a range of days")


def stage_day_range(
    comparison: Comparison, days: int, today: date
) -> tuple[date | None, date | None]:
    """Entry days for which "days in stage ``comparison`` ``days``" holds; not for ``!=``.

    Days in stage is ``today - entry day``, so more days means an earlier entry.
    """
    one = timedelta(days=1)
    boundary = today - timedelta(days=days)
    if comparison is Comparison.EQ:
        return boundary, boundary
    if comparison is Comparison.GTE:
        return None, boundary
    if comparison is Comparison.GT:
        return None, boundary - one
    if comparison is Comparison.LTE:
        return boundary, None
    if comparison is Comparison.LT:
        return boundary + one, None
    raise ValueError("!= is not a range of days")
