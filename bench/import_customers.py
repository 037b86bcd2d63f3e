"""Importing a customer CSV end to end, into SQLite and PostgreSQL, and where the time goes.

    python -m bench.import_customers            # 1,000,000 rows
    python -m bench.import_customers --quick    # 20,000 rows, a smoke test

A deterministic file (bench/customer_file.py: six countries' phone formats, two external
id columns, a choice and a date custom field, about 1% bad rows) goes through
``import_customer_file`` and the container's ``ImportCustomers``, as ``rapport import
customers`` runs it, into a fresh database of each kind. The run then checks the outcome:
every good row stored with one outbox event, every bad row reported with its row and
column, and a second import of the first rows changing nothing.

The baseline, measured in the same run on a fresh database of each kind, is plain
executemany: SQLAlchemy Core inserting the same customers with no validation, no
normalisation, no external ids and no events, a transaction per batch. Keys in
bench/results/import_customers.json are prefixed ``sqlite_`` or ``postgres_``; the
unprefixed stage keys are PostgreSQL's.

Stages: ``parse`` reads and maps the CSV (main process); ``validate`` checks and
normalises emails, phones and external ids (summed over the worker processes when there are
any, so it overlaps the rest); ``build`` matches rows to stored customers and builds the
aggregates, names and custom fields checked; ``write`` inserts customers, external ids
and outbox events and commits; ``wait`` is the main process waiting for a worker.
``normalise`` estimates the share of ``validate`` spent in phonenumbers and email
normalisation, from the serial cost of each on the file's own values.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import attrs
from rich.table import Table
from sqlalchemy import create_engine, func, insert, select, text

from adapters.files.customer_import import BATCH_SIZE, CustomerImportSummary, import_customer_file
from adapters.persistence.tables import customers, outbox
from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.customers.bundle import Customers
from application.customers.commands import ContactParser
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from bench._support import Results, console, python_flags, run_metadata, write_results
from bench.customer_file import PLANS, CustomerFile, write_customer_file
from bench.storage_floor import measure_storage_floor
from bootstrap import (
    Container,
    Settings,
    build_container,
    default_import_workers,
    migrate,
)
from domain.custom_fields import FieldType, ObjectType
from domain.customers.contact import normalise_phone
from domain.errors import DomainError

NAME = "import_customers"
FULL_ROWS = 1_000_000
QUICK_ROWS = 20_000
RERUN_ROWS = 20_000
BASELINE_ROWS = 200_000
BASELINE_BATCH = 2_000
SYSTEM = Principal.system()
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STAGES = ("parse", "validate", "build", "write", "wait")


@attrs.define
class TimedUnitOfWork:
    """The real unit of work, with the time spent in ``commit`` (the write stage) counted."""

    inner: UnitOfWork
    seconds: list[float]

    def __enter__(self) -> Self:
        self.inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.inner.__exit__(exc_type, exc, traceback)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def commit(self) -> None:
        started = time.perf_counter()
        self.inner.commit()
        self.seconds.append(time.perf_counter() - started)


def timed(factory: UnitOfWorkFactory, seconds: list[float]) -> UnitOfWorkFactory:
    return lambda: TimedUnitOfWork(factory(), seconds)


@attrs.frozen
class Run:
    database: str
    summary: CustomerImportSummary
    seconds: float
    write_seconds: float
    rerun_rows: int
    rerun_seconds: float
    baseline_rows: int
    baseline_seconds: float
    floor_rows: int
    floor_seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.summary.rows / self.seconds

    @property
    def baseline_rows_per_s(self) -> float:
        return self.baseline_rows / self.baseline_seconds

    @property
    def floor_rows_per_s(self) -> float:
        return self.floor_rows / self.floor_seconds

    def stage(self, name: str) -> float:
        seconds = self.summary.seconds
        if name == "validate":
            return seconds["check"]
        if name == "build":
            return seconds["store"] - self.write_seconds
        if name == "write":
            return self.write_seconds
        return seconds[name]


@contextmanager
def database_url(kind: str, directory: Path, admin_url: str) -> Iterator[str | None]:
    """A fresh, empty database of ``kind``; ``None`` when PostgreSQL cannot be reached."""
    if kind == "sqlite":
        path = directory / f"bench-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    name = f"rapport_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach the server skips PostgreSQL
        console.print(f"[yellow]PostgreSQL at {admin_url} skipped: {error}")
        admin.dispose()
        yield None
        return
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def container_for(url: str) -> Iterator[Container]:
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": url})
    container = build_container(settings)
    migrate(container, settings)
    define = container.use(CustomFields).define
    define(
        SYSTEM,
        NewCustomField(
            object_type=ObjectType.CUSTOMER,
            key="plan",
            label="Plan",
            field_type=FieldType.SINGLE_CHOICE,
            choices=PLANS,
        ),
    )
    define(
        SYSTEM,
        NewCustomField(
            object_type=ObjectType.CUSTOMER,
            key="signup_date",
            label="Signup date",
            field_type=FieldType.DATE,
        ),
    )
    try:
        yield container
    finally:
        container.close()


def import_file(
    container: Container, file: CustomerFile, *, workers: int, batch_size: int
) -> tuple[CustomerImportSummary, float, float]:
    """The import as the command line runs it; the summary, wall seconds, commit seconds."""
    commits: list[float] = []
    use_case = container.use(Customers).import_rows
    use_case = attrs.evolve(use_case, uow=timed(use_case.uow, commits))
    started = time.perf_counter()
    summary = import_customer_file(
        file.path, use_case=use_case, actor=SYSTEM, workers=workers, batch_size=batch_size
    )
    return summary, time.perf_counter() - started, sum(commits)


def verify(container: Container, file: CustomerFile, summary: CustomerImportSummary) -> None:
    """Stop the run unless the import stored and reported exactly what it should."""
    if summary.created != file.good_rows:
        raise SystemExit(f"created {summary.created:,} customers, expected {file.good_rows:,}")
    reported: dict[int, str] = {}
    if summary.report is not None:
        with summary.report.open(encoding="utf-8") as report:
            for line in csv.DictReader(report):
                reported.setdefault(int(line["row"]), line["column"])
    if reported != file.bad:
        wrong = sorted(set(reported.items()) ^ set(file.bad.items()))[:5]
        raise SystemExit(f"error report differs from the bad rows, e.g. {wrong}")
    engine = container.database().reader
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(customers))
        events = connection.scalar(select(func.count()).select_from(outbox))
    if stored != file.good_rows or events != file.good_rows + 2:  # + two field definitions
        raise SystemExit(f"{stored:,} customers and {events:,} events stored")


def rerun(
    container: Container, file: CustomerFile, rows: int, *, workers: int, batch_size: int
) -> tuple[int, float]:
    """Import the first ``rows`` rows again: every customer must come back unchanged."""
    prefix = file.path.with_name(f"prefix-{rows}.csv")
    with file.path.open(encoding="utf-8") as source, prefix.open("w", encoding="utf-8") as out:
        for index, line in enumerate(source):
            if index > rows:
                break
            out.write(line)
    bad = sum(1 for line in file.bad if line <= rows + 1)
    use_case = container.use(Customers).import_rows
    started = time.perf_counter()
    summary = import_customer_file(
        prefix, use_case=use_case, actor=SYSTEM, workers=workers, batch_size=batch_size
    )
    seconds = time.perf_counter() - started
    if (summary.created, summary.updated, summary.unchanged) != (0, 0, rows - bad):
        raise SystemExit(f"importing the same rows again changed something: {summary}")
    return rows, seconds


def baseline(url: str, file: CustomerFile, rows: int) -> tuple[int, float]:
    """Plain executemany of the file's customers: no checks, no external ids, no events."""
    batch: list[dict[str, Any]] = []
    with container_for(url) as container:
        engine = container.database().writer
        now = container.platform.clock().now()
        started = time.perf_counter()
        stored = 0
        with file.path.open(encoding="utf-8", newline="") as source:
            for number, cells in enumerate(csv.reader(source)):
                if number == 0 or len(cells) < 8 or number - 1 in file.bad:
                    continue
                if stored + len(batch) >= rows:
                    break
                batch.append(_plain_row(cells, now))
                if len(batch) == BASELINE_BATCH:
                    with engine.begin() as connection:
                        connection.execute(insert(customers), batch)
                    stored += len(batch)
                    batch = []
        if batch:
            with engine.begin() as connection:
                connection.execute(insert(customers), batch)
            stored += len(batch)
        return stored, time.perf_counter() - started


