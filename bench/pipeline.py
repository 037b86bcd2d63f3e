"""Sales analytics at volume: the funnel and the forecast over a million opportunities.

    python -m bench.pipeline                        # 1,000,000 opportunities, SQLite and PostgreSQL
    python -m bench.pipeline --opportunities 50000  # a quick run
    python -m bench.pipeline --skip-postgres

Each database gets the same generated deals (fixed seed): one to four stays in stages each,
a third of them closed (won or lost), amounts in USD and EUR, forty owners, close dates
over two years. They are bulk-loaded past the use cases (COPY on PostgreSQL, one prepared
INSERT on SQLite) and the tables analysed; then ``SalesAnalytics.funnel`` (a year's window)
and ``SalesAnalytics.forecast`` (by month; by quarter and owner) run as the API runs them,
several times each. The baseline, in the same run on the same data, is the plainest query
over the same rows: ``count(*)`` of the pipeline's deals. The funnel's count for the first
stage is checked against what was generated.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from attrs import define
from rich.table import Table
from sqlalchemy import Engine, func, select, text

from adapters.persistence.bulk import insert_rows, stored_datetime, stored_json
from adapters.persistence.mapping import CUSTOMER_COLUMNS, customer_values
from adapters.persistence.tables import customers, opportunities, opportunity_stage_entries
from application.pipeline.analytics import ForecastGrouping, Period
from application.pipeline.bundle import Sales
from application.principal import Principal
from bench._support import (
    Results,
    console,
    median_ms,
    p95_ms,
    progress_bar,
    python_flags,
    run_metadata,
    write_results,
)
from bench.import_customers import ADMIN_URL, database_url
from bootstrap import Container, Settings, build_container, migrate
from domain.custom_fields import CustomFieldSchema
from domain.customers import Customer
from domain.pipeline import default_pipeline

NAME = "pipeline"
FULL = 1_000_000
CUSTOMERS = 1_000
OWNERS = [f"rep-{n:02d}" for n in range(40)]
CHUNK = 50_000
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_DAYS = 730
WINDOW = (datetime(2025, 7, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
SYSTEM = Principal.system()
PIPELINE = default_pipeline()
OPPORTUNITY_COLUMNS = tuple(column.name for column in opportunities.columns)
ENTRY_COLUMNS = tuple(column.name for column in opportunity_stage_entries.columns)


@define
class Generated:
    opportunities: int = 0
    entries: int = 0
    first_stage_in_window: int = 0


def _customers(container: Container, dialect: str) -> list[str]:
    now = START
    made = [
        Customer.register(
            id=str(uuid.UUID(int=n + 1)),
            first_name="Bench",
            last_name=f"Customer {n}",
            email=None,
            phone=None,
            custom_fields={},
            schema=CustomFieldSchema(()),
            owner_id="system",
            at=now,
            by="system",
        )
        for n in range(CUSTOMERS)
    ]
    with container.database().sessions() as session:
        insert_rows(
            session, customers, CUSTOMER_COLUMNS, (customer_values(c, dialect) for c in made)
        )
        session.commit()
    return [c.id for c in made]


def _deals(
    count: int, customer_ids: Sequence[str], dialect: str, seed: int, tally: Generated
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Rows of opportunities and their stage stays, ``CHUNK`` deals at a time."""
    rng = random.Random(seed)
    stages = PIPELINE.stages

    def when(moment: datetime | None) -> Any:
        return stored_datetime(moment, dialect)

    as_date: Callable[[date | None], Any] = (
        (lambda d: d.isoformat() if d else None) if dialect == "sqlite" else (lambda d: d)
    )
    deals: list[tuple[Any, ...]] = []
    stays: list[tuple[Any, ...]] = []
    for n in range(count):
        deal_id = f"o{n:09d}"
        created = START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86_400))
        currency = "USD" if rng.random() < 0.8 else "EUR"
        amount = rng.randrange(50_00, 50_000_00)
        close = (created + timedelta(days=rng.randrange(15, 240))).date()
        start = 0 if rng.random() < 0.9 else 1
        reached = min(len(stages), start + rng.choice((1, 1, 2, 2, 3, 4)))
        moment = created
        for position in range(start, reached):
            entered = moment
            moment = moment + timedelta(hours=rng.randrange(12, 24 * 30))
            left = moment if position < reached - 1 else None
            stays.append(
                (
                    f"{deal_id}-{position}", deal_id, PIPELINE.id, stages[position].id,
                    when(entered), when(left), int((left - entered).total_seconds()) if left else None,
                    True, amount, currency, "system",
                )
            )  # fmt: skip
        if start == 0 and WINDOW[0] <= created < WINDOW[1]:
            tally.first_stage_in_window += 1
        outcome = rng.random()
        status = "open" if outcome < 0.65 else ("won" if outcome < 0.85 else "lost")
        closed = moment + timedelta(days=rng.randrange(1, 20)) if status != "open" else None
        if closed is not None and stays[-1][5] is None:
            last = stays[-1]
            seconds = int((closed - moment).total_seconds())
            stays[-1] = (*last[:5], when(closed), seconds, *last[7:])
        row = {
            "id": deal_id,
            "pipeline_id": PIPELINE.id,
            "stage_id": stages[reached - 1].id,
            "name": f"Deal {n}",
            "customer_id": customer_ids[n % len(customer_ids)],
            "company_id": None,
            "owner_id": OWNERS[n % len(OWNERS)],
            "currency": currency,
            "amount_minor": amount,
            "expected_close_date": as_date(close),
            "close_month": as_date(close.replace(day=1)),
            "next_step": "",
            "line_items": stored_json([]),
            "status": status,
            "close_reason": "bench" if closed else None,
            "closed_at": when(closed),
            "cycle_seconds": int((closed - created).total_seconds()) if closed else None,
            "created_at": when(created),
            "updated_at": when(closed or moment),
            "last_activity_at": when(closed or moment),
            "version": 1,
        }
        deals.append(tuple(row[name] for name in OPPORTUNITY_COLUMNS))
        tally.opportunities += 1
        if len(deals) == CHUNK:
            tally.entries += len(stays)
            yield deals, stays
            deals, stays = [], []
    if deals:
        tally.entries += len(stays)
        yield deals, stays


