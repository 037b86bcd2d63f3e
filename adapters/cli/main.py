"""``rapport``: serve the API, migrate, issue API keys, seed demo data, run jobs, export the schema."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from adapters.cli.pipeline import add_pipeline_commands
from adapters.cli.runtime import CliRuntime
from adapters.demo.seeding import demo_size, seed_demo
from adapters.exporting.customers import write_customers_csv
from adapters.graphql.schema import schema_sdl
from adapters.importing.customers import ColumnMapping, MappingError, import_customer_file
from adapters.importing.orders import import_order_file
from application.customers.views import CustomerFilter
from application.events.docs import refresh
from application.principal import Principal
from domain.access.roles import Role
from domain.errors import DomainError

DEV_USER_EMAIL = "developer@rapport.localhost"
DEMO_CUSTOMERS = 500

console = Console(stderr=True)


def build_cli(runtime: Callable[[], CliRuntime]) -> typer.Typer:
    """The command tree; ``runtime`` is called only by commands that need one."""
    cli = typer.Typer(
        no_args_is_help=True,
        add_completion=False,
        help=__doc__,
        pretty_exceptions_show_locals=False,
    )
    db = typer.Typer(no_args_is_help=True, help="Database schema.")
    apikey = typer.Typer(no_args_is_help=True, help="API keys.")
    schema = typer.Typer(no_args_is_help=True, help="The GraphQL schema.")
    importing = typer.Typer(no_args_is_help=True, help="Import customers and orders from files.")
    cli.add_typer(importing, name="import")
    export = typer.Typer(no_args_is_help=True, help="Export data as files.")
    cli.add_typer(export, name="export")
    cli.add_typer(db, name="db")
    cli.add_typer(apikey, name="apikey")
    cli.add_typer(schema, name="schema")
    jobs = typer.Typer(no_args_is_help=True, help="Background jobs, run once (e.g. from cron).")
    run_job = typer.Typer(no_args_is_help=True, help="Run a job once, now.")
    jobs.add_typer(run_job, name="run")
    cli.add_typer(jobs, name="jobs")

    @run_job.command("auto-tag")
    def run_auto_tag() -> None:
        """Evaluate every auto-tag rule: tag who matches, untag who stopped matching."""
        rt = runtime()
        try:
            with _rules_progress() as advance:
                report = rt.run_auto_tag_rules(Principal.system(), on_progress=advance)
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(
            f"{report.rules:,} rules: tagged {report.added:,}, untagged {report.removed:,}"
        )

    @run_job.command("lifecycle-sweep")
    def run_lifecycle_sweep() -> None:
        """Apply the lifecycle rules to every customer; safe to run again (idempotent)."""
        rt = runtime()
        try:
            with Progress(
                TextColumn("lifecycle sweep"),
                BarColumn(),
                TextColumn("{task.completed:,} customers with orders checked"),
                console=console,
            ) as progress:
                task = progress.add_task("sweep", total=None)
                sweep = rt.lifecycle_sweep(
                    Principal.system(), on_batch=lambda count: progress.advance(task, count)
                )
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(
            f"{sweep.customers:,} active customers checked, {sweep.changes:,} stage changes"
        )

    add_pipeline_commands(cli, run_job, runtime)

    events = typer.Typer(no_args_is_help=True, help="The event catalogue.")
    cli.add_typer(events, name="events")

    @db.command("upgrade")
    def db_upgrade() -> None:
        """Migrate the database to the latest schema."""
        rt = runtime()
        try:
            console.print(rt.migrate())
        finally:
            rt.close()

    @apikey.command("create")
    def apikey_create(
        role: Annotated[Role, typer.Option(help="What the key may do.")],
        name: Annotated[str, typer.Option(help="A label for the key.")] = "api key",
        user_email: Annotated[
            str, typer.Option(help="The user the key acts for; created if new.")
        ] = "",
    ) -> None:
        """Create an API key and print it on the last line; it is shown only this once."""
        rt = runtime()
        try:
            email = user_email or f"{role.value}@rapport.localhost"
            issued = rt.issue_api_key(Principal.system(), role=role, name=name, user_email=email)
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(
            f"API key for {email} ({issued.role.value}); store it now, it is not shown again:"
        )
        typer.echo(issued.token)

    @importing.command("orders")
    def import_orders(
        file: Annotated[
            Path, typer.Argument(exists=True, dir_okay=False, help="The file to import.")
        ],
        format: Annotated[
            OrderFormat, typer.Option(help="How the file is laid out.")
        ] = OrderFormat.CDNOW,
        encoding: Annotated[
            str | None,
            typer.Option(help="Text encoding; detected when not given (UTF-8 or GB18030)."),
        ] = None,
        create_customers: Annotated[
            bool | None,
            typer.Option(
                help="Create customers the file names but Rapport does not know "
                "(default: yes for a purchase log, no for CSV)."
            ),
        ] = None,
    ) -> None:
        """Import orders; bad rows go to FILE.errors.csv and every good row is kept."""
        rt = runtime()
        try:
            with _bytes_progress(f"importing {file.name}") as advance:
                summary = import_order_file(
                    file,
                    use_case=rt.import_orders,
                    actor=Principal.system(),
                    format=format.value,
                    create_missing_customers=(
                        format is OrderFormat.CDNOW
                        if create_customers is None
                        else create_customers
                    ),
                    encoding=encoding,
                    on_progress=advance,
                )
        finally:
            rt.close()
        console.print(
            f"{summary.rows:,} rows ({summary.encoding}): {summary.orders_created:,} orders created, "
            f"{summary.orders_unchanged:,} already there, {summary.customers_created:,} customers created, "
            f"{summary.rejected_rows:,} rows rejected"
        )
        if summary.report is not None:
            console.print(f"errors: {summary.report}")
            raise typer.Exit(code=1)

    @importing.command("customers")
    def import_customers(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CSV file.")],
        mapping: Annotated[
            Path | None,
            typer.Option(
                exists=True, dir_okay=False, help="TOML [columns] table: header = target."
            ),
        ] = None,
        encoding: Annotated[
            str | None,
            typer.Option(help="Text encoding; detected when not given (UTF-8 or GB18030)."),
        ] = None,
        auto_merge: Annotated[
            bool,
            typer.Option(
                help="Merge customers that a row names twice (by email and by external id)."
            ),
        ] = False,
    ) -> None:
        """Create or update customers (matched by external id, then email); bad rows go to FILE.errors.csv."""
        try:
            columns = ColumnMapping.from_toml(mapping) if mapping else None
        except (MappingError, OSError, ValueError) as error:
            console.print(f"[red]error[/red] mapping: {error}")
            raise typer.Exit(code=2) from None
        rt = runtime()
        try:
            with _bytes_progress(f"importing {file.name}") as advance:
                summary = import_customer_file(
                    file,
                    use_case=rt.import_customers,
                    actor=Principal.system(),
                    mapping=columns,
                    encoding=encoding,
                    auto_merge=auto_merge,
                    workers=rt.import_workers,
                    on_progress=advance,
                )
        finally:
            rt.close()
        console.print(
            f"{summary.rows:,} rows ({summary.encoding}): {summary.created:,} created, "
            f"{summary.updated:,} updated, {summary.unchanged:,} unchanged, {summary.merged:,} merged, "
            f"{summary.rejected_rows:,} rows rejected"
        )
        if summary.report is not None:
            console.print(f"errors: {summary.report}")
            raise typer.Exit(code=1)

    @export.command("customers")
    def export_customers(
        search: Annotated[
            str | None,
            typer.Option(help="Only customers whose name, email or phone contains this."),
        ] = None,
        include_archived: Annotated[bool, typer.Option(help="Archived customers too.")] = False,
    ) -> None:
        """Write customers as CSV to standard output."""
        rt = runtime()
        try:
            count = write_customers_csv(
                sys.stdout,
                rt.list_customers,
                rt.get_customers,
                Principal.system(),
                CustomerFilter(search=search, include_archived=include_archived),
                sorted(rt.import_customers.custom_field_keys()),
            )
        finally:
            rt.close()
        console.print(f"exported {count:,} customers")

    @cli.command("seed")
    def seed(
        customers: Annotated[int, typer.Option(min=0, help="How many demo customers.")] = 1000,
        seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 2026,
    ) -> None:
        """Load realistic demo data (en_US and zh_CN names, phones, companies, custom fields)."""
        rt = runtime()
        try:
            created = _seed_with_progress(rt, customers, seed)
        finally:
            rt.close()
        console.print(f"created {created} customers")

    @schema.command("export")
    def schema_export(
        output: Annotated[
            Path, typer.Option(help="Where to write the SDL; - for standard output.")
        ] = Path("schema.graphql"),
    ) -> None:
        """Write the GraphQL schema in SDL."""
        sdl = schema_sdl()
        if str(output) == "-":
            sys.stdout.write(sdl)
        else:
            output.write_text(sdl, encoding="utf-8")
            console.print(f"wrote {output}")

    @cli.command("serve")
    def serve(
        host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
        port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
        workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
        dev: Annotated[
            bool,
            typer.Option(
                help="Migrate, load demo data if empty and print a development key first."
            ),
        ] = False,
    ) -> None:
        """Serve the GraphQL API."""
        rt = runtime()
        host = host or rt.host
        port = port or rt.port
        try:
            if dev:
                _prepare_development(rt)
        except BaseException:
            rt.close()
            raise
        console.print(f"Rapport ({rt.settings_summary}) at http://{host}:{port}/graphql")
        if workers == 1:
            # One process serves this runtime's container; the app's lifespan closes it.
            uvicorn.run(rt.build_app(), host=host, port=port, log_level="info")
            return
        rt.close()
        uvicorn.run(
            rt.app_factory, factory=True, host=host, port=port, workers=workers, log_level="info"
        )

    @cli.command("worker")
    def worker() -> None:
        """Relay the outbox to webhooks and the event stream until interrupted."""
        rt = runtime()
        console.print(f"Rapport delivery worker ({rt.settings_summary})")
        try:
            rt.run_worker()
        finally:
            rt.close()

    @events.command("docs")
    def events_docs(
        output: Annotated[Path, typer.Option(help="The Markdown file to refresh.")] = Path(
            "docs/events.md"
        ),
    ) -> None:
        """Regenerate the event catalogue section of the events guide."""
        output.write_text(refresh(output.read_text(encoding="utf-8")), encoding="utf-8")
        console.print(f"wrote {output}")

    return cli


def _prepare_development(rt: CliRuntime) -> None:
    console.print(rt.migrate())
    system = Principal.system()
    if rt.list_customers.count(system, CustomerFilter(include_archived=True)) == 0:
        created = _seed_with_progress(rt, DEMO_CUSTOMERS, 2026)
        console.print(f"loaded {created} demo customers")
    issued = rt.issue_api_key(
        system,
        role=Role.ADMIN,
        name="development",
        user_email=DEV_USER_EMAIL,
        user_name="Developer",
    )
    console.print("[bold]Development API key[/bold] (send as Authorization: Bearer <key>):")
    console.print(issued.token, markup=False, highlight=False, soft_wrap=True)


class OrderFormat(StrEnum):
    CDNOW = "cdnow"
    CSV = "csv"


class Job(StrEnum):
    LIFECYCLE_SWEEP = "lifecycle-sweep"


@contextmanager
def _bytes_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn(label),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("import", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


@contextmanager
def _rules_progress() -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn("auto-tag rules"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("rules", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _seed_with_progress(rt: CliRuntime, customers: int, seed: int) -> int:
    with Progress(
        TextColumn("seeding customers"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("seed", total=demo_size(customers))
        return seed_demo(
            rt.demo,
            customers=customers,
            seed=seed,
            on_batch=lambda count: progress.advance(task, count),
        )


def _fail(error: DomainError) -> None:
    for problem in error.problems:
        console.print(
            f"[red]error[/red] {problem.field or 'input'}: {problem.message} ({problem.code.value})"
        )
    raise typer.Exit(code=2)
