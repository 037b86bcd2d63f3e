"""A customer's timeline: what happened with them, contributed by every module."""

from domain.timeline.entry import TimelineEntry

__all__ = ["TimelineEntry"]
