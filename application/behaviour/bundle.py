"""The behaviour module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.behaviour.queries import EventFrequencies, GetTrackedEvents
from application.behaviour.tracking import TrackEvents


@frozen(kw_only=True)
class Behaviour:
    track: TrackEvents
    get_tracked: GetTrackedEvents
    frequencies: EventFrequencies
