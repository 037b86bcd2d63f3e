"""How often a customer did something: the rule behind "did X at least N times in D days"."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

MAX_DAYS: Final = 3_660


def _check_at_least(_: object, __: object, value: int) -> None:
    if value < 1:
        raise InvalidValue("atLeast", ErrorCode.INVALID, "must be at least 1")


def _check_days(_: object, __: object, value: int) -> None:
    if not 1 <= value <= MAX_DAYS:
        raise InvalidValue("days", ErrorCode.INVALID, f"must be between 1 and {MAX_DAYS}")


@frozen
class EventFrequency:
    """``name`` done at least ``at_least`` times over the last ``days`` UTC days, today included.

    Counted by UTC day, so the window moves a day at a time: "the last 7 days" on a Monday
    is Tuesday to Monday, whatever the hour.
    """

    name: str
    at_least: int = field(validator=_check_at_least)
    days: int = field(validator=_check_days)

    def first_day(self, today: date) -> date:
        return today - timedelta(days=self.days - 1)
