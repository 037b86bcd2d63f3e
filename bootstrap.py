"""The composition root: reads configuration once, picks the storage, composes the modules."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from dependency_injector import providers
from starlette.applications import Starlette

from adapters.delivery.worker import PollingLoop
from adapters.graphql.app import create_app
from adapters.graphql.context import Services
from adapters.messaging.in_process import ALL_EVENTS
from adapters.persistence.database import Database
from adapters.persistence.migrate import upgrade
from adapters.persistence.wakeups import PostgresWakeups
from application.access.bundle import Access
from application.modules import Modules
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from composition.settings import (
    PROFILES,
    Settings,
    api_limits,
    container_config,
    default_import_workers,
)
from composition.storage import MemoryStorage, SqlStorage
from composition.wiring import Platform, module_parts
from domain.scheduling import RecurringJob

__all__ = [
    "PROFILES",
    "Container",
    "Settings",
    "api_limits",
    "build_container",
    "default_import_workers",
]

MODULES = (
    "access",
    "custom_fields",
    "customers",
    "companies",
    "orders",
    "templates",
    "activities",
    "behaviour",
    "timeline",
    "lifecycle",
    "tags",
    "segments",
    "pipeline",
    "events",
    "audit",
    "privacy",
    "consent",
    "messages",
    "campaigns",
    "journeys",
    "scheduling",
)
"""The modules composed, in order: a module comes after those whose bundles it takes."""

B = TypeVar("B")

SHARED = ("platform", "storage", "ports", "jobs", "timers")
"""What every module may take from the root; any other dependency names a module."""


class Container:
    """The platform, the chosen storage and one container per module."""

    def __init__(
        self,
        settings: Settings,
        overrides: Mapping[str, object] | None = None,
        modules: Sequence[str] = MODULES,
    ) -> None:
        self.settings = settings
        self.platform = Platform()
        self.platform.config.from_dict(container_config(settings))
        publisher = self.platform.event_bus
        self.storage: Any = (
            SqlStorage(database_url=settings.database_url, publisher=publisher)
            if settings.storage == "sql"
            else MemoryStorage(publisher=publisher)
        )
        # Overrides swap adapters (a fake clock, a test database) before anything is built.
        for name, value in (overrides or {}).items():
            owner = self.platform if name in self.platform.providers else self.storage
            getattr(owner, name).override(providers.Object(value))
        self.modules: dict[str, Any] = {}
        for path in modules:
            self.modules[path.rpartition(".")[2]] = self._compose(path)
        if "access" in self.modules and "audit" in self.modules:
            # Refused credentials go to the audit log, with the reason the check found.
            audit = self.modules["audit"]
            self.modules["access"].authentication_failures.override(
                providers.Callable(lambda: audit.bundle().login_failures)
            )
        self.bundles = Modules(module.bundle() for module in self.modules.values())
        self._react()

    def _compose(self, path: str) -> Any:
        """A module's container, given what it declares it depends on."""
        source = importlib.import_module(path if "." in path else f"composition.{path}")
        kind = source.Module
        shared = {
            "platform": self.platform,
            "storage": self.storage,
            "jobs": providers.Callable(self._folded, "jobs"),
            "timers": providers.Callable(self._folded, "timers"),
        }
        if "ports" in kind.dependencies:
            shared["ports"] = self._ports(source)
        given = {
            dependency: shared[dependency]
            if dependency in SHARED
            else self.modules[dependency].bundle
            for dependency in kind.dependencies
        }
        module: Any = kind(**given)
        if "config" in module.providers:
            module.config.from_dict(container_config(self.settings))
        return module

    def _ports(self, source: Any) -> Any:
        """A module's own ports on the storage chosen: its ``SqlPorts`` over the database, or
        its ``MemoryPorts`` over the in-memory store, so a new module's ports stay in its
        own file."""
        if self.settings.storage == "sql":
            return source.SqlPorts(database=self.storage.database, publisher=self.storage.publisher)
        return source.MemoryPorts(store=self.storage.store, publisher=self.storage.publisher)

    def _folded(self, part: str) -> dict[str, Any]:
        folded: dict[str, Any] = {}
        for module in self.modules.values():
            if part not in module.dependencies:
                folded.update(module_parts(module, part))
        return folded

    def _react(self) -> None:
        """Each module's declared reactions, subscribed to committed events."""
        bus = self.platform.event_bus()
        tracked = self.platform.tracked_customers()
        for module in self.modules.values():
            for reaction in module_parts(module, "reactions"):
                bus.subscribe(reaction.event_type, reaction.handler)
            for listener in module_parts(module, "tracked"):
                tracked.subscribe(listener)

    def use(self, kind: type[B]) -> B:
        return self.bundles.use(kind)

    def background_loops(self) -> list[PollingLoop]:
        """What the modules run in the background beside the scheduler (the message
        dispatcher), each a loop the worker starts in a thread of its own."""
        loops: list[PollingLoop] = []
        for module in self.modules.values():
            loops.extend(module_parts(module, "loops"))
        return loops

    def module(self, name: str) -> Any:
        return self.modules[name]

    def database(self) -> Database:
        database: Database = self.storage.database()
        return database

    def services(self) -> Services:
        return Services(self.bundles, self.platform.token_buckets())

    def close(self) -> None:
        self.storage.close()


