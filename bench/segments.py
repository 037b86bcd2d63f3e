"""Segments: one 6-predicate rule over synthetic customers, on NumPy, PostgreSQL and SQLite.

    python -m bench.segments                     # 1,000,000 customers
    python -m bench.segments --customers 50000   # a quick run

Builds customers with tags, lifecycle stages, orders over two years and 30 days of
behaviour events, loads them into a fresh SQLite file and a fresh PostgreSQL schema (with
the indexes Rapport ships), builds the NumPy snapshot from the SQLite tables, and times how
many customers meet the rule on each evaluator (the three must agree). The named baseline
is a plain NumPy pass of four clauses over narrow columns of the same length: the floor
for any columnar evaluator. Also timed: re-checking one changed customer against 100
dynamic segments, as the live re-check after a change does.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen
from rich.table import Table
from sqlalchemy import Engine, text

from adapters.persistence.database import open_database
from adapters.persistence.mapping import map_domain
from adapters.persistence.migrate import upgrade
from adapters.persistence.segment_facts import SqlSegmentFacts
from adapters.persistence.segment_rules import SqlSegmentEvaluator
from adapters.segments.numpy_engine import evaluate
from adapters.segments.single import PythonRuleMatcher
from adapters.segments.snapshot import Snapshot, build_snapshot
from application.segments.language import parse_rule
from bench._support import (
    Results,
    console,
    median_ms,
    progress_bar,
    python_flags,
    run_metadata,
    write_results,
)
from domain.segments.rules import MAX_EVENT_WINDOW_DAYS, Rule

NAME = "segments"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
RULE = (
    'tag("vip") and stage(acquisition) = "customer" and orders.sum(90d) > 20'
    ' and event("viewed_product", 30d) >= 3 and created_at more than 30d ago'
    ' and custom.plan in ("pro", "team")'
)
TAGS = {"vip": 0.25, "newsletter": 0.40, "wholesale": 0.05, "churn_risk": 0.08, "beta": 0.03}
STAGES = ("subscriber", "lead", "marketing_qualified_lead", "opportunity", "customer")
STAGE_WEIGHTS = (0.15, 0.2, 0.1, 0.05, 0.5)
PLANS = ("free", "pro", "team", "enterprise")
EVENTS = {"viewed_product": (0.35, 4), "added_to_cart": (0.10, 2)}
"""Share of customers who did the event in the last 30 days, and days each did it on."""
CHUNK = 50_000


@frozen
class Data:
    """The synthetic world as rows ready for the tables, columns as NumPy arrays."""

    today: date
    ids: npt.NDArray[np.str_]
    created: npt.NDArray[np.str_]
    plans: npt.NDArray[Any]
    tag_rows: list[tuple[str, str]]
    """(customer id, tag id)."""
    stage_rows: list[tuple[str, str, str, str]]
    event_rows: list[tuple[str, str, str, int]]
    order_rows: list[tuple[str, str, str, int]]
    """(order id, customer id, placed at, total in cents)."""

    @property
    def rows(self) -> int:
        return (
            len(self.ids)
            + len(self.tag_rows)
            + len(self.stage_rows)
            + len(self.event_rows)
            + len(self.order_rows)
        )


def _timestamps(base: datetime, seconds: npt.NDArray[np.int64]) -> npt.NDArray[np.str_]:
    moments = np.datetime64(base.replace(tzinfo=None), "us") + seconds.astype("timedelta64[s]")
    return np.char.replace(np.datetime_as_string(moments, unit="us"), "T", " ")


def generate(n: int, seed: int, today: date, advance: Callable[[int], None]) -> Data:
    rng = np.random.default_rng(seed)
    ids = np.array([f"c{i:07d}" for i in range(n)], dtype=np.str_)
    advance(n // 5)
    midnight = datetime.combine(today, datetime.min.time())
    three_years = 3 * 365 * 86_400
    created = _timestamps(midnight - timedelta(days=3 * 365), rng.integers(0, three_years, n))
    plans = np.array(
        [
            str(plan) if has else None
            for plan, has in zip(rng.choice(PLANS, n), rng.random(n) < 0.8, strict=True)
        ],
        dtype=object,
    )
    advance(n // 5)
    tag_rows: list[tuple[str, str]] = []
    for number, (_, share) in enumerate(TAGS.items()):
        chosen = ids[rng.random(n) < share]
        tag_rows += [(str(c), f"tag-{number}") for c in chosen]
    stages = rng.choice(STAGES, n, p=STAGE_WEIGHTS)
    entered = _timestamps(midnight - timedelta(days=400), rng.integers(0, 400 * 86_400, n))
    stage_rows = [
        (str(c), "acquisition", str(s), str(e))
        for c, s, e in zip(ids, stages, entered, strict=True)
    ]
    engaged = rng.random(n) < 0.5
    stage_rows += [
        (str(c), "engagement", "active", str(e))
        for c, e in zip(ids[engaged], entered[engaged], strict=True)
    ]
    advance(n // 5)
    event_rows: list[tuple[str, str, str, int]] = []
    days = [(today - timedelta(days=offset)).isoformat() for offset in range(30)]
    for name, (share, per_customer) in EVENTS.items():
        doers = ids[rng.random(n) < share]
        for customer_id in doers:
            for offset in rng.choice(30, per_customer, replace=False):
                event_rows.append((str(customer_id), name, days[offset], int(rng.integers(1, 4))))
    advance(n // 5)
    counts = rng.poisson(1.2, n)
    buyers = np.repeat(ids, counts)
    two_years = 2 * 365 * 86_400
    placed = _timestamps(
        midnight - timedelta(days=2 * 365), rng.integers(0, two_years, len(buyers))
    )
    totals = np.round(rng.lognormal(8.0, 1.0, len(buyers))).astype(np.int64)
    order_rows = [
        (f"o{i:08d}", str(c), str(p), int(t))
        for i, (c, p, t) in enumerate(zip(buyers, placed, totals, strict=True))
    ]
    advance(n - 4 * (n // 5))
    return Data(today, ids, created, plans, tag_rows, stage_rows, event_rows, order_rows)


# Loading: the same rows into SQLite (executemany) and PostgreSQL (COPY).

NOW = "2026-01-01 00:00:00.000000"


def _customer_rows(data: Data) -> Iterator[tuple[Any, ...]]:
    for i, (customer_id, created, plan) in enumerate(
        zip(data.ids, data.created, data.plans, strict=True)
    ):
        fields = "{}" if plan is None else f'{{"plan": "{plan}"}}'
        yield (
            str(customer_id),
            "Ada",
            f"Buyer {i}",
            f"user{i}@example.com",
            fields,
            "u",
            str(created),
            str(created),
            1,
            "",
            "",
        )


_TABLES: list[tuple[str, str]] = [
    (
        "customers",
        "id, first_name, last_name, email, custom_fields, owner_id, created_at, updated_at, version, sort_name, search_text",
    ),
    ("customer_tags", "customer_id, tag_id, tagged_at, tagged_by"),
    ("customer_stages", "customer_id, track, stage, entered_at"),
    ("event_daily_counts", "customer_id, name, day, occurrences"),
    (
        "orders",
        "id, customer_id, placed_at, status, currency, total_minor, refunded_minor, lines, created_at, updated_at, version",
    ),
]


def _table_rows(data: Data) -> list[tuple[str, str, Callable[[], Iterator[tuple[Any, ...]]]]]:
    return [
        ("customers", _TABLES[0][1], lambda: _customer_rows(data)),
        ("customer_tags", _TABLES[1][1], lambda: ((c, t, NOW, "u") for c, t in data.tag_rows)),
        ("customer_stages", _TABLES[2][1], lambda: iter(data.stage_rows)),
        ("event_daily_counts", _TABLES[3][1], lambda: iter(data.event_rows)),
        (
            "orders",
            _TABLES[4][1],
            lambda: (
                (o, c, p, "paid", "USD", t, 0, "[]", NOW, NOW, 1) for o, c, p, t in data.order_rows
            ),
        ),
    ]


def _seed_catalogue(connection: Any, data: Data) -> None:
    for number, name in enumerate(TAGS):
        connection.execute(
            text(
                "INSERT INTO tags (id, name, name_key, colour, category, description, created_at, created_by)"
                " VALUES (:id, :name, :name, '#000000', 'static', '', :at, 'u')"
            ),
            {"id": f"tag-{number}", "name": name, "at": datetime(2026, 1, 1, tzinfo=UTC)},
        )
    connection.execute(
        text(
            "INSERT INTO custom_field_definitions (id, object_type, key, label, field_type, choices,"
            " required, \"unique\", created_at) VALUES ('f-plan', 'customer', 'plan', 'Plan', 'text',"
            " '[]', false, false, :at)"
        ),
        {"at": datetime(2026, 1, 1, tzinfo=UTC)},
    )


def load_sqlite(engine: Engine, data: Data, advance: Callable[[int], None]) -> None:
    with engine.begin() as connection:
        _seed_catalogue(connection, data)
        raw = connection.connection.driver_connection
        assert raw is not None
        for table, columns, rows in _table_rows(data):
            marks = ", ".join("?" for _ in columns.split(","))
            statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            batch: list[tuple[Any, ...]] = []
            for row in rows():
                batch.append(row)
                if len(batch) == CHUNK:
                    raw.executemany(statement, batch)
                    advance(len(batch))
                    batch = []
            raw.executemany(statement, batch)
            advance(len(batch))
        connection.execute(text("ANALYZE"))


def load_postgres(engine: Engine, data: Data, advance: Callable[[int], None]) -> None:
    with engine.begin() as connection:
        _seed_catalogue(connection, data)
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            for table, columns, rows in _table_rows(data):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    written = 0
                    for row in rows():
                        copy.write_row(row)
                        written += 1
                        if written == CHUNK:
                            advance(written)
                            written = 0
                    advance(written)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


@contextmanager
def postgres_schema() -> Iterator[Engine | None]:
    schema = f"rapport_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = open_database(POSTGRES_URL, pool_size=1, max_overflow=0)
        with admin.writer.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        console.print(f"[yellow]PostgreSQL not reachable at {POSTGRES_URL}: {error}")
        yield None
        return
    database = open_database(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        upgrade(database.writer)
        yield database.writer
    finally:
        database.dispose()
        with admin.writer.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# Timing.


def timed(run: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    result: object = None
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        durations.append(time.perf_counter() - started)
    return durations, result


def baseline_pass(n: int, seed: int, repeats: int) -> list[float]:
    """Four simple clauses over narrow columns: what any columnar pass costs at least."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, n, dtype=np.int8)
    b = rng.integers(0, 1000, n, dtype=np.int16)
    c = rng.integers(0, 100, n, dtype=np.int8)
    d = rng.random(n) < 0.3
    durations, _ = timed(
        lambda: int(np.count_nonzero((a == 3) & (b > 100) & (c < 50) & d)), repeats
    )
    return durations


