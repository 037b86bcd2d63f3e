"""``rapport``: serve the API, migrate, issue API keys, seed demo data, run jobs, export the schema."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
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
from rich.table import Table

from adapters.cli.access import add_access_commands
from adapters.cli.api_keys import add_api_key_commands
from adapters.cli.audit import add_audit_commands
from adapters.cli.filters import SYNTAX as FILTER_SYNTAX
from adapters.cli.filters import FilterSyntaxError, parse_field_condition
from adapters.cli.messages import add_messages_commands
from adapters.cli.pipeline import add_pipeline_commands
from adapters.cli.privacy import add_privacy_commands
from adapters.cli.runtime import CliRuntime
from adapters.cli.tools import CliTools, ColumnMapping
from application.access.bundle import Access
from application.audit.bundle import Audit
from application.customers.bundle import Customers
from application.customers.views import CustomerFilter
from application.events.docs import refresh
from application.lifecycle.bundle import Lifecycle
from application.orders.bundle import Orders
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from application.segments.bundle import Segments
from application.segments.commands import RfmSettings
from application.tags.bundle import Tags
from domain.access.roles import Role
from domain.errors import DomainError

DEV_USER_EMAIL = "developer@rapport.localhost"
DEMO_CUSTOMERS = 500

console = Console(stderr=True)


def _tag_ids(rt: CliRuntime, names: list[str]) -> frozenset[str]:
    """The ids of tags named (whatever the case); an unknown name is an error, not no match."""
    catalogue = {
        tag.name.casefold(): tag.id
        for tag in rt.modules.use(Tags).list.everything(Principal.system())
    }
    unknown = [name for name in names if name.casefold() not in catalogue]
    if unknown:
        raise typer.BadParameter(f"no tag named {', '.join(unknown)}", param_hint="--tag")
    return frozenset(catalogue[name.casefold()] for name in names)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def build_cli(runtime: Callable[[], CliRuntime], tools: CliTools[ColumnMapping]) -> typer.Typer:
    """The command tree; ``runtime`` is called only by commands that need one, and
    ``tools`` brings the file formats, demo data and schema the commands use."""
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

    @jobs.command("list")
    def list_jobs() -> None:
        """The recurring jobs the worker runs: schedule, next run, last outcome (UTC)."""
        rt = runtime()
        try:
            recurring = rt.recurring_jobs()
        finally:
            rt.close()
        table = Table("job", "schedule", "next run", "last finished", "outcome")
        for job in recurring:
            outcome = {None: "", True: "ok"}.get(job.succeeded, f"failed: {job.last_error}")
            table.add_row(
                job.name,
                job.schedule.describe(),
                f"{job.next_run_at:%Y-%m-%d %H:%M}",
                f"{job.last_finished_at:%Y-%m-%d %H:%M}" if job.last_finished_at else "never",
                outcome,
            )
        # Piped output (scripts, logs) would otherwise wrap each cell at 80 columns.
        Console(width=None if sys.stdout.isatty() else 160).print(table)

    @jobs.command("run-due")
    def run_due() -> None:
        """One round of the jobs and timers due now, as the worker runs them."""
        rt = runtime()
        try:
            report = rt.modules.use(Scheduling).run_due_work()
        finally:
            rt.close()
        console.print(
            f"jobs run: {', '.join(report.jobs_run) or 'none'}"
            + (f" (failed: {', '.join(report.jobs_failed)})" if report.jobs_failed else "")
            + f"; timers fired {report.timers_fired:,}, failed {report.timers_failed:,}"
        )
        if report.jobs_failed or report.timers_failed:
            raise typer.Exit(code=1)

    @run_job.command("auto-tag")
    def run_auto_tag() -> None:
        """Evaluate every auto-tag rule: tag who matches, untag who stopped matching."""
        rt = runtime()
        try:
            with _rules_progress() as advance:
                report = rt.modules.use(Tags).run_rules(Principal.system(), on_progress=advance)
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
                sweep = rt.modules.use(Lifecycle).sweep(
                    Principal.system(), on_batch=lambda count: progress.advance(task, count)
                )
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(
            f"{sweep.customers:,} active customers checked, {sweep.changes:,} stage changes"
        )

    @run_job.command("segments")
    def run_segments() -> None:
        """Re-evaluate every dynamic segment: what time-relative rules need each day."""
        rt = runtime()
        try:
            changed = rt.modules.use(Segments).refresh(Principal.system())
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"{changed:,} dynamic segments changed membership")

    @run_job.command("rfm")
    def run_rfm(
        window_days: int = typer.Option(365, help="Orders of the last N days (0: every order)."),
    ) -> None:
        """Score every customer's recency, frequency and monetary value, and their class."""
        rt = runtime()
        try:
            scored = rt.modules.use(Segments).compute_rfm(
                Principal.system(), RfmSettings(window_days or None)
            )
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"{scored:,} customers scored")

    add_pipeline_commands(cli, run_job, runtime)
    add_access_commands(cli, runtime)
    add_api_key_commands(apikey, runtime)
    add_audit_commands(cli, runtime)
    add_privacy_commands(cli, runtime)
    add_messages_commands(cli, runtime)

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
            typer.Option(
                help="How the file is encoded, such as gb18030; UTF-8 when not given, and "
                "a line that is not valid in it is a rejected row (INVALID_ENCODING)."
            ),
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
                summary = tools.import_order_file(
                    file,
                    use_case=rt.modules.use(Orders).import_rows,
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
        except DomainError as error:
            _fail(error)
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
            typer.Option(
                help="How the file is encoded, such as gb18030; UTF-8 when not given, and "
                "a line that is not valid in it is a rejected row (INVALID_ENCODING)."
            ),
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
            columns = tools.read_column_mapping(mapping) if mapping else None
        except (OSError, ValueError) as error:
            console.print(f"[red]error[/red] mapping: {error}")
            raise typer.Exit(code=2) from None
        rt = runtime()
        try:
            with _bytes_progress(f"importing {file.name}") as advance:
                summary = tools.import_customer_file(
                    file,
                    use_case=rt.modules.use(Customers).import_rows,
                    actor=Principal.system(),
                    mapping=columns,
                    encoding=encoding,
                    auto_merge=auto_merge,
                    workers=rt.import_workers,
                    on_progress=advance,
                )
        except DomainError as error:
            _fail(error)
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
        filters: Annotated[
            list[str] | None,
            typer.Option(
                "--filter",
                help=f"A custom field condition, repeatable, all must hold: {FILTER_SYNTAX}.",
            ),
        ] = None,
        tags: Annotated[
            list[str] | None,
            typer.Option("--tag", help="Only customers carrying any of these tags (by name)."),
        ] = None,
        companies: Annotated[
            list[str] | None,
            typer.Option("--company", help="Only the people of these companies (by id)."),
        ] = None,
        created_after: Annotated[
            datetime | None, typer.Option(help="Created at or after (UTC when no zone).")
        ] = None,
        created_before: Annotated[
            datetime | None, typer.Option(help="Created before (UTC when no zone).")
        ] = None,
        include_archived: Annotated[bool, typer.Option(help="Archived customers too.")] = False,
    ) -> None:
        """Write customers as CSV to standard output."""
        try:
            conditions = tuple(parse_field_condition(text) for text in filters or ())
        except FilterSyntaxError as error:
            raise typer.BadParameter(str(error), param_hint="--filter") from None
        rt = runtime()
        try:
            where = CustomerFilter(
                search=search,
                include_archived=include_archived,
                custom_fields=conditions,
                tag_ids=_tag_ids(rt, tags) if tags else None,
                company_ids=frozenset(companies) if companies else None,
                created_after=_utc(created_after),
                created_before=_utc(created_before),
            )
            # Personal data leaving the system: the export is an entry of the audit log.
            with rt.modules.use(Audit).trail.operation(Principal.system(), "export"):
                count = tools.write_customers_csv(
                    sys.stdout,
                    rt.modules.use(Customers).list,
                    rt.modules.use(Customers).get,
                    Principal.system(),
                    where,
                    dict(sorted(rt.modules.use(Customers).import_rows.custom_fields().items())),
                )
        except DomainError as error:
            for problem in error.problems:
                console.print(f"[red]{problem.field}: {problem.message} ({problem.code})")
            raise typer.Exit(code=2) from None
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
            created = _seed_with_progress(rt, tools, customers, seed)
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
        sdl = tools.schema_sdl()
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
                _prepare_development(rt, tools)
        except BaseException:
            rt.close()
            raise
        console.print(f"Rapport ({rt.settings_summary}) at http://{host}:{port}/graphql")
        if workers == 1:
            # One process serves this runtime's container; the app's lifespan closes it.
            # The app itself decides whose X-Forwarded-For to believe (RAPPORT_TRUSTED_PROXIES).
            uvicorn.run(rt.build_app(), host=host, port=port, log_level="info", proxy_headers=False)
            return
        rt.close()
        uvicorn.run(
            rt.app_factory,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=False,
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


def _prepare_development(rt: CliRuntime, tools: CliTools[ColumnMapping]) -> None:
    console.print(rt.migrate())
    system = Principal.system()
    if rt.modules.use(Customers).list.count(system, CustomerFilter(include_archived=True)) == 0:
        created = _seed_with_progress(rt, tools, DEMO_CUSTOMERS, 2026)
        console.print(f"loaded {created} demo customers")
    issued = rt.modules.use(Access).issue_api_key(
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


def _seed_with_progress(
    rt: CliRuntime, tools: CliTools[ColumnMapping], customers: int, seed: int
) -> int:
    with Progress(
        TextColumn("seeding customers"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("seed", total=tools.demo_size(customers))
        return tools.seed_demo(
            rt.modules,
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