def load(container: Container, count: int, seed: int) -> tuple[Generated, float]:
    engine: Engine = container.database().writer
    dialect = engine.dialect.name
    customer_ids = _customers(container, dialect)
    tally = Generated()
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(f"loading {dialect}", total=count)
        for deals, stays in _deals(count, customer_ids, dialect, seed, tally):
            with container.database().sessions() as session:
                insert_rows(session, opportunities, OPPORTUNITY_COLUMNS, deals)
                insert_rows(session, opportunity_stage_entries, ENTRY_COLUMNS, stays)
                session.commit()
            bar.advance(task, len(deals))
    # Steady state, as autovacuum leaves a table: statistics, and on PostgreSQL a visibility
    # map, without which its covering indexes cannot answer alone.
    statement = "VACUUM ANALYZE" if dialect == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))
    return tally, time.perf_counter() - started


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    action()  # warm the caches and the plans
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds


def measure(kind: str, url: str, count: int, args: argparse.Namespace) -> Results:
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": url})
    container = build_container(settings)
    migrate(container, settings)
    try:
        tally, load_seconds = load(container, count, args.seed)
        analytics = container.use(Sales).analytics
        engine = container.database().reader

        def baseline() -> object:
            query = select(func.count()).where(opportunities.c.pipeline_id == PIPELINE.id)
            with engine.connect() as connection:
                return connection.execute(query).scalar_one()

        funnel = analytics.funnel(SYSTEM, PIPELINE.id, *WINDOW)
        if funnel.stages[0].entered != tally.first_stage_in_window:
            raise SystemExit(
                f"{kind}: the funnel counts {funnel.stages[0].entered:,} first-stage entries,"
                f" {tally.first_stage_in_window:,} were generated"
            )
        samples = {
            "baseline_count": timed(baseline, args.repeats),
            "funnel": timed(lambda: analytics.funnel(SYSTEM, PIPELINE.id, *WINDOW), args.repeats),
            "forecast": timed(
                lambda: analytics.forecast(SYSTEM, PIPELINE.id, Period.MONTH), args.repeats
            ),
            "forecast_by_owner": timed(
                lambda: analytics.forecast(
                    SYSTEM, PIPELINE.id, Period.QUARTER, ForecastGrouping.OWNER
                ),
                args.repeats,
            ),
        }
    finally:
        container.close()
    base = median_ms(samples["baseline_count"])
    results: Results = {
        f"{kind}_opportunities": tally.opportunities,
        f"{kind}_stage_entries": tally.entries,
        f"{kind}_load_seconds": round(load_seconds, 1),
        f"{kind}_load_opportunities_per_s": round(tally.opportunities / load_seconds),
        f"{kind}_funnel_first_stage_entered": funnel.stages[0].entered,
    }
    for name, seconds in samples.items():
        results[f"{kind}_{name}_median_ms"] = round(median_ms(seconds), 2)
        results[f"{kind}_{name}_p95_ms"] = round(p95_ms(seconds), 2)
        results[f"{kind}_{name}_ratio_to_baseline"] = round(median_ms(seconds) / base, 2)
    return results


def show(results: Results, kinds: Sequence[str]) -> None:
    table = Table(title=f"Sales analytics over {results['n']:,} opportunities")
    for heading in ("database", "query", "median ms", "p95 ms", "ratio to baseline"):
        table.add_column(heading, justify="left" if heading in ("database", "query") else "right")
    labels = {
        "baseline_count": "count(*) of the pipeline's deals (baseline)",
        "funnel": "salesFunnel, one year",
        "forecast": "salesForecast by month",
        "forecast_by_owner": "salesForecast by quarter and owner",
    }
    for kind in kinds:
        for name, label in labels.items():
            table.add_row(
                "SQLite" if kind == "sqlite" else "PostgreSQL",
                label,
                f"{results[f'{kind}_{name}_median_ms']:,.1f}",
                f"{results[f'{kind}_{name}_p95_ms']:,.1f}",
                f"{results[f'{kind}_{name}_ratio_to_baseline']:.2f}",
            )
        console.print(
            f"{kind}: loaded {results[f'{kind}_opportunities']:,} deals and"
            f" {results[f'{kind}_stage_entries']:,} stays in {results[f'{kind}_load_seconds']} s"
        )
    console.print(table)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--opportunities", type=int, default=FULL, help=f"default {FULL:,}")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--postgres-admin-url", default=os.environ.get("RAPPORT_BENCH_POSTGRES_URL", ADMIN_URL)
    )
    return parser.parse_args(argv)


@contextmanager
def _directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rapport-bench-pipeline-") as directory:
        yield Path(directory)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    count: int = args.opportunities
    results: Results = {**run_metadata(n=count, quick=count < FULL), "baseline": "count(*)"}
    if flags := python_flags():
        console.print(f"[yellow]Python runs with {flags}: figures will be slower.")
    kinds = []
    with _directory() as directory:
        for kind in ("sqlite", *(() if args.skip_postgres else ("postgres",))):
            with database_url(kind, directory, args.postgres_admin_url) as url:
                if url is None:
                    continue
                results.update(measure(kind, url, count, args))
                kinds.append(kind)
    show(results, kinds)
    console.print(f"results: {write_results(NAME, results)}")


if __name__ == "__main__":
    main()
