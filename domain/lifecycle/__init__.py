"""Lifecycle stages: tracks of stages as data, each customer's stage per track, and rules."""

from domain.lifecycle.catalogue import LifecycleCatalogue
from domain.lifecycle.events import StageChanged
from domain.lifecycle.lifecycle import CustomerLifecycle, StageAssignment, StageChange
from domain.lifecycle.rules import CustomerFacts, RuleTrigger, StageRule
from domain.lifecycle.tracks import Stage, Track

__all__ = [
    "CustomerFacts",
    "CustomerLifecycle",
    "LifecycleCatalogue",
    "RuleTrigger",
    "Stage",
    "StageAssignment",
    "StageChange",
    "StageChanged",
    "StageRule",
    "Track",
]
