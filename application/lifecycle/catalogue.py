"""Editing tracks and rules: they are data, so changing them needs no release."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import evolve, frozen

from application.errors import NotFound, StaleVersion
from application.principal import Principal
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission
from domain.errors import ErrorCode, RuleViolated
from domain.lifecycle import LifecycleCatalogue, RuleTrigger, Stage, StageRule, Track
from domain.lifecycle.tracks import NO_STAGE


@frozen(kw_only=True)
class TrackDefinition:
    key: str
    label: str
    stages: Sequence[tuple[str, str]]
    """``(key, label)`` in order."""
    transitions: Sequence[tuple[str | None, str]]
    """Moves that need no override; ``None`` as the source for entering the track."""
    position: int = 0
    expected_version: int | None = None
    """The version of the track this replaces; ``None`` replaces whatever is there."""


@frozen(kw_only=True)
class RuleDefinition:
    key: str
    track: str
    trigger: str
    to_stage: str
    from_stages: Sequence[str] | None = None
    days: int | None = None
    priority: int = 0
    enabled: bool = True
    expected_version: int | None = None
    """The version of the rule this replaces; ``None`` replaces whatever is there."""


@frozen
class SaveLifecycleTrack:
    """Add or replace a track; a stage some customer is at cannot be removed."""

    uow: UnitOfWorkFactory

    def __call__(self, actor: Principal, definition: TrackDefinition) -> LifecycleCatalogue:
        actor.require(Permission.MANAGE_LIFECYCLE)
        track = Track(
            key=definition.key,
            label=definition.label.strip() or definition.key,
            stages=tuple(Stage(key, label) for key, label in definition.stages),
            transitions=frozenset(
                (source or NO_STAGE, target) for source, target in definition.transitions
            ),
            position=definition.position,
        )
        with self.uow() as uow:
            existing = uow.lifecycle.catalogue().tracks.get(track.key)
            track = evolve(track, version=_next_version(existing, definition.expected_version))
            removed = uow.lifecycle.stages_in_use(track.key) - set(track.stage_keys)
            if removed:
                raise RuleViolated(
                    "stages",
                    ErrorCode.INVALID,
                    f"customers are at {', '.join(sorted(removed))}; move them first",
                )
            uow.lifecycle.save_track(track)
            uow.commit()
            return uow.lifecycle.catalogue()


@frozen
class SaveStageRule:
    """Add or replace a rule; it must name a track and one of its stages."""

    uow: UnitOfWorkFactory

    def __call__(self, actor: Principal, definition: RuleDefinition) -> LifecycleCatalogue:
        actor.require(Permission.MANAGE_LIFECYCLE)
        try:
            trigger = RuleTrigger(definition.trigger)
        except ValueError:
            raise RuleViolated(
                "trigger", ErrorCode.INVALID_CHOICE, f"one of {', '.join(RuleTrigger)}"
            ) from None
        rule = StageRule(
            key=definition.key,
            track=definition.track,
            trigger=trigger,
            to_stage=definition.to_stage,
            from_stages=(
                frozenset(definition.from_stages) if definition.from_stages is not None else None
            ),
            days=definition.days,
            priority=definition.priority,
            enabled=definition.enabled,
        )
        with self.uow() as uow:
            catalogue = uow.lifecycle.catalogue()
            existing = next((r for r in catalogue.rules if r.key == rule.key), None)
            rule = evolve(rule, version=_next_version(existing, definition.expected_version))
            track = catalogue.track(rule.track)
            track.require_stage(rule.to_stage, field_name="toStage")
            for stage in rule.from_stages or ():
                if stage != NO_STAGE:
                    track.require_stage(stage, field_name="fromStages")
            uow.lifecycle.save_rule(rule)
            uow.commit()
            return uow.lifecycle.catalogue()


def _next_version(existing: Track | StageRule | None, expected: int | None) -> int:
    """The version a save gives the record; one that changed since ``expected`` is stale."""
    if existing is None:
        if expected is not None:
            raise NotFound("key", "nothing has this key yet; leave version out to create it")
        return 1
    if expected is not None and expected != existing.version:
        raise StaleVersion(expected, existing.version)
    return existing.version + 1
