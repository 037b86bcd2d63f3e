"""A timer: something to do about one record at a given time (an SLA about to lapse, a
reminder, a journey's wait), kept in the database so that it survives restarts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

JsonScalar = str | int | float | bool | None
MAX_ATTEMPTS = 8
"""Failed firings are retried this many times in all, then the timer is given up."""


def _check_kind(_: object, __: object, value: str) -> None:
    if not value or len(value) > 80 or not value.replace(".", "").replace("_", "").isalnum():
        raise InvalidValue("kind", ErrorCode.INVALID, "must be a short dotted name")


@frozen(kw_only=True)
class Timer:
    """Fires once at ``due_at`` for ``(kind, subject_id)``; setting it again replaces it."""

    id: str
    kind: str = field(validator=_check_kind)
    subject_id: str
    due_at: datetime
    payload: Mapping[str, JsonScalar] = field(factory=dict)
    attempts: int = 0

    def retry_at(self, failed_at: datetime) -> datetime | None:
        """When to try a failed firing again (1, 2, 4 … minutes later), or ``None``: give up."""
        if self.attempts + 1 >= MAX_ATTEMPTS:
            return None
        return failed_at + timedelta(minutes=2**self.attempts)
