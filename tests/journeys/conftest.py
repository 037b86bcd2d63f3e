"""The journeys' use cases on the in-memory composition, with a fake clock."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import ALL_EVENTS, InProcessEventBus
from tests.application.conftest import memory_container
from tests.graphql.conftest import api
from tests.journeys.support import JourneyApp

__all__ = ["api"]


@pytest.fixture
def journey_app(
    clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus
) -> JourneyApp:
    app = JourneyApp(memory_container(clock, ids, bus), clock)
    bus.subscribe(ALL_EVENTS, app.events.append)
    return app
