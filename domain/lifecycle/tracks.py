"""Tracks and their stages: data, not code, with the moves each track allows."""

from __future__ import annotations

import re

from attrs import frozen

from domain.errors import ErrorCode, InvalidValue, RuleViolated

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
NO_STAGE = ""
"""Where a customer stands on a track before its first stage; a transition may start here."""


def check_key(value: str, *, field_name: str) -> str:
    if not _KEY.match(value):
        raise InvalidValue(field_name, ErrorCode.INVALID, "keys are lower_snake_case, at most 40")
    return value


@frozen
class Stage:
    key: str
    label: str


@frozen(kw_only=True)
class Track:
    """An ordered list of stages and the moves between them that need no override.

    ``transitions`` are ``(from, to)`` pairs of stage keys; ``NO_STAGE`` as ``from`` names
    the stages a customer may enter the track at.
    """

    key: str
    label: str
    stages: tuple[Stage, ...]
    transitions: frozenset[tuple[str, str]]
    position: int = 0
    version: int = 1
    """Grows by one each time the track is saved again, for optimistic concurrency."""

    def __attrs_post_init__(self) -> None:
        check_key(self.key, field_name="key")
        keys = [stage.key for stage in self.stages]
        for key in keys:
            check_key(key, field_name="stages")
        if not keys or len(set(keys)) != len(keys):
            raise InvalidValue("stages", ErrorCode.INVALID, "a track has distinct stages")
        known = {*keys, NO_STAGE}
        for source, target in self.transitions:
            if source not in known or target not in keys:
                raise InvalidValue(
                    "transitions", ErrorCode.INVALID, f"{source}->{target} names unknown stages"
                )

    @property
    def stage_keys(self) -> tuple[str, ...]:
        return tuple(stage.key for stage in self.stages)

    def has_stage(self, stage: str) -> bool:
        return stage in self.stage_keys

    def require_stage(self, stage: str, *, field_name: str = "stage") -> None:
        if not self.has_stage(stage):
            raise RuleViolated(
                field_name, ErrorCode.UNKNOWN_STAGE, f"the {self.key} track has no stage {stage!r}"
            )

    def allows(self, from_stage: str | None, to_stage: str) -> bool:
        """Whether moving from ``from_stage`` (None: not on the track yet) needs no override."""
        return (from_stage or NO_STAGE, to_stage) in self.transitions
