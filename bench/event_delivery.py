"""Event delivery: outbox-to-broker throughput, and commit-to-webhook latency.

    python -m bench.event_delivery            # 20,000 events per path, 200 latency samples
    python -m bench.event_delivery --quick    # a smoke test

Throughput: the same pre-written outbox rows (on a fresh SQLite file per path) relayed in
batches of 500 until drained. The baseline relays to no broker at all (claim, envelope,
mark published); the other paths add the in-memory stream, Redis Streams and NATS
JetStream (skipped when the server is unreachable), or webhook fan-out plus delivery to a
local HTTP receiver. Latency: a ``CreateCustomer`` commit, then the running delivery worker
(in process, as the embedded ``rapport serve`` runs it: woken by each commit, else polling
every 200 ms) until a receiver in this process has the signed webhook; one commit at a
time, each after the worker has gone idle.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from attrs import frozen
from rich.table import Table
from sqlalchemy import insert

from adapters.clock import SystemClock
from adapters.delivery.streams.memory import InMemoryEventStream
from adapters.delivery.webhooks import WebhookDispatcher
from adapters.delivery.worker import DeliveryWorker
from adapters.persistence.outbox import outbox_row
from adapters.persistence.relay import OutboxRelay
from adapters.persistence.tables import outbox
from adapters.persistence.webhook_deliveries import SqlWebhookDeliveries
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.events.bundle import Events
from application.events.stream import EventStream
from application.principal import Principal
from bench._support import (
    Results,
    console,
    python_flags,
    run_metadata,
    temporary_container,
    write_results,
)
from bootstrap import Container, start_delivery
from domain.customers.events import CustomerUpdated

NAME = "event_delivery"
BATCH_SIZE = 500
REDIS_URL = "redis://127.0.0.1:6379/14"
NATS_URL = "nats://127.0.0.1:4222"
IDLE_GAP_SECONDS = 0.25


@frozen
class Sizes:
    events: int
    latency_samples: int


FULL = Sizes(events=100_000, latency_samples=500)
QUICK = Sizes(events=1_000, latency_samples=20)


@frozen
class Throughput:
    key: str
    label: str
    events: int
    seconds: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds


def write_outbox(container: Container, count: int) -> None:
    start = datetime.now(UTC)
    rows = [
        outbox_row(
            CustomerUpdated(
                aggregate_id=f"customer-{n % 500}",
                occurred_at=start + timedelta(microseconds=n),
                actor_id="system",
                changes={"n": n},
                version=n // 500 + 1,
            )
        )
        for n in range(count)
    ]
    with container.database().writer.begin() as connection:
        for first in range(0, count, 5000):
            connection.execute(insert(outbox), rows[first : first + 5000])


class Receiver:
    """Counts webhook deliveries and notes when each event id arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.condition = threading.Condition()

    def wait_for_arrival(self, count: int, timeout: float = 30) -> float:
        """When the ``count``-th distinct event arrived."""
        with self.condition:
            if not self.condition.wait_for(lambda: len(self.arrived) >= count, timeout):
                raise SystemExit(f"no webhook arrived within {timeout} s")
            return sorted(self.arrived.values())[count - 1]

    @contextmanager
    def serving(self) -> Iterator[str]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                with receiver.condition:
                    receiver.arrived.setdefault(self.headers["webhook-id"], time.perf_counter())
                    receiver.condition.notify_all()
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/hook"
        finally:
            server.shutdown()
            server.server_close()


def subscribe(container: Container, url: str) -> None:
    container.use(Events).webhooks.create(Principal.system(), url, [], "bench")


def time_relay(
    count: int, key: str, label: str, stream: Callable[[], EventStream | None]
) -> Throughput | None:
    try:
        target = stream()
    except Exception as error:
        console.print(f"[yellow]{label}: skipped ({error})")
        return None
    with temporary_container(key) as container:
        write_outbox(container, count)
        relay = OutboxRelay(
            container.database().writer, SystemClock(), stream=target, batch_size=BATCH_SIZE
        )
        started = time.perf_counter()
        relayed = relay.drain()
        elapsed = time.perf_counter() - started
    if target is not None:
        target.close()
    if relayed != count:
        raise SystemExit(f"{label}: relayed {relayed} of {count}")
    return Throughput(key, label, count, elapsed)


def time_webhooks(count: int) -> Throughput:
    receiver = Receiver()
    with temporary_container("webhooks") as container, receiver.serving() as url:
        subscribe(container, url)
        write_outbox(container, count)
        engine = container.database().writer
        relay = OutboxRelay(engine, SystemClock(), batch_size=BATCH_SIZE)
        dispatcher = WebhookDispatcher(
            SqlWebhookDeliveries(engine), SystemClock(), wall_clock=SystemClock()
        )
        started = time.perf_counter()
        relay.drain()
        dispatcher.drain()
        elapsed = time.perf_counter() - started
        dispatcher.close()
    if len(receiver.arrived) != count:
        raise SystemExit(f"webhooks: {len(receiver.arrived)} of {count} arrived")
    return Throughput("webhooks", "relay + signed webhooks to a local receiver", count, elapsed)