def _plain_row(cells: list[str], now: Any) -> dict[str, Any]:
    first, last, email, phone = cells[:4]
    digits = "".join(char for char in phone if char.isdigit())[:15]
    return {
        "id": str(uuid.uuid4()),
        "first_name": first,
        "last_name": last,
        "email": email.lower(),
        "phone": f"+{digits}" if digits else None,
        "custom_fields": {"plan": cells[6], "signup_date": cells[7]},
        "owner_id": SYSTEM.actor_id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "sort_name": f"{last} {first}".casefold(),
        "search_text": f"{first} {last} {email}".casefold(),
        "email_key": email.lower(),
    }


def normalise_costs(file: CustomerFile, sample: int = 20_000) -> dict[str, float]:
    """Serial µs per value of the file's own phones (cold and cached) and emails."""
    phones: list[str] = []
    emails: list[str] = []
    with file.path.open(encoding="utf-8", newline="") as source:
        for number, cells in enumerate(csv.reader(source)):
            if number == 0 or len(cells) < 4:
                continue
            if cells[3]:
                phones.append(cells[3])
            emails.append(cells[2])
            if len(emails) >= sample:
                break
    parser = ContactParser()
    normalise_phone.cache_clear()
    costs = {}
    for label, values, parse in (
        ("phone_cold", phones, parser.phone),
        ("phone_cached", phones, parser.phone),
        ("email", emails, parser.email),
    ):
        started = time.perf_counter()
        for value in values:
            with suppress(DomainError):  # an invalid value costs as much to find out
                parse(value)
        costs[label] = (time.perf_counter() - started) / len(values) * 1e6
    normalise_phone.cache_clear()
    return costs


