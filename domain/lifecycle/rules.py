"""Rules that move customers between stages: data (stored, seeded, editable), not code.

A rule names a trigger (a closed set of facts Rapport knows how to observe), the track,
the stage it moves to, the stages it applies from, and for inactivity a number of days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue
from domain.lifecycle.tracks import NO_STAGE, check_key


class RuleTrigger(StrEnum):
    PAID_ORDER = "paid_order"
    """The customer has a paid order."""
    INACTIVITY = "inactivity"
    """The customer's last order is at least ``days`` old."""
    ORDER_AFTER_STAGE = "order_after_stage"
    """The customer ordered after entering the current stage."""


@frozen(kw_only=True)
class CustomerFacts:
    """What the rules may observe of one customer; ``now`` is when they are evaluated."""

    now: datetime
    has_paid_order: bool = False
    last_order_at: datetime | None = None


@frozen(kw_only=True)
class StageRule:
    key: str
    track: str
    trigger: RuleTrigger
    to_stage: str
    from_stages: frozenset[str] | None = field(default=None)
    """Stages the rule applies from (``NO_STAGE`` for none yet); None for any."""
    days: int | None = None
    priority: int = 0
    """When several rules of a track apply, the highest priority wins."""
    enabled: bool = True
    version: int = 1
    """Grows by one each time the rule is saved again, for optimistic concurrency."""

    def __attrs_post_init__(self) -> None:
        check_key(self.key, field_name="key")
        if self.trigger is RuleTrigger.INACTIVITY and (self.days is None or self.days < 1):
            raise InvalidValue("days", ErrorCode.INVALID, "an inactivity rule needs days >= 1")

    @property
    def reason(self) -> str:
        if self.trigger is RuleTrigger.INACTIVITY:
            return f"rule {self.key}: no order for {self.days} days"
        if self.trigger is RuleTrigger.PAID_ORDER:
            return f"rule {self.key}: paid order"
        return f"rule {self.key}: ordered again"

    def applies(self, stage: str | None, entered_at: datetime | None, facts: CustomerFacts) -> bool:
        if not self.enabled or stage == self.to_stage:
            return False
        if self.from_stages is not None and (stage or NO_STAGE) not in self.from_stages:
            return False
        if self.trigger is RuleTrigger.PAID_ORDER:
            return facts.has_paid_order
        last = facts.last_order_at
        if last is None:
            return False
        if self.trigger is RuleTrigger.INACTIVITY:
            return facts.now - last >= timedelta(days=self.days or 0)
        return entered_at is not None and last > entered_at
