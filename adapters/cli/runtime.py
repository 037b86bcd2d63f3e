"""What the command line needs, handed over by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from attrs import frozen
from starlette.types import ASGIApp

from application.modules import Modules
from domain.scheduling import RecurringJob


@frozen
class CliRuntime:
    settings_summary: str
    host: str
    port: int
    migrate: Callable[[], str]
    modules: Modules
    """Every module's use cases; commands take what they run from here."""
    build_app: Callable[[], ASGIApp]
    """The API over this runtime's own container (and so its in-memory store, if any)."""
    app_factory: str
    """Import path of the ASGI app factory, so that several workers can each build one."""
    close: Callable[[], None]
    recurring_jobs: Callable[[], Sequence[RecurringJob]] = tuple
    """Every recurring job with its schedule and the outcome of its last run."""
    run_worker: Callable[[], None] = lambda: None
    """Relays the outbox and sends webhooks until interrupted."""
    import_workers: int = 0
    """Worker processes that check a customer file's rows while the import stores them."""
