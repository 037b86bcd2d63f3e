"""Tracking events: batches of 500 against one event per call, through the use case and GraphQL.

    python -m bench.track_events            # 100,000 events in batches, 5,000 one at a time
    python -m bench.track_events --quick    # a smoke test

One ``TrackEvents`` call per event is the baseline; every path's events/s is shown as a
ratio to it. The GraphQL paths run the ``trackEvents`` mutation through the whole ASGI app
in process (bearer key, JSON, schema), one request at a time, so their figures are
single-core and free of any socket. Each path starts from a fresh SQLite database holding
the same customers and takes the same pre-generated events, so generating them is never
timed; afterwards the stored events and daily counts are checked against what was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from attrs import frozen
from rich.table import Table
from sqlalchemy import func, select

from adapters.graphql.app import create_app
from adapters.graphql.relay import to_global_id
from adapters.persistence.tables import event_daily_counts, tracked_events
from application.access.bundle import Access
from application.behaviour.bundle import Behaviour
from application.behaviour.tracking import IncomingEvent
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.customers.views import CustomerFilter, CustomerOrder
from application.pagination import PageRequest
from application.principal import Principal
from bench._support import (
    BENCH_LIMITS,
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
from bench.graphql_latency import AsgiRequest, call, graphql_request
from bootstrap import Container
from domain.access.roles import Role

NAME = "track_events"
BATCH_SIZE = 500
CUSTOMERS = 1_000
NAMES = ("Signed In", "Viewed Page", "Added to Cart", "Checked Out", "Opened Email")
PAGES = ("/", "/pricing", "/docs", "/blog/launch", "/signup")
TRACK = """
mutation Track($input: TrackEventsInput!) {
  trackEvents(input: $input) { accepted duplicates userErrors { index field code } }
}"""


@frozen
class Sizes:
    batched: int
    """Events sent in batches, through the use case and through GraphQL."""
    single: int
    """Events sent one per call: slow, so fewer."""


FULL = Sizes(batched=100_000, single=5_000)
QUICK = Sizes(batched=2_000, single=300)


@frozen
class Event:
    """One generated event: a customer by position, and what a client would send."""

    customer: int
    name: str
    event_id: str
    occurred_at: datetime
    properties: dict[str, object]


@frozen
class Timing:
    key: str
    """Prefix of the path's result keys."""
    label: str
    events: int
    seconds: float
    call_seconds: tuple[float, ...]

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    @property
    def events_per_call(self) -> int:
        return round(self.events / len(self.call_seconds))

    def tenth_events_per_s(self, *, last: bool) -> float:
        """Events/s over the first (or last) tenth of the calls: does a growing table slow it?"""
        tenth = max(1, len(self.call_seconds) // 10)
        part = self.call_seconds[-tenth:] if last else self.call_seconds[:tenth]
        return tenth * self.events_per_call / sum(part)


def generate_events(count: int, *, seed: int) -> list[Event]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    return [
        Event(
            customer=rng.randrange(CUSTOMERS),
            name=rng.choice(NAMES),
            event_id=f"bench-{seed}-{number}",
            # a month of history, so the daily counts have many rows to keep up to date
            occurred_at=now - timedelta(seconds=rng.randrange(30 * 24 * 3600)),
            properties={"path": rng.choice(PAGES), "seq": number},
        )
        for number in range(count)
    ]


def seed_customers(container: Container) -> list[str]:
    """``CUSTOMERS`` customers, created in bulk; their ids in creation order."""
    system = Principal.system()
    rows = [
        NewCustomer(first_name="Bench", email=f"bench{n}@example.com") for n in range(CUSTOMERS)
    ]
    container.use(Customers).create_in_bulk(system, rows)
    ids: list[str] = []
    after: str | None = None
    while True:
        page = container.use(Customers).list(
            system, CustomerFilter(), CustomerOrder(), PageRequest(first=100, after=after)
        )
        ids.extend(edge.node.id for edge in page.edges)
        if not page.has_next_page:
            return ids
        after = page.end_cursor


def check_stored(container: Container, sent: Sequence[Event], path: str) -> None:
    """Every event stored once, and the daily counts add up to them."""
    with container.database().reader.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(tracked_events)).scalar_one()
        counted = connection.execute(select(func.sum(event_daily_counts.c.occurrences))).scalar()
    if stored != len(sent) or counted != len(sent):
        raise SystemExit(f"{path}: sent {len(sent)}, stored {stored}, counted {counted}")


