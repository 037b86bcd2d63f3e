"""The timeline: what happened with a customer, from every module."""

from dependency_injector import containers, providers

from application.timeline.bundle import Timeline
from application.timeline.queries import GetTimeline
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    bundle = providers.Singleton(
        Timeline, get=use_case(GetTimeline, platform, storage, reader=storage.timeline_reader)
    )
