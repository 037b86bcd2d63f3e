"""Behaviour: events tracked from sites and apps."""

from dependency_injector import containers, providers

from application.behaviour.bundle import Behaviour
from application.behaviour.queries import EventFrequencies, GetTrackedEvents
from application.behaviour.tracking import TrackEvents
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    bundle = providers.Singleton(
        Behaviour,
        track=use_case(TrackEvents, platform, storage, listener=platform.tracked_customers),
        get_tracked=use_case(GetTrackedEvents, platform, storage, reader=storage.behaviour_reader),
        frequencies=use_case(EventFrequencies, platform, storage, reader=storage.behaviour_reader),
    )