def count_values(file: CustomerFile) -> tuple[int, int]:
    phones = emails = 0
    with file.path.open(encoding="utf-8", newline="") as source:
        for number, cells in enumerate(csv.reader(source)):
            if number and len(cells) >= 4:
                phones += bool(cells[3])
                emails += bool(cells[2])
    return phones, emails


def run(kind: str, file: CustomerFile, directory: Path, args: argparse.Namespace) -> Run | None:
    with database_url(kind, directory, args.postgres_admin_url) as url:
        if url is None:
            return None
        console.print(f"[bold]{kind}[/]: importing {file.rows:,} rows, {args.workers} worker(s)")
        with container_for(url) as container:
            summary, seconds, write_seconds = import_file(
                container, file, workers=args.workers, batch_size=args.batch_size
            )
            verify(container, file, summary)
            console.print(f"  {summary.rows / seconds:,.0f} rows/s; checking a re-import")
            rerun_rows, rerun_seconds = rerun(
                container,
                file,
                min(args.rerun_rows, file.rows),
                workers=args.workers,
                batch_size=args.batch_size,
            )
            console.print("  storage floor: the same rows replayed straight into the schema")
            with (
                database_url(kind, directory, args.postgres_admin_url) as floor_url,
                container_for(floor_url or "") as target,
            ):
                floor_rows, floor_seconds = measure_storage_floor(
                    container.database().writer, target.database().writer, batch=args.batch_size
                )
    with database_url(kind, directory, args.postgres_admin_url) as url:
        assert url is not None
        console.print(f"  baseline: plain executemany of {args.baseline_rows:,} rows")
        baseline_rows, baseline_seconds = baseline(url, file, args.baseline_rows)
    return Run(
        kind,
        summary,
        seconds,
        write_seconds,
        rerun_rows,
        rerun_seconds,
        baseline_rows,
        baseline_seconds,
        floor_rows,
        floor_seconds,
    )


def render(runs: Sequence[Run], file: CustomerFile, workers: int) -> Table:
    table = Table(title=f"Importing a {file.rows:,}-row customer CSV ({workers} worker(s))")
    table.add_column("Database")
    table.add_column("Path")
    table.add_column("Rows", justify="right")
    table.add_column("Seconds", justify="right")
    table.add_column("Rows/s", justify="right")
    table.add_column("Ratio", justify="right")
    for stage in STAGES:
        table.add_column(f"{stage} s", justify="right")
    for item in runs:
        blank = [""] * len(STAGES)
        table.add_row(
            item.database,
            "executemany (baseline)",
            f"{item.baseline_rows:,}",
            f"{item.baseline_seconds:.1f}",
            f"{item.baseline_rows_per_s:,.0f}",
            "1.00x",
            *blank,
        )
        table.add_row(
            "",
            "import",
            f"{item.summary.rows:,}",
            f"{item.seconds:.1f}",
            f"[bold]{item.rows_per_s:,.0f}[/]",
            f"{item.rows_per_s / item.baseline_rows_per_s:.2f}x",
            *(f"{item.stage(stage):.1f}" for stage in STAGES),
        )
        table.add_row(
            "",
            "storage floor: the import's rows, ready",
            f"{item.floor_rows:,}",
            f"{item.floor_seconds:.1f}",
            f"{item.floor_rows_per_s:,.0f}",
            f"{item.floor_rows_per_s / item.baseline_rows_per_s:.2f}x",
            *blank,
        )
        table.add_row(
            "",
            "re-import, no change",
            f"{item.rerun_rows:,}",
            f"{item.rerun_seconds:.1f}",
            f"{item.rerun_rows / item.rerun_seconds:,.0f}",
            f"{item.rerun_rows / item.rerun_seconds / item.baseline_rows_per_s:.2f}x",
            *blank,
        )
    table.caption = (
        "import: validated and normalised, with external ids and one outbox event per customer\n"
        "baseline: Core executemany of the same customers, unvalidated, no external ids or "
        "events; ratio = rows/s ÷ the baseline's on the same database\n"
        "storage floor: the customers, external ids and events the import stored, replayed "
        "in storage form (COPY / prepared INSERT), a batch a transaction\n"
        "stage seconds: validate is worker CPU time when there are workers (it overlaps the rest)"
    )
    return table


