"""What every module container shares: the platform, use-case wiring, reactions and jobs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from attrs import frozen
from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.ids import UuidV7Generator
from adapters.memory.token_buckets import InMemoryTokenBuckets
from adapters.messaging.in_process import ALL_EVENTS, InProcessEventBus, InProcessTrackedCustomers
from adapters.redis.token_buckets import RedisTokenBuckets
from application.customers.commands import ContactParser
from application.principal import Principal
from application.scheduling.running import JobDefinition
from domain.events import DomainEvent
from domain.scheduling import Schedule

__all__ = ["ALL_EVENTS", "Platform", "Reaction", "every", "module_parts", "use_case"]


class Platform(containers.DeclarativeContainer):
    """What every module builds on: time, ids, the event bus and the rate-limit counters."""

    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidV7Generator)
    event_bus = providers.Singleton(InProcessEventBus)
    tracked_customers = providers.Singleton(InProcessTrackedCustomers)
    """Customers whose behaviour was tracked: not domain events, so told of separately."""
    contact_parser = providers.Singleton(ContactParser, default_region=config.default_phone_region)
    token_buckets = providers.Selector(
        config.limits_store,
        memory=providers.Singleton(InMemoryTokenBuckets),
        redis=providers.Singleton(RedisTokenBuckets.from_url, config.limits_redis_url),
    )


def _collaborators(platform: Any, storage: Any) -> dict[str, providers.Provider[Any]]:
    return {
        "uow": storage.unit_of_work.provider,
        "clock": platform.clock,
        "ids": platform.ids,
    }


def use_case(
    kind: type, platform: Any, storage: Any, **collaborators: Any
) -> providers.Singleton[Any]:
    """One use case, its unit of work, clock and ids filled in by name when it takes them,
    so a module names only what is particular to it."""
    wanted = inspect.signature(kind).parameters
    common = {
        name: provider
        for name, provider in _collaborators(platform, storage).items()
        if name in wanted and name not in collaborators
    }
    return providers.Singleton(kind, **common, **collaborators)


@frozen
class Reaction:
    """A module's handler for committed domain events of one type (``"*"``: all)."""

    event_type: str
    handler: Callable[[DomainEvent], None]


def _job(schedule: Schedule, run: Callable[[Principal], object]) -> JobDefinition:
    return JobDefinition(schedule, lambda actor, _at: run(actor))


def every(
    schedule: Schedule | timedelta, run: providers.Provider[Any]
) -> providers.Factory[JobDefinition]:
    """A recurring job that calls the use case ``run`` as the system, on ``schedule``."""
    when = schedule if isinstance(schedule, Schedule) else Schedule(schedule)
    return providers.Factory(_job, when, run)


def module_parts(module: containers.Container, part: str) -> Any:
    """A module's optional declaration (``reactions``, ``tracked``, ``jobs``, ``timers``,
    ``loops``)."""
    provider = getattr(module, part, None)
    if provider is not None:
        return provider()
    return [] if part in ("reactions", "tracked", "loops") else {}
