"""Journeys: triggers enrol customers, the step runner moves them along on batch timers."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.memory.journeys import (
    InMemoryJourneyFacts,
    InMemoryJourneyReader,
    InMemoryJourneysUnitOfWork,
)
from adapters.memory.store import InMemoryStore
from adapters.persistence.database import Database
from adapters.persistence.journeys import (
    SqlJourneyFacts,
    SqlJourneyReader,
    SqlJourneysUnitOfWork,
)
from adapters.segments.single import PythonRuleMatcher
from application.campaigns.templates import Templates
from application.journeys.bundle import Journeys
from application.journeys.checking import JourneyReferences
from application.journeys.commands import (
    ActivateJourney,
    CreateJourney,
    PauseJourney,
    ReadJourneys,
    UpdateJourney,
)
from application.journeys.running import WAKE, JourneyEngine
from application.journeys.triggers import (
    DateFieldTrigger,
    EventTrackedTrigger,
    SegmentEnteredTrigger,
    StageChangedTrigger,
)
from application.messages.bundle import Messages
from application.scheduling.running import BatchTimerHandler
from application.segments.rules import RuleSources, SegmentRules
from composition.wiring import Reaction, every
from domain.lifecycle.events import StageChanged
from domain.scheduling import Schedule
from domain.segments.events import CustomerEnteredSegment


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency(instance_of=Database)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(
        SqlJourneysUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    journey_reader = providers.Singleton(SqlJourneyReader, database.provided.reader)
    journey_facts = providers.Singleton(SqlJourneyFacts, database.provided.reader)


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(InMemoryJourneysUnitOfWork, store=store, publisher=publisher)
    journey_reader = providers.Singleton(InMemoryJourneyReader, store)
    journey_facts = providers.Singleton(InMemoryJourneyFacts, store)


def _template_reader(templates: Templates) -> object:
    return templates.read.reader


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()
    config = providers.Configuration()
    templates = providers.Dependency(instance_of=Templates)
    messages = providers.Dependency(instance_of=Messages)

    currency = config.segment_currency
    template_reader = providers.Callable(_template_reader, templates)
    rules = providers.Singleton(
        SegmentRules,
        sources=providers.Singleton(
            RuleSources,
            definitions=storage.custom_field_reader,
            tags=storage.tag_reader,
            lifecycle=storage.lifecycle_reader,
            segments=storage.segment_reader,
            currency=currency,
        ),
    )
    references = providers.Singleton(
        JourneyReferences,
        templates=template_reader,
        segments=storage.segment_reader,
        tags=storage.tag_reader,
        lifecycle=storage.lifecycle_reader,
        definitions=storage.custom_field_reader,
        rules=rules,
    )
    engine = providers.Singleton(
        JourneyEngine,
        uow=ports.unit_of_work.provider,
        clock=platform.clock,
        ids=platform.ids,
        facts=ports.journey_facts,
        rules=rules,
        segment_facts=storage.segment_facts,
        matcher=providers.Singleton(PythonRuleMatcher, currency=currency),
        templates=template_reader,
        tags=storage.tag_reader,
        currency=currency,
    )
    enrol_by_dates = providers.Singleton(
        DateFieldTrigger,
        engine=engine,
        uow=ports.unit_of_work.provider,
        facts=ports.journey_facts,
        clock=platform.clock,
    )
    bundle = providers.Singleton(
        Journeys,
        create=providers.Singleton(
            CreateJourney,
            uow=ports.unit_of_work.provider,
            references=references,
            clock=platform.clock,
            ids=platform.ids,
        ),
        update=providers.Singleton(
            UpdateJourney,
            uow=ports.unit_of_work.provider,
            references=references,
            clock=platform.clock,
        ),
        activate=providers.Singleton(
            ActivateJourney, uow=ports.unit_of_work.provider, clock=platform.clock
        ),
        pause=providers.Singleton(
            PauseJourney, uow=ports.unit_of_work.provider, clock=platform.clock
        ),
        read=providers.Singleton(
            ReadJourneys, reader=ports.journey_reader, messages=messages.provided.stats
        ),
        engine=engine,
        enrol_by_dates=enrol_by_dates,
    )
    reactions = providers.List(
        providers.Factory(
            Reaction,
            CustomerEnteredSegment.event_type,
            providers.Singleton(
                SegmentEnteredTrigger, engine=engine, uow=ports.unit_of_work.provider
            ),
        ),
        providers.Factory(
            Reaction,
            StageChanged.event_type,
            providers.Singleton(
                StageChangedTrigger, engine=engine, uow=ports.unit_of_work.provider
            ),
        ),
    )
    tracked = providers.List(
        providers.Singleton(
            EventTrackedTrigger,
            engine=engine,
            uow=ports.unit_of_work.provider,
            facts=ports.journey_facts,
            clock=platform.clock,
        ).provided.tracked,
    )
    jobs = providers.Dict({"journey-dates": every(Schedule.daily_at(0, 15), enrol_by_dates)})
    timers = providers.Dict({WAKE: providers.Factory(BatchTimerHandler, engine.provided.fire_many)})