def build_container(
    settings: Settings | None = None,
    overrides: Mapping[str, object] | None = None,
    modules: Sequence[str] = MODULES,
) -> Container:
    return Container(settings or Settings.from_env(), overrides, modules)


def create_asgi_app() -> Starlette:
    """The app that ``uvicorn --factory bootstrap:create_asgi_app`` serves."""
    settings = Settings.from_env()
    # Several server processes must not each run a relay: `rapport worker` does it.
    return asgi_app(build_container(settings), settings, relay=False)


def asgi_app(container: Container, settings: Settings, *, relay: bool = True) -> Starlette:
    in_app = relay and settings.relay_in_app and settings.storage == "sql"
    # Without a relay in this process, live subscriptions follow the event stream instead.
    tail = not in_app and settings.event_stream != "none"
    events = container.module("events")

    def start() -> None:
        if in_app:
            start_delivery(container)
        elif tail:
            events.stream_tail().start()

    def stop() -> None:
        if in_app:
            container.module("scheduling").scheduler().stop()
            for loop in container.background_loops():
                loop.stop()
            events.delivery_worker().stop()
        elif tail:
            events.stream_tail().stop()
        container.close()

    return create_app(
        container.services(),
        container.use(Access).authenticate,
        graphiql=settings.graphiql,
        on_startup=start,
        on_shutdown=stop,
        limits=settings.limits,
        execution_loops=settings.execution_loops,
    )


def start_delivery(container: Container) -> None:
    """The delivery loop in a thread of this process, woken by every commit made here, and
    the scheduler in another."""
    worker = container.module("events").delivery_worker()
    container.platform.event_bus().subscribe(ALL_EVENTS, worker.wake)
    worker.start()
    container.module("scheduling").scheduler().start()
    for loop in container.background_loops():
        loop.start()


def run_worker(container: Container, settings: Settings) -> None:
    """Delivery in this thread, woken by commits of every process on PostgreSQL; the
    scheduler in another."""
    if settings.storage != "sql":
        raise SystemExit("the delivery worker needs SQL storage (RAPPORT_STORAGE=sql)")
    worker = container.module("events").delivery_worker()
    scheduler = container.module("scheduling").scheduler()
    loops = container.background_loops()
    database = container.database()
    wakeups = None if database.is_sqlite else PostgresWakeups(database.writer, worker.wake)
    scheduler.start()
    for loop in loops:
        loop.start()
    if wakeups is not None:
        wakeups.start()
    try:
        worker.run()
    except KeyboardInterrupt:
        pass
    finally:
        if wakeups is not None:
            wakeups.stop()
        for loop in loops:
            loop.stop()
        scheduler.stop()
        worker.stop()


def registered_jobs(container: Container) -> list[RecurringJob]:
    """The jobs and their state, registering them first so a new database lists them too."""
    scheduling = container.use(Scheduling)
    scheduling.run_due_work.register()
    jobs: list[RecurringJob] = scheduling.list_jobs(Principal.system())
    return jobs


def main() -> None:
    """The ``rapport`` command."""
    from adapters.cli.main import build_cli
    from adapters.cli.runtime import CliRuntime
    from adapters.cli.tools import CliTools
    from adapters.demo.seeding import demo_size, seed_demo
    from adapters.files.customer_export import write_customers_csv
    from adapters.files.customer_import import ColumnMapping, import_customer_file
    from adapters.files.order_import import import_order_file
    from adapters.graphql.schema import schema_sdl

    def runtime() -> CliRuntime:
        settings = Settings.from_env()
        container = build_container(settings)
        return CliRuntime(
            settings_summary=f"{settings.profile} profile, {settings.database_url}",
            host=settings.host,
            port=settings.port,
            migrate=lambda: migrate(container, settings),
            modules=container.bundles,
            build_app=lambda: asgi_app(container, settings),
            app_factory="bootstrap:create_asgi_app",
            close=container.close,
            recurring_jobs=lambda: registered_jobs(container),
            run_worker=lambda: run_worker(container, settings),
            import_workers=settings.import_workers,
        )

    tools = CliTools(
        read_column_mapping=ColumnMapping.from_toml,
        import_customer_file=import_customer_file,
        import_order_file=import_order_file,
        write_customers_csv=write_customers_csv,
        seed_demo=seed_demo,
        demo_size=demo_size,
        schema_sdl=schema_sdl,
    )
    build_cli(runtime, tools)()


def migrate(container: Container, settings: Settings) -> str:
    if settings.storage != "sql":
        return "in-memory storage needs no migration"
    database = container.database()
    upgrade(database.writer)
    return f"database at the latest schema ({database.writer.url.render_as_string()})"
