"""When a recurring job runs: every period, on a fixed grid of UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SHORTEST_PERIOD = timedelta(minutes=1)


def _check_period(_: object, __: object, value: timedelta) -> None:
    if value < SHORTEST_PERIOD:
        raise InvalidValue("schedule.every", ErrorCode.INVALID, "must be at least a minute")


def _check_offset(instance: Schedule, _: object, value: timedelta) -> None:
    if not timedelta(0) <= value < instance.every:
        raise InvalidValue("schedule.offset", ErrorCode.INVALID, "must be within one period")


@frozen
class Schedule:
    """Runs at ``offset`` past each multiple of ``every`` since the UTC epoch.

    ``Schedule(timedelta(days=1), timedelta(hours=2))`` is daily at 02:00 UTC and
    ``Schedule(timedelta(hours=1))`` hourly on the hour. A grid rather than "period after the
    last run" keeps runs at the same wall-clock times however long each one takes.
    """

    every: timedelta = field(validator=_check_period)
    offset: timedelta = field(default=timedelta(0), validator=_check_offset)

    @classmethod
    def daily_at(cls, hour: int, minute: int = 0) -> Schedule:
        return cls(timedelta(days=1), timedelta(hours=hour, minutes=minute))

    def next_after(self, moment: datetime) -> datetime:
        """The first time on the grid strictly after ``moment``."""
        periods = (moment - EPOCH - self.offset) // self.every
        return EPOCH + self.offset + (periods + 1) * self.every

    def describe(self) -> str:
        """``daily at 02:00 UTC``, ``hourly at :15``, ``every 0:10:00``."""
        minutes = int(self.offset.total_seconds()) // 60
        if self.every == timedelta(days=1):
            return f"daily at {minutes // 60:02d}:{minutes % 60:02d} UTC"
        if self.every == timedelta(hours=1):
            return f"hourly at :{minutes:02d}"
        return f"every {self.every}" + (f", {self.offset} past" if self.offset else "")