def batches(events: Sequence[Event], size: int) -> list[Sequence[Event]]:
    return [events[first : first + size] for first in range(0, len(events), size)]


def time_use_case(events: Sequence[Event], *, batch_size: int, key: str, label: str) -> Timing:
    principal = Principal.system()
    with temporary_container(key) as container:
        ids = seed_customers(container)
        track = container.use(Behaviour).track
        calls = [
            [
                IncomingEvent(
                    customer_id=ids[e.customer],
                    name=e.name,
                    event_id=e.event_id,
                    occurred_at=e.occurred_at,
                    properties=e.properties,
                )
                for e in batch
            ]
            for batch in batches(events, batch_size)
        ]
        durations: list[float] = []
        clock = time.perf_counter
        with progress_bar() as progress:
            task = progress.add_task(label, total=len(events))
            started = clock()
            for items in calls:
                before = clock()
                result = track(principal, items)
                durations.append(clock() - before)
                if result.accepted != len(items):
                    raise SystemExit(f"{label}: refused {result.problems[:3]}")
                progress.advance(task, len(items))
            elapsed = clock() - started
        check_stored(container, events, label)
    return Timing(key, label, len(events), elapsed, tuple(durations))


def wire_events(ids: Sequence[str], batch: Sequence[Event]) -> list[dict[str, object]]:
    """Events as a client sends them, to either door."""
    return [
        {
            "customer": {"id": to_global_id("Customer", ids[e.customer])},
            "name": e.name,
            "eventId": e.event_id,
            "occurredAt": e.occurred_at.isoformat(),
            "properties": e.properties,
        }
        for e in batch
    ]


def graphql_batch(token: str, ids: Sequence[str], batch: Sequence[Event]) -> AsgiRequest:
    return graphql_request(token, TRACK, {"input": {"events": wire_events(ids, batch)}})