def results(
    runs: Sequence[Run],
    file: CustomerFile,
    costs: dict[str, float],
    values: tuple[int, int],
    args: argparse.Namespace,
) -> Results:
    phones, emails = values
    normalise = (costs["phone_cold"] * phones + costs["email"] * emails) / 1e6
    out: Results = {
        **run_metadata(n=file.rows, quick=args.quick),
        "bad_rows": len(file.bad),
        "batch_size_rows": args.batch_size,
        "workers": args.workers,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "phone_normalise_cold_us": round(costs["phone_cold"], 2),
        "phone_normalise_cached_us": round(costs["phone_cached"], 2),
        "email_normalise_us": round(costs["email"], 2),
        "normalise_seconds": round(normalise, 2),
        "postgres_rows_per_s": None,
        "sqlite_rows_per_s": None,
    }
    for item in runs:
        prefix = item.database
        out[f"{prefix}_rows_per_s"] = round(item.rows_per_s, 1)
        out[f"{prefix}_seconds"] = round(item.seconds, 2)
        out[f"{prefix}_baseline_rows_per_s"] = round(item.baseline_rows_per_s, 1)
        out[f"{prefix}_baseline_rows"] = item.baseline_rows
        out[f"{prefix}_ratio_vs_baseline"] = round(item.rows_per_s / item.baseline_rows_per_s, 3)
        out[f"{prefix}_storage_floor_rows_per_s"] = round(item.floor_rows_per_s, 1)
        out[f"{prefix}_import_share_of_floor_ratio"] = round(
            item.rows_per_s / item.floor_rows_per_s, 3
        )
        out[f"{prefix}_rerun_rows_per_s"] = round(item.rerun_rows / item.rerun_seconds, 1)
        for stage in STAGES:
            out[f"{prefix}_{stage}_seconds"] = round(item.stage(stage), 2)
            if prefix == "postgres":
                out[f"{stage}_seconds"] = round(item.stage(stage), 2)
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.import_customers", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows")
    parser.add_argument("--rows", type=int, help=f"rows in the file (default {FULL_ROWS:,})")
    parser.add_argument(
        "--batch-size", type=int, default=BATCH_SIZE, help="as the CLI: %(default)s"
    )
    parser.add_argument(
        "--workers", type=int, default=default_import_workers(), help="as the CLI: %(default)s"
    )
    parser.add_argument("--rerun-rows", type=int, default=RERUN_ROWS)
    parser.add_argument("--baseline-rows", type=int)
    parser.add_argument(
        "--postgres-admin-url",
        default=os.environ.get("RAPPORT_BENCH_POSTGRES_URL", ADMIN_URL),
        help="a server where the run may create and drop its own database",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    rows: int = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    args.baseline_rows = args.baseline_rows or min(rows, BASELINE_ROWS)
    args.rerun_rows = min(args.rerun_rows, rows // 2)
    if flags := python_flags():
        console.print(f"[yellow]warning: the interpreter runs with {flags}; figures will be low")
    with tempfile.TemporaryDirectory(prefix="rapport-bench-import-") as name:
        directory = Path(name)
        console.print(f"writing a {rows:,}-row customer file")
        file = write_customer_file(directory / "customers.csv", rows)
        costs = normalise_costs(file)
        values = count_values(file)
        runs = [
            result
            for kind in ("sqlite", *(() if args.skip_postgres else ("postgres",)))
            if (result := run(kind, file, directory, args)) is not None
        ]
    console.print(render(runs, file, args.workers))
    path = write_results(NAME, results(runs, file, costs, values, args))
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
