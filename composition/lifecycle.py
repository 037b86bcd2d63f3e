"""Lifecycle tracks, stages and the rules that move customers along them."""

from dependency_injector import containers, providers

from application.lifecycle.bundle import Lifecycle
from application.lifecycle.catalogue import SaveLifecycleTrack, SaveStageRule
from application.lifecycle.commands import ChangeLifecycleStage
from application.lifecycle.queries import ReadLifecycle
from application.lifecycle.rules import RunLifecycleSweep
from composition.wiring import every, use_case
from domain.scheduling import Schedule


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    sweep = use_case(RunLifecycleSweep, platform, storage, orders=storage.order_reader)
    bundle = providers.Singleton(
        Lifecycle,
        change_stage=use_case(ChangeLifecycleStage, platform, storage),
        read=use_case(ReadLifecycle, platform, storage, reader=storage.lifecycle_reader),
        save_track=use_case(SaveLifecycleTrack, platform, storage),
        save_rule=use_case(SaveStageRule, platform, storage),
        sweep=sweep,
    )
    jobs = providers.Dict({"lifecycle-sweep": every(Schedule.daily_at(2), sweep)})
