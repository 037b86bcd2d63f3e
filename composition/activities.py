"""Activities: notes, calls, meetings and emails logged against customers."""

from dependency_injector import containers, providers

from application.activities.bundle import Activities
from application.activities.commands import DeleteActivity, LogActivity, UpdateActivity
from application.activities.queries import GetActivities
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    bundle = providers.Singleton(
        Activities,
        log=use_case(LogActivity, platform, storage),
        update=use_case(UpdateActivity, platform, storage),
        delete=use_case(DeleteActivity, platform, storage),
        get=use_case(GetActivities, platform, storage, reader=storage.activity_reader),
    )