def recheck_rules(seed: int, count: int = 100) -> dict[str, Rule]:
    """Varied dynamic segments: thresholds, tags, stages and windows differ from rule to rule."""
    rng = np.random.default_rng(seed)
    rules = {}
    for number in range(count):
        tag = list(TAGS)[number % len(TAGS)]
        stage = STAGES[int(rng.integers(0, len(STAGES)))]
        rules[f"segment-{number}"] = parse_rule(
            f'tag("{tag}") and stage(acquisition) = "{stage}"'
            f" and orders.sum({int(rng.integers(30, 365))}d) > {int(rng.integers(10, 500))}"
            f' and event("viewed_product", {int(rng.integers(7, 30))}d) >= {int(rng.integers(1, 5))}'
            f" and created_at more than {int(rng.integers(1, 90))}d ago"
            f' and custom.plan in ("pro", "team")'
        )
    return rules


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.segments", description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=25, help="NumPy and baseline runs")
    parser.add_argument("--sql-repeats", type=int, default=5, help="runs on each database")
    args = parser.parse_args(argv)
    if flags := python_flags():
        console.print(f"[yellow]warning: the interpreter runs with {flags}; figures will be low")
    n = args.customers
    today = datetime.now(UTC).date()
    map_domain()
    rule = parse_rule(RULE)
    out: Results = run_metadata(n=n, quick=n < 1_000_000)

    with (
        tempfile.TemporaryDirectory(prefix="rapport-bench-segments-") as directory,
        postgres_schema() as postgres,
    ):
        sqlite = open_database(f"sqlite:///{Path(directory) / 'bench.db'}")
        upgrade(sqlite.writer)
        with progress_bar() as progress:
            task = progress.add_task("generating customers", total=n)
            data = generate(n, args.seed, today, lambda k: progress.advance(task, k))
            task = progress.add_task("loading SQLite", total=data.rows)
            started = time.perf_counter()
            load_sqlite(sqlite.writer, data, lambda k: progress.advance(task, k))
            out["sqlite_load_s"] = round(time.perf_counter() - started, 1)
            if postgres is not None:
                task = progress.add_task("loading PostgreSQL", total=data.rows)
                started = time.perf_counter()
                load_postgres(postgres, data, lambda k: progress.advance(task, k))
                out["postgres_load_s"] = round(time.perf_counter() - started, 1)
            task = progress.add_task("building the NumPy snapshot", total=6)
            started = time.perf_counter()
            facts = SqlSegmentFacts(sqlite.reader).facts(
                currency="USD", events_since=today - timedelta(days=MAX_EVENT_WINDOW_DAYS)
            )
            read_s = time.perf_counter() - started
            snapshot: Snapshot = build_snapshot(
                facts, currency="USD", progress=lambda step, rows: progress.advance(task, 1)
            )
            build_s = time.perf_counter() - started
        del facts
        out["customers"] = n
        out["rows_total"] = data.rows
        out["orders"] = len(data.order_rows)
        out["event_daily_counts"] = len(data.event_rows)
        out["snapshot_build_s"] = round(build_s, 2)
        out["snapshot_read_facts_s"] = round(read_s, 2)
        out["snapshot_bytes_per_customer"] = round(snapshot.nbytes() / n, 1)

        baseline = baseline_pass(n, args.seed, args.repeats)
        numpy_runs, numpy_count = timed(
            lambda: int(np.count_nonzero(evaluate(snapshot, rule, today))), args.repeats
        )
        sqlite_runs, sqlite_count = timed(
            lambda: SqlSegmentEvaluator(sqlite.reader).count(rule, today), args.sql_repeats
        )
        postgres_runs: list[float] = []
        if postgres is not None:
            postgres_runs, postgres_count = timed(
                lambda: SqlSegmentEvaluator(postgres).count(rule, today), args.sql_repeats
            )
            assert postgres_count == numpy_count, (postgres_count, numpy_count)
        assert sqlite_count == numpy_count, (sqlite_count, numpy_count)
        out["members"] = int(numpy_count)  # type: ignore[call-overload]

        matcher = PythonRuleMatcher()
        segments = recheck_rules(args.seed)
        changed = str(data.ids[n // 2])
        read_runs, one = timed(
            lambda: SqlSegmentFacts(sqlite.reader).facts(
                currency="USD",
                events_since=today - timedelta(days=MAX_EVENT_WINDOW_DAYS),
                customer_ids=[changed],
            ),
            20,
        )
        matcher.matching(segments, one, today)  # type: ignore[arg-type]
        recheck_runs, _ = timed(lambda: matcher.matching(segments, one, today), 200)  # type: ignore[arg-type]
        sqlite.dispose()

    numpy_ms, baseline_ms = median_ms(numpy_runs), median_ms(baseline)
    sqlite_ms = median_ms(sqlite_runs)
    out["rule"] = RULE
    out["baseline_plain_numpy_4_clauses_median_ms"] = round(baseline_ms, 3)
    out["numpy_median_ms"] = round(numpy_ms, 3)
    out["numpy_min_ms"] = round(min(numpy_runs) * 1000, 3)
    out["sqlite_median_ms"] = round(sqlite_ms, 1)
    out["ratio_numpy_vs_baseline"] = round(numpy_ms / baseline_ms, 2)
    out["ratio_sqlite_vs_numpy"] = round(sqlite_ms / numpy_ms, 1)
    if postgres_runs:
        postgres_ms = median_ms(postgres_runs)
        out["postgres_median_ms"] = round(postgres_ms, 1)
        out["ratio_postgres_vs_numpy"] = round(postgres_ms / numpy_ms, 1)
    else:
        out["postgres_median_ms"] = None
    out["recheck_one_customer_100_segments_ms"] = round(median_ms(recheck_runs), 3)
    out["recheck_read_one_customer_facts_ms"] = round(median_ms(read_runs), 2)

    table = Table(
        title=f"Segments: one 6-predicate rule over {n:,} customers ({numpy_count:,} match)"
    )
    table.add_column("evaluator")
    table.add_column("median ms", justify="right")
    table.add_column("vs baseline", justify="right")
    rows = [
        ("plain NumPy, 4 narrow clauses (baseline)", baseline_ms),
        ("NumPy snapshot", numpy_ms),
        ("PostgreSQL, one query", median_ms(postgres_runs) if postgres_runs else None),
        ("SQLite, one query", sqlite_ms),
    ]
    for label, ms in rows:
        if ms is None:
            table.add_row(label, "n/a", "n/a")
        else:
            table.add_row(label, f"{ms:,.2f}", f"{ms / baseline_ms:,.1f}x")
    console.print(table)
    console.print(
        f"snapshot: built in {build_s:.1f} s (reading the tables {read_s:.1f} s), "
        f"{snapshot.nbytes() / n:.0f} bytes per customer; "
        f"re-checking one customer against 100 segments: {median_ms(recheck_runs):.3f} ms "
        f"(+ {median_ms(read_runs):.2f} ms to read its facts)"
    )
    if postgres_runs:
        console.print(
            f"NumPy is {out['ratio_postgres_vs_numpy']}x faster than PostgreSQL, {out['ratio_sqlite_vs_numpy']}x than SQLite"
        )
    path = write_results(NAME, out)
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
