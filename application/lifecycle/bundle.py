"""The lifecycle module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.lifecycle.catalogue import SaveLifecycleTrack, SaveStageRule
from application.lifecycle.commands import ChangeLifecycleStage
from application.lifecycle.queries import ReadLifecycle
from application.lifecycle.rules import RunLifecycleSweep


@frozen(kw_only=True)
class Lifecycle:
    change_stage: ChangeLifecycleStage
    read: ReadLifecycle
    save_track: SaveLifecycleTrack
    save_rule: SaveStageRule
    sweep: RunLifecycleSweep
