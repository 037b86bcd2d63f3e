"""Shared pieces of the benchmarks: throwaway databases, statistics, results and output."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from adapters.graphql.limits import ApiLimits
from application.limits import BucketPolicy
from bootstrap import Container, Settings, build_container, migrate

RESULTS_DIR = Path(__file__).resolve().parent / "results"

ResultValue = str | int | float | bool | None
Results = dict[str, ResultValue]

# Piped output (CI logs, files) would otherwise wrap at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 120)


@contextmanager
def temporary_container(label: str) -> Iterator[Container]:
    """A container over a fresh, migrated SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix=f"rapport-bench-{label}-") as directory:
        database = Path(directory) / "bench.db"
        settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{database}"})
        container = build_container(settings)
        migrate(container, settings)
        try:
            yield container
        finally:
            container.close()


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def median_ms(seconds: Sequence[float]) -> float:
    return statistics.median(seconds) * 1000.0


def p95_ms(seconds: Sequence[float]) -> float:
    if len(seconds) < 2:
        return seconds[0] * 1000.0
    return statistics.quantiles(seconds, n=100, method="inclusive")[94] * 1000.0


def run_metadata(*, n: int, quick: bool) -> Results:
    """Keys that say what ran where; every results file has them."""
    return {
        "n": n,
        "mode": "quick" if quick else "full",
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite_version": sqlite3.sqlite_version,
        "sqlalchemy_version": metadata.version("sqlalchemy"),
        "strawberry_version": metadata.version("strawberry-graphql"),
        "starlette_version": metadata.version("starlette"),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "run_at_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_results(name: str, results: Mapping[str, ResultValue]) -> Path:
    """Write flat results to ``bench/results/<name>.json`` and return the path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(dict(results), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def python_flags() -> str:
    """A reminder in the output when the interpreter runs in a slower mode."""
    notes = []
    if sys.flags.dev_mode:
        notes.append("dev mode")
    if sys.gettrace() is not None:
        notes.append("tracing")
    return ", ".join(notes)


NEVER_EMPTY = BucketPolicy(capacity=1e12, refill_per_second=1e12)
BENCH_LIMITS = ApiLimits(cost_budget=NEVER_EMPTY, key_rate=NEVER_EMPTY, ip_rate=NEVER_EMPTY)
"""Every limit checked, with buckets too large to refuse: a benchmark sends faster than any
client may."""
