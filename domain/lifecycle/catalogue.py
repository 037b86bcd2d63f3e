"""Every track and every rule, as one value the use cases load once per transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import frozen

from domain.errors import ErrorCode, RuleViolated
from domain.lifecycle.rules import RuleTrigger, StageRule
from domain.lifecycle.tracks import Track


@frozen
class LifecycleCatalogue:
    tracks: Mapping[str, Track]
    rules: tuple[StageRule, ...] = ()

    @classmethod
    def of(cls, tracks: Iterable[Track], rules: Iterable[StageRule] = ()) -> LifecycleCatalogue:
        by_key = {track.key: track for track in tracks}
        usable = tuple(
            rule
            for rule in rules
            if rule.track in by_key and by_key[rule.track].has_stage(rule.to_stage)
        )
        return cls(by_key, usable)

    def track(self, key: str, *, field_name: str = "track") -> Track:
        found = self.tracks.get(key)
        if found is None:
            raise RuleViolated(field_name, ErrorCode.UNKNOWN_TRACK, f"there is no track {key!r}")
        return found

    def ordered(self) -> list[Track]:
        return sorted(self.tracks.values(), key=lambda track: (track.position, track.key))

    def rules_for(
        self, track: str, triggers: frozenset[RuleTrigger] | None = None
    ) -> list[StageRule]:
        """The enabled rules of ``track``, highest priority first."""
        found = [
            rule
            for rule in self.rules
            if rule.track == track
            and rule.enabled
            and (triggers is None or rule.trigger in triggers)
        ]
        found.sort(key=lambda rule: (-rule.priority, rule.key))
        return found
