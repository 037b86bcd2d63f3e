"""Creating customers: one at a time through ``CreateCustomer`` against the bulk path.

    python -m bench.create_customers            # 100,000 rows each way
    python -m bench.create_customers --quick    # 2,000 rows, a smoke test

The one-at-a-time path is the baseline. Both paths start from a fresh SQLite database and
take the same pre-generated demo rows, so generating the rows is never timed. When the
one-at-a-time path would take longer than ``--budget-s`` for all rows (projected from its
first ``--sample`` rows), it stops after the sample and the output says so.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from attrs import frozen
from rich.table import Table

from adapters.demo.companies import DEMO_FIELDS
from adapters.demo.customers import demo_customers
from application.custom_fields.bundle import CustomFields
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.customers.views import CustomerFilter
from application.principal import Principal
from bench._support import (
    Results,
    console,
    median_ms,
    p95_ms,
    progress_bar,
    python_flags,
    run_metadata,
    temporary_container,
    write_results,
)
from bootstrap import Container
from domain.custom_fields import ObjectType

NAME = "create_customers"
FULL_ROWS = 100_000
QUICK_ROWS = 2_000
BATCH_SIZE = 1_000
USE_CASE_SAMPLE = 10_000
USE_CASE_BUDGET_S = 180.0
PROGRESS_EVERY = 250


@frozen
class Timing:
    rows: int
    seconds: float
    call_seconds: tuple[float, ...]
    """One entry per call: per row for the use case, per batch for the bulk path."""
    call_rows: tuple[int, ...]
    rows_in_database: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    def tenth_rows_per_s(self, *, last: bool) -> float:
        """Rows/s over the first (or last) tenth of the calls: does a growing table slow it?"""
        tenth = max(1, len(self.call_seconds) // 10)
        part = slice(-tenth, None) if last else slice(0, tenth)
        return sum(self.call_rows[part]) / sum(self.call_seconds[part])


def generate_rows(count: int) -> list[NewCustomer]:
    rows: list[NewCustomer] = []
    with progress_bar() as progress:
        task = progress.add_task("generating demo rows", total=count)
        for row in demo_customers(count, owner_ids=[]):
            rows.append(row)
            if len(rows) % PROGRESS_EVERY == 0:
                progress.advance(task, PROGRESS_EVERY)
    return rows


def define_demo_fields(container: Container) -> None:
    """The customer fields that the demo rows fill in, defined before anything is timed."""
    define = container.use(CustomFields).define
    for field in DEMO_FIELDS:
        if field.object_type is ObjectType.CUSTOMER:
            define(Principal.system(), field)


def time_use_case(rows: Sequence[NewCustomer], *, sample: int, budget_s: float) -> Timing:
    """One ``CreateCustomer`` call per row; stops after ``sample`` rows if all would be slow."""
    principal = Principal.system()
    with temporary_container("use-case") as container:
        define_demo_fields(container)
        create = container.use(Customers).create
        durations: list[float] = []
        clock = time.perf_counter
        with progress_bar() as progress:
            task = progress.add_task("CreateCustomer, one at a time", total=len(rows))
            started = clock()
            for index, row in enumerate(rows):
                if index == sample and len(rows) > sample:
                    projected = (clock() - started) / sample * len(rows)
                    if projected > budget_s:
                        console.print(
                            f"[yellow]all {len(rows):,} rows would take ~{projected:.0f} s "
                            f"(> {budget_s:.0f} s): timing a {sample:,}-row sample instead"
                        )
                        break
                before = clock()
                create(principal, row)
                durations.append(clock() - before)
                if (index + 1) % PROGRESS_EVERY == 0:
                    progress.advance(task, PROGRESS_EVERY)
            elapsed = clock() - started
        stored = container.use(Customers).list.count(principal, CustomerFilter())
    if stored != len(durations):
        raise SystemExit(f"use case stored {stored} customers, expected {len(durations)}")
    return Timing(len(durations), elapsed, tuple(durations), (1,) * len(durations), stored)


def time_bulk(rows: Sequence[NewCustomer], *, batch_size: int) -> Timing:
    """``CreateCustomersInBulk`` over consecutive batches of ``batch_size`` rows."""
    principal = Principal.system()
    with temporary_container("bulk") as container:
        define_demo_fields(container)
        create_in_bulk = container.use(Customers).create_in_bulk
        durations: list[float] = []
        sizes: list[int] = []
        clock = time.perf_counter
        with progress_bar() as progress:
            task = progress.add_task(f"bulk, batches of {batch_size:,}", total=len(rows))
            started = clock()
            for first in range(0, len(rows), batch_size):
                batch = rows[first : first + batch_size]
                before = clock()
                result = create_in_bulk(principal, batch, first_row=first)
                durations.append(clock() - before)
                sizes.append(len(batch))
                if result.created != len(batch) or result.problems:
                    raise SystemExit(f"bulk batch at row {first} refused rows: {result.problems}")
                progress.advance(task, len(batch))
            elapsed = clock() - started
        stored = container.use(Customers).list.count(principal, CustomerFilter())
    if stored != len(rows):
        raise SystemExit(f"bulk path stored {stored} customers, expected {len(rows)}")
    return Timing(len(rows), elapsed, tuple(durations), tuple(sizes), stored)


def _trend(timing: Timing) -> str:
    first, last = timing.tenth_rows_per_s(last=False), timing.tenth_rows_per_s(last=True)
    return f"{first:,.0f} → {last:,.0f}"


def render(use_case: Timing, bulk: Timing, *, n: int, batch_size: int) -> Table:
    sampled = use_case.rows < n
    ratio = bulk.rows_per_s / use_case.rows_per_s
    table = Table(title=f"Creating customers on SQLite ({n:,} rows requested)")
    table.add_column("Path")
    table.add_column("Rows", justify="right")
    table.add_column("Seconds", justify="right")
    table.add_column("Rows/s", justify="right")
    table.add_column("Median ms", justify="right")
    table.add_column("p95 ms", justify="right")
    table.add_column("Rows/s first→last 10%", justify="right")
    table.add_column("Ratio", justify="right")
    table.add_row(
        "use case, 1 row/call (baseline)" + (" [yellow]SAMPLE[/]" if sampled else ""),
        f"{use_case.rows:,}",
        f"{use_case.seconds:.2f}",
        f"{use_case.rows_per_s:,.0f}",
        f"{median_ms(use_case.call_seconds):.3f}",
        f"{p95_ms(use_case.call_seconds):.3f}",
        _trend(use_case),
        "1.00x",
    )
    table.add_row(
        f"bulk, {batch_size:,} rows/call",
        f"{bulk.rows:,}",
        f"{bulk.seconds:.2f}",
        f"{bulk.rows_per_s:,.0f}",
        f"{median_ms(bulk.call_seconds):.1f}",
        f"{p95_ms(bulk.call_seconds):.1f}",
        _trend(bulk),
        f"[bold]{ratio:.1f}x[/]",
    )
    caption = (
        "ms are per call: one row for the use case, one batch for bulk\n"
        "ratio = bulk rows/s ÷ use case rows/s; each path on its own fresh database"
    )
    if sampled:
        caption += (
            f"\none-at-a-time timed on a {use_case.rows:,}-row sample "
            "(a smaller table than the bulk run fills)"
        )
    table.caption = caption
    return table


def results(use_case: Timing, bulk: Timing, *, n: int, batch_size: int, quick: bool) -> Results:
    return {
        **run_metadata(n=n, quick=quick),
        "batch_size_rows": batch_size,
        "use_case_rows_per_s": round(use_case.rows_per_s, 1),
        "use_case_seconds": round(use_case.seconds, 3),
        "use_case_sample_rows": use_case.rows,
        "use_case_sampled": use_case.rows < n,
        "use_case_median_ms": round(median_ms(use_case.call_seconds), 4),
        "use_case_p95_ms": round(p95_ms(use_case.call_seconds), 4),
        "use_case_first_tenth_rows_per_s": round(use_case.tenth_rows_per_s(last=False), 1),
        "use_case_last_tenth_rows_per_s": round(use_case.tenth_rows_per_s(last=True), 1),
        "bulk_rows": bulk.rows,
        "bulk_rows_per_s": round(bulk.rows_per_s, 1),
        "bulk_seconds": round(bulk.seconds, 3),
        "bulk_batch_median_ms": round(median_ms(bulk.call_seconds), 3),
        "bulk_batch_p95_ms": round(p95_ms(bulk.call_seconds), 3),
        "bulk_first_tenth_rows_per_s": round(bulk.tenth_rows_per_s(last=False), 1),
        "bulk_last_tenth_rows_per_s": round(bulk.tenth_rows_per_s(last=True), 1),
        "ratio_bulk_vs_use_case": round(bulk.rows_per_s / use_case.rows_per_s, 2),
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.create_customers", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows, no sampling")
    parser.add_argument("--rows", type=int, help=f"rows per path (default {FULL_ROWS:,})")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument(
        "--sample",
        type=int,
        default=USE_CASE_SAMPLE,
        help="one-at-a-time rows timed before deciding whether to go on (default %(default)s)",
    )
    parser.add_argument(
        "--budget-s",
        type=float,
        default=USE_CASE_BUDGET_S,
        help="longest projected one-at-a-time run before sampling (default %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    n: int = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    if flags := python_flags():
        console.print(f"[yellow]warning: the interpreter runs with {flags}; figures will be low")
    rows = generate_rows(n)
    use_case = time_use_case(rows, sample=min(args.sample, n), budget_s=args.budget_s)
    bulk = time_bulk(rows, batch_size=args.batch_size)
    console.print(render(use_case, bulk, n=n, batch_size=args.batch_size))
    path = write_results(
        NAME, results(use_case, bulk, n=n, batch_size=args.batch_size, quick=args.quick)
    )
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
