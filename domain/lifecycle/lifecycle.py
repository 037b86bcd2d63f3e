"""A customer's place on every track, and the history of how it got there."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from attrs import define, field, frozen

from domain.errors import ErrorCode, RuleViolated
from domain.events import DomainEvent
from domain.lifecycle.catalogue import LifecycleCatalogue
from domain.lifecycle.events import StageChanged
from domain.lifecycle.rules import CustomerFacts, RuleTrigger, StageRule
from domain.lifecycle.tracks import Track
from domain.text import clean_line
from domain.timeline import TimelineEntry

TIMELINE_KIND = "stage_changed"
REASON_MAX_LENGTH = 500


@frozen
class StageAssignment:
    stage: str
    entered_at: datetime


@frozen(kw_only=True)
class StageChange:
    """One move on one track: from, to, when, who, why, and the rule that caused it."""

    id: str
    customer_id: str
    track: str
    from_stage: str | None
    to_stage: str
    changed_at: datetime
    actor_id: str
    reason: str
    rule: str | None = None
    override: bool = False
    """True when the track does not allow the move; ``reason`` then says why it was made."""
    previous_entered_at: datetime | None = None
    """When the customer entered ``from_stage``: the time spent there is the difference."""

    def timeline_entry(self) -> TimelineEntry:
        came_from = self.from_stage or "none"
        return TimelineEntry(
            id=self.id,
            customer_id=self.customer_id,
            kind=TIMELINE_KIND,
            occurred_at=self.changed_at,
            subject_type="Customer",
            subject_id=self.customer_id,
            actor_id=self.actor_id,
            title=f"{self.track.capitalize()}: {came_from} → {self.to_stage}",
            summary=self.reason or None,
            data={
                "track": self.track,
                "fromStage": self.from_stage,
                "toStage": self.to_stage,
                "rule": self.rule,
                "override": self.override,
            },
        )


@define(slots=False, eq=False)
class CustomerLifecycle:
    """The stage a customer is at on each track (at most one per track)."""

    customer_id: str
    stages: dict[str, StageAssignment] = field(factory=dict)
    changes: list[StageChange] = field(factory=list, repr=False)
    """Changes made since loading, not yet stored."""
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    def stage_on(self, track: str) -> str | None:
        current = self.stages.get(track)
        return current.stage if current else None

    def move(
        self,
        track: Track,
        stage: str,
        *,
        change_id: str,
        at: datetime,
        by: str,
        reason: str = "",
        override: bool = False,
    ) -> StageChange | None:
        """Move by hand; a move the track does not allow needs ``override`` and a reason.

        Moving to the current stage changes nothing and returns None.
        """
        track.require_stage(stage)
        reason = clean_line(reason, field="reason", max_length=REASON_MAX_LENGTH)
        current = self.stage_on(track.key)
        if current == stage:
            return None
        allowed = track.allows(current, stage)
        if not allowed and not override:
            raise RuleViolated(
                "stage",
                ErrorCode.TRANSITION_NOT_ALLOWED,
                f"the {track.key} track does not allow {current or 'no stage'} -> {stage};"
                " send override with a reason",
            )
        if not allowed and not reason:
            raise RuleViolated("reason", ErrorCode.REQUIRED, "an override needs a reason")
        return self._enter(
            track, stage, change_id=change_id, at=at, by=by, reason=reason, override=not allowed
        )

    def apply_rules(
        self,
        catalogue: LifecycleCatalogue,
        facts: CustomerFacts,
        *,
        new_id: Callable[[], str],
        by: str,
        triggers: Iterable[RuleTrigger] | None = None,
    ) -> list[StageChange]:
        """Apply the rules that hold until none does, each at most once per evaluation.

        A move the track does not allow is still made, recorded as an override whose
        reason names the rule.
        """
        wanted = frozenset(triggers) if triggers is not None else None
        made: list[StageChange] = []
        for track in catalogue.ordered():
            used: set[str] = set()
            while rule := self._first_applying(catalogue.rules_for(track.key, wanted), facts, used):
                used.add(rule.key)
                current = self.stage_on(track.key)
                made.append(
                    self._enter(
                        track,
                        rule.to_stage,
                        change_id=new_id(),
                        at=facts.now,
                        by=by,
                        reason=rule.reason,
                        override=not track.allows(current, rule.to_stage),
                        rule=rule.key,
                    )
                )
        return made

    def _first_applying(
        self, rules: list[StageRule], facts: CustomerFacts, used: set[str]
    ) -> StageRule | None:
        for rule in rules:
            current = self.stages.get(rule.track)
            if rule.key not in used and rule.applies(
                current.stage if current else None,
                current.entered_at if current else None,
                facts,
            ):
                return rule
        return None

    def absorb(self, others: Iterable[CustomerLifecycle]) -> None:
        """Take in merged duplicates: keep each own stage; a track without one takes the
        duplicates' stage entered last."""
        own = set(self.stages)
        for other in others:
            for track, assignment in other.stages.items():
                taken = self.stages.get(track)
                if track not in own and (taken is None or assignment.entered_at > taken.entered_at):
                    self.stages[track] = assignment
            other.stages.clear()

    def _enter(
        self,
        track: Track,
        stage: str,
        *,
        change_id: str,
        at: datetime,
        by: str,
        reason: str,
        override: bool,
        rule: str | None = None,
    ) -> StageChange:
        previous = self.stages.get(track.key)
        change = StageChange(
            id=change_id,
            customer_id=self.customer_id,
            track=track.key,
            from_stage=previous.stage if previous else None,
            to_stage=stage,
            changed_at=at,
            actor_id=by,
            reason=reason,
            rule=rule,
            override=override,
            previous_entered_at=previous.entered_at if previous else None,
        )
        self.stages[track.key] = StageAssignment(stage, at)
        self.changes.append(change)
        self.events.append(
            StageChanged(
                aggregate_id=self.customer_id,
                occurred_at=at,
                actor_id=by,
                change_id=change_id,
                track=track.key,
                from_stage=change.from_stage,
                to_stage=stage,
                reason=reason,
                rule=rule,
                override=override,
            )
        )
        return change
