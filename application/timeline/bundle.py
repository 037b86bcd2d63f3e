"""The timeline module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.timeline.queries import GetTimeline


@frozen(kw_only=True)
class Timeline:
    get: GetTimeline
