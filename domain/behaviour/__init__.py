"""Behaviour: what customers do in the products, as tracking clients report it."""

from domain.behaviour.event import Occurrence, TrackedEvent
from domain.behaviour.frequency import EventFrequency

__all__ = ["EventFrequency", "Occurrence", "TrackedEvent"]