def track_batch(token: str, ids: Sequence[str], batch: Sequence[Event]) -> AsgiRequest:
    return AsgiRequest(
        "POST",
        "/track",
        b"",
        (
            (b"host", b"bench"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
        ),
        json.dumps({"events": wire_events(ids, batch)}).encode(),
    )


async def send_all(
    container: Container, requests: Sequence[AsgiRequest], sizes: Sequence[int], path: str
) -> tuple[float, list[float]]:
    app = create_app(container.services(), container.use(Access).authenticate, limits=BENCH_LIMITS)
    durations: list[float] = []
    clock = time.perf_counter
    with progress_bar() as progress:
        task = progress.add_task(path, total=sum(sizes))
        started = clock()
        for request, size in zip(requests, sizes, strict=True):
            before = clock()
            response = await call(app, request)
            durations.append(clock() - before)
            payload = response.json()
            answer = payload if "accepted" in payload else payload.get("data") or {}
            answer = answer.get("trackEvents", answer)
            if response.status != 200 or answer.get("accepted") != size:
                raise SystemExit(f"{path}: unexpected answer {payload}")
            progress.advance(task, size)
        elapsed = clock() - started
    return elapsed, durations


def time_http(
    events: Sequence[Event],
    *,
    batch_size: int,
    key: str,
    label: str,
    request: Callable[[str, Sequence[str], Sequence[Event]], AsgiRequest],
) -> Timing:
    with temporary_container(key) as container:
        ids = seed_customers(container)
        token = (
            container.use(Access)
            .issue_api_key(
                Principal.system(), role=Role.ADMIN, name="bench", user_email="bench@example.com"
            )
            .token
        )
        chunks = batches(events, batch_size)
        requests = [request(token, ids, chunk) for chunk in chunks]
        elapsed, durations = asyncio.run(
            send_all(container, requests, [len(chunk) for chunk in chunks], label)
        )
        check_stored(container, events, label)
    return Timing(key, label, len(events), elapsed, tuple(durations))


def render(timings: Sequence[Timing], baseline: Timing) -> Table:
    table = Table(title="Tracking events on SQLite")
    table.add_column("Path")
    for name in ("Events", "Events/call", "Seconds", "Events/s", "first→last 10%", "Median ms"):
        table.add_column(name, justify="right")
    for name in ("p95 ms", "Ratio"):
        table.add_column(name, justify="right")
    for timing in timings:
        is_baseline = timing is baseline
        ratio = timing.events_per_s / baseline.events_per_s
        table.add_row(
            timing.label + (" (baseline)" if is_baseline else ""),
            f"{timing.events:,}",
            f"{timing.events_per_call:,}",
            f"{timing.seconds:.2f}",
            f"{timing.events_per_s:,.0f}",
            f"{timing.tenth_events_per_s(last=False):,.0f} → "
            f"{timing.tenth_events_per_s(last=True):,.0f}",
            f"{median_ms(timing.call_seconds):.3f}",
            f"{p95_ms(timing.call_seconds):.3f}",
            "1.00x" if is_baseline else f"[bold]{ratio:.1f}x[/]",
        )
    table.caption = (
        "ms are per call (one event, or one batch); ratio = events/s ÷ the baseline's events/s;\n"
        "first→last 10%: events/s over the first and last tenth of the calls, as tables grow;\n"
        "each path on its own fresh database; GraphQL = the whole ASGI app, in process"
    )
    return table


def results(timings: Sequence[Timing], baseline: Timing, *, sizes: Sizes, quick: bool) -> Results:
    out: Results = run_metadata(n=sizes.batched, quick=quick)
    out["batch_size_events"] = BATCH_SIZE
    out["customers"] = CUSTOMERS
    for timing in timings:
        key = timing.key
        out[f"{key}_events"] = timing.events
        out[f"{key}_seconds"] = round(timing.seconds, 3)
        out[f"{key}_events_per_s"] = round(timing.events_per_s, 1)
        out[f"{key}_call_median_ms"] = round(median_ms(timing.call_seconds), 4)
        out[f"{key}_call_p95_ms"] = round(p95_ms(timing.call_seconds), 4)
        out[f"{key}_first_tenth_events_per_s"] = round(timing.tenth_events_per_s(last=False), 1)
        out[f"{key}_last_tenth_events_per_s"] = round(timing.tenth_events_per_s(last=True), 1)
        if timing is not baseline:
            out[f"ratio_{key}_vs_{baseline.key}"] = round(
                timing.events_per_s / baseline.events_per_s, 2
            )
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.track_events", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--seed", type=int, default=2026, help="picks customers and times")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if flags := python_flags():
        console.print(f"[yellow]warning: the interpreter runs with {flags}; figures will be low")
    sizes = QUICK if args.quick else FULL
    events = generate_events(sizes.batched, seed=args.seed)
    single = events[: sizes.single]
    graphql = functools.partial(time_http, request=graphql_batch)
    track = functools.partial(time_http, request=track_batch)
    paths: list[tuple[Callable[..., Timing], Sequence[Event], int, str, str]] = [
        (time_use_case, single, 1, "use_case_single", "use case, 1 event/call"),
        (time_use_case, events, BATCH_SIZE, "use_case_batch", f"use case, {BATCH_SIZE}/call"),
        (graphql, single, 1, "graphql_single", "GraphQL, 1 event/request"),
        (graphql, events, BATCH_SIZE, "graphql_batch", f"GraphQL, {BATCH_SIZE}/request"),
        (track, events, BATCH_SIZE, "track_batch", f"POST /track, {BATCH_SIZE}/request"),
    ]
    timings = [
        run(chosen, batch_size=size, key=key, label=label)
        for run, chosen, size, key, label in paths
    ]
    baseline = timings[0]
    console.print(render(timings, baseline))
    path = write_results(NAME, results(timings, baseline, sizes=sizes, quick=args.quick))
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
