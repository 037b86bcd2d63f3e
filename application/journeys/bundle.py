"""The journeys module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.journeys.commands import (
    ActivateJourney,
    CreateJourney,
    PauseJourney,
    ReadJourneys,
    UpdateJourney,
)
from application.journeys.running import JourneyEngine
from application.journeys.triggers import DateFieldTrigger


@frozen(kw_only=True)
class Journeys:
    create: CreateJourney
    update: UpdateJourney
    activate: ActivateJourney
    pause: PauseJourney
    read: ReadJourneys
    engine: JourneyEngine
    """Entering customers and the step runner (``fire_many`` on ``journey.wake`` timers)."""
    enrol_by_dates: DateFieldTrigger
