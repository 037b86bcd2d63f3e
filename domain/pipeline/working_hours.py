"""Working time: promises such as "contact within 2 working hours" count only these hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from attrs import frozen


@frozen
class WorkingHours:
    """Monday to Friday from ``opens`` to ``closes``, in UTC."""

    opens: time = time(9)
    closes: time = time(17)

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``start``."""
        remaining = timedelta(hours=hours)
        moment = self._next_open(start)
        while True:
            closing = moment.replace(
                hour=self.closes.hour, minute=self.closes.minute, second=0, microsecond=0
            )
            if moment + remaining <= closing:
                return moment + remaining
            remaining -= closing - moment
            moment = self._next_open(closing + timedelta(microseconds=1))

    def _next_open(self, moment: datetime) -> datetime:
        while True:
            opening = moment.replace(
                hour=self.opens.hour, minute=self.opens.minute, second=0, microsecond=0
            )
            closing = moment.replace(
                hour=self.closes.hour, minute=self.closes.minute, second=0, microsecond=0
            )
            if moment.weekday() < 5 and moment < closing:
                return max(moment, opening)
            moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