def redis_stream() -> EventStream:
    import uuid

    import redis

    from adapters.delivery.streams.redis import RedisEventStream

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    client.ping()
    return RedisEventStream(client, stream=f"rapport.bench.{uuid.uuid4().hex[:8]}")


def nats_stream() -> EventStream:
    import uuid

    from adapters.delivery.streams.nats import NatsEventStream

    suffix = uuid.uuid4().hex[:8]
    return NatsEventStream(
        NATS_URL, stream=f"RAPPORT_BENCH_{suffix}", subject_prefix=f"rapport-bench-{suffix}"
    )


def latencies(samples: int) -> list[float]:
    """Seconds from a committed change to its webhook's arrival, one change at a time."""
    receiver = Receiver()
    seconds: list[float] = []
    with temporary_container("latency") as container, receiver.serving() as url:
        subscribe(container, url)
        worker: DeliveryWorker = container.module("events").delivery_worker()
        start_delivery(container)
        create = container.use(Customers).create
        try:
            for n in range(samples):
                committed = time.perf_counter()
                create(Principal.system(), NewCustomer(first_name="Bench", last_name=str(n)))
                seconds.append(receiver.wait_for_arrival(n + 1) - committed)
                # Past the worker's idle poll, so each change finds it asleep: the cold path.
                time.sleep(IDLE_GAP_SECONDS)
        finally:
            worker.stop()
    return seconds


def percentile_ms(seconds: Sequence[float], percent: int) -> float:
    return statistics.quantiles(seconds, n=100, method="inclusive")[percent - 1] * 1000.0


def render(timings: Sequence[Throughput], baseline: Throughput, lags: Sequence[float]) -> Table:
    table = Table(title="Event delivery on SQLite")
    for name, justify in (("Path", "left"), ("Events", "right"), ("Seconds", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("Events/s", justify="right")
    table.add_column("Ratio", justify="right")
    for timing in timings:
        is_baseline = timing is baseline
        table.add_row(
            timing.label + (" (baseline)" if is_baseline else ""),
            f"{timing.events:,}",
            f"{timing.seconds:.2f}",
            f"{timing.events_per_s:,.0f}",
            "1.00x" if is_baseline else f"{timing.events_per_s / baseline.events_per_s:.2f}x",
        )
    table.caption = (
        f"ratio = events/s ÷ the baseline's; batches of {BATCH_SIZE}; each path on a fresh database\n"
        f"commit → webhook receipt over {len(lags)} changes: "
        f"p50 {percentile_ms(lags, 50):.1f} ms, p99 {percentile_ms(lags, 99):.1f} ms "
        "(in-process worker, woken by each commit; each change made while it was idle)"
    )
    return table


def results(
    timings: Sequence[Throughput],
    baseline: Throughput,
    lags: Sequence[float],
    *,
    sizes: Sizes,
    quick: bool,
) -> Results:
    out: Results = run_metadata(n=sizes.events, quick=quick)
    out["batch_size_events"] = BATCH_SIZE
    for timing in timings:
        out[f"{timing.key}_events"] = timing.events
        out[f"{timing.key}_seconds"] = round(timing.seconds, 3)
        out[f"{timing.key}_events_per_s"] = round(timing.events_per_s, 1)
        if timing is not baseline:
            out[f"ratio_{timing.key}_vs_{baseline.key}"] = round(
                timing.events_per_s / baseline.events_per_s, 3
            )
    out["latency_samples"] = len(lags)
    out["commit_to_webhook_p50_ms"] = round(percentile_ms(lags, 50), 2)
    out["commit_to_webhook_p99_ms"] = round(percentile_ms(lags, 99), 2)
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.event_delivery", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if flags := python_flags():
        console.print(f"[yellow]warning: the interpreter runs with {flags}; figures will be low")
    sizes = QUICK if args.quick else FULL
    paths: list[tuple[str, str, Callable[[], EventStream | None]]] = [
        ("relay_none", "relay, no broker", lambda: None),
        ("relay_memory", "relay → in-memory stream", InMemoryEventStream),
        ("relay_redis", "relay → Redis Streams", redis_stream),
        ("relay_nats", "relay → NATS JetStream", nats_stream),
    ]
    timings = [
        timing
        for key, label, stream in paths
        if (timing := time_relay(sizes.events, key, label, stream)) is not None
    ]
    timings.append(time_webhooks(sizes.events))
    lags = latencies(sizes.latency_samples)
    baseline = timings[0]
    console.print(render(timings, baseline, lags))
    path = write_results(NAME, results(timings, baseline, lags, sizes=sizes, quick=args.quick))
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
