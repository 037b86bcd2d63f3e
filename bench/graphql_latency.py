"""GraphQL latency and throughput, in process, against a plain Starlette JSON baseline,
and with the API's limits on and off.

    python -m bench.graphql_latency             # 10,000 customers, 5,000 / 1,000 requests
    python -m bench.graphql_latency --quick     # a smoke test
    python -m bench.graphql_latency --profile   # also cProfile the two GraphQL queries

Both apps are driven by the same minimal ASGI client on one event loop, one request at a
time, so the figures are single-core, sequential and free of any socket or HTTP parser.
The baseline makes the same use case calls behind the same bearer-key middleware (with
the same caching authenticator), so the ratio isolates what the GraphQL layer costs. The
same GraphQL app is also built with every limit off (no cost analysis, query limits,
budgets or rate limits), so the second ratio is what keeping the limits costs; the limits
are the defaults, with buckets too large to refuse anything, so every check still runs.
The same page is also asked for by a ``sales_rep`` who owns a tenth of the customers and was
shared a few more, against an ``admin``, in the same run: what record-level visibility
costs (the rep's page is merged from one branch per owner and one for the shares, and
their reach is kept while the access version stands still).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from attrs import frozen
from rich.table import Table
from sqlalchemy import update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, Router
from starlette.types import ASGIApp, Message, Scope

from adapters.demo.seeding import demo_size, seed_demo
from adapters.graphql.app import BearerAuthentication, create_app
from adapters.graphql.limits import ApiLimits
from adapters.graphql.relay import MalformedId, local_id, to_global_id
from adapters.persistence.tables import customers
from application.access.bundle import Access
from application.customers.bundle import Customers
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.pagination import PageRequest
from application.principal import Principal
from bench._support import (
    BENCH_LIMITS,
    RESULTS_DIR,
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
from domain.access.roles import Resource, Role
from domain.access.sharing import RecordShare

NAME = "graphql_latency"
CUSTOMER = "Customer"
PAGE_SIZE = 50
PROGRESS_EVERY = 100
PROFILE_TOP = 15

CUSTOMER_BY_ID = (
    "query($id: ID!) { customer(id: $id) { id firstName lastName email phone version } }"
)
CUSTOMERS_PAGE = (
    f"{{ customers(first: {PAGE_SIZE}) "
    "{ edges { node { id firstName lastName email phone version } } } }"
)


@frozen
class Sizes:
    customers: int
    by_id_warmup: int
    by_id_requests: int
    page_warmup: int
    page_requests: int
    profile_requests: int
    rounds: int


FULL = Sizes(10_000, 1_000, 5_000, 200, 1_000, 3_000, rounds=5)
QUICK = Sizes(500, 50, 200, 20, 50, 200, rounds=2)
TARGET_REQUESTS_PER_S = {"customer_by_id": 3_000.0, "customers_page": 600.0}
LIMITS_GOAL_RATIO = 1.05
"""Limits on may cost at most 5% over limits off."""
SERVERS = ("graphql", "graphql_no_limits", "plain")
VISIBILITY = "customers_page_visibility"
REP_SHARE = 10
"""The rep owns one customer in this many."""
REP_SHARES = 5
"""And was shared this many customers they do not own."""
VISIBILITY_GOAL_RATIO = 1.15
"""A rep's page may cost at most 15% over an admin's."""


# --- a minimal in-process ASGI client -------------------------------------------------


@frozen
class AsgiRequest:
    """One HTTP request, ready to hand to an ASGI app."""

    method: str
    path: str
    query_string: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


@frozen
class AsgiResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http_scope(request: AsgiRequest) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode("ascii"),
        "root_path": "",
        "query_string": request.query_string,
        "headers": list(request.headers),
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
        "state": {},
    }


async def call(app: ASGIApp, request: AsgiRequest, scope: Scope | None = None) -> AsgiResponse:
    """Run one request through ``app``; ``scope`` may be built beforehand, off the clock."""
    body_sent = False
    finished = asyncio.Event()
    status = 0
    headers: tuple[tuple[bytes, bytes], ...] = ()
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = tuple(message.get("headers", ()))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished.set()

    await app(scope if scope is not None else http_scope(request), receive, send)
    return AsgiResponse(status, headers, b"".join(chunks))


# --- the apps -------------------------------------------------------------------------


def customer_fields(view: CustomerView) -> dict[str, object]:
    """The six fields the GraphQL queries select, named and shaped as GraphQL returns them."""
    return {
        "id": to_global_id(CUSTOMER, view.id),
        "firstName": view.first_name,
        "lastName": view.last_name,
        "email": view.email,
        "phone": view.phone,
        "version": view.version,
    }


def create_plain_app(container: Container, authenticate: Callable[[str], Any]) -> Starlette:
    """Two JSON endpoints making the GraphQL resolvers' use case calls, nothing more."""
    get_customers = container.use(Customers).get
    list_customers = container.use(Customers).list

    async def customer_by_id(request: Request) -> JSONResponse:
        principal: Principal = request.scope["state"]["principal"]
        try:
            customer_id = local_id(request.path_params["id"], CUSTOMER)
        except MalformedId:
            return JSONResponse({"error": "not a customer id"}, status_code=400)
        view = get_customers(principal, [customer_id]).get(customer_id)
        return JSONResponse({"customer": customer_fields(view) if view else None})

    async def customers_page(request: Request) -> JSONResponse:
        principal: Principal = request.scope["state"]["principal"]
        first = int(request.query_params.get("first", str(PAGE_SIZE)))
        page = list_customers(principal, CustomerFilter(), CustomerOrder(), PageRequest(first))
        return JSONResponse({"edges": [{"node": customer_fields(e.node)} for e in page.edges]})

    endpoints = Router(
        routes=[Route("/customers/{id}", customer_by_id), Route("/customers", customers_page)]
    )
    guarded = BearerAuthentication(endpoints, authenticate, open_ide=False)
    return Starlette(routes=[Mount("/plain", app=guarded)])


# --- requests -------------------------------------------------------------------------


def graphql_request(token: str, query: str, variables: dict[str, object] | None) -> AsgiRequest:
    payload: dict[str, object] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return AsgiRequest(
        "POST",
        "/graphql",
        b"",
        (
            (b"host", b"bench"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
        ),
        json.dumps(payload).encode(),
    )


def plain_request(token: str, path: str, query_string: bytes = b"") -> AsgiRequest:
    return AsgiRequest(
        "GET",
        path,
        query_string,
        (
            (b"host", b"bench"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"accept", b"application/json"),
        ),
        b"",
    )


@frozen
class Scenario:
    query: str
    """``customer_by_id`` or ``customers_page``: the prefix of its result keys."""
    server: str
    """``graphql`` (limits on), ``graphql_no_limits`` or ``plain``."""
    app: ASGIApp
    requests: tuple[AsgiRequest, ...]
    """Warm-up requests first, then the timed ones."""
    warmup: int
    check: Callable[[AsgiResponse], list[dict[str, object]]]
    """The customers a response holds, as plain dicts; raises if the response is wrong."""


@frozen
class Measurement:
    scenario: Scenario
    latencies: tuple[float, ...]
    seconds: float

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies) / self.seconds


class BadResponse(Exception):
    pass


def _ok_json(response: AsgiResponse) -> Any:
    if response.status != 200:
        raise BadResponse(f"status {response.status}: {response.body[:300]!r}")
    document = response.json()
    if "errors" in document:
        raise BadResponse(f"errors in response: {document['errors']}")
    return document


def check_graphql_customer(response: AsgiResponse) -> list[dict[str, object]]:
    customer = _ok_json(response)["data"]["customer"]
    if customer is None:
        raise BadResponse("customer(id:) returned null for an existing id")
    return [customer]


def check_graphql_page(response: AsgiResponse) -> list[dict[str, object]]:
    return [edge["node"] for edge in _ok_json(response)["data"]["customers"]["edges"]]


def check_plain_customer(response: AsgiResponse) -> list[dict[str, object]]:
    customer = _ok_json(response)["customer"]
    if customer is None:
        raise BadResponse("plain endpoint returned null for an existing id")
    return [customer]


def check_plain_page(response: AsgiResponse) -> list[dict[str, object]]:
    return [edge["node"] for edge in _ok_json(response)["edges"]]


def all_customer_ids(container: Container) -> list[str]:
    """Every stored customer id, paged through the list use case."""
    list_customers = container.use(Customers).list
    principal = Principal.system()
    ids: list[str] = []
    after: str | None = None
    while True:
        page = list_customers(
            principal, CustomerFilter(), CustomerOrder(), PageRequest(first=100, after=after)
        )
        ids.extend(edge.node.id for edge in page.edges)
        if not page.has_next_page:
            return ids
        after = page.end_cursor


def seed(container: Container, count: int) -> int:
    """Seeds the demo data with ``count`` customers and the duplicates it plants among them;
    returns how many customers that stored, exactly as many as ``demo_size`` promises."""
    expected = demo_size(count)
    with progress_bar() as progress:
        task = progress.add_task(f"seeding {expected:,} customers", total=expected)
        created = seed_demo(
            container.bundles,
            customers=count,
            on_batch=lambda rows: progress.advance(task, rows),
        )
    if created != expected:
        raise SystemExit(f"seeded {created} customers, expected {expected}")
    return created


def make_rep(container: Container, ids: Sequence[str], rng: random.Random) -> str:
    """A ``sales_rep`` owning every ``REP_SHARE``-th customer and shared ``REP_SHARES`` more;
    returns their API key. Owners change in one statement: this is setup, not the test."""
    access = container.use(Access)
    rep = access.register_user(
        Principal.system(), name="Rep", email="rep@example.com", role=Role.SALES_REP.value
    )
    owned = ids[::REP_SHARE]
    others = [customer_id for customer_id in ids if customer_id not in set(owned)]
    now = datetime.now(UTC)
    with container.database().writer.begin() as connection:
        connection.execute(
            update(customers).where(customers.c.id.in_(owned)).values(owner_id=rep.id)
        )
    with container.storage.unit_of_work() as uow:
        for customer_id in rng.sample(others, REP_SHARES):
            uow.record_shares.add(
                RecordShare.grant(
                    resource=Resource.CUSTOMERS,
                    record_id=customer_id,
                    user_id=rep.id,
                    shared_by="bench",
                    at=now,
                )
            )
        uow.commit()
    return access.issue_api_key(
        Principal.system(), role=Role.SALES_REP.value, name="bench", user_email=rep.email
    ).token


def build_scenarios(
    container: Container,
    token: str,
    sizes: Sizes,
    stored: int,
    rng: random.Random,
    rep_token: str,
) -> list[Scenario]:
    graphql_app = create_app(
        container.services(), container.use(Access).authenticate, limits=BENCH_LIMITS
    )
    unlimited_app = create_app(
        container.services(), container.use(Access).authenticate, limits=ApiLimits.unlimited()
    )
    plain_app = create_plain_app(container, container.use(Access).authenticate)
    ids = all_customer_ids(container)
    if len(ids) != stored:
        raise SystemExit(f"found {len(ids)} customers, expected the {stored} seeded")
    picked = [
        to_global_id(CUSTOMER, rng.choice(ids))
        for _ in range(sizes.by_id_warmup + sizes.by_id_requests)
    ]
    page_count = sizes.page_warmup + sizes.page_requests
    page_query = f"first={PAGE_SIZE}".encode()
    graphql_scenarios = [
        scenario
        for server, app in (("graphql", graphql_app), ("graphql_no_limits", unlimited_app))
        for scenario in (
            Scenario(
                "customer_by_id",
                server,
                app,
                tuple(graphql_request(token, CUSTOMER_BY_ID, {"id": gid}) for gid in picked),
                sizes.by_id_warmup,
                check_graphql_customer,
            ),
            Scenario(
                "customers_page",
                server,
                app,
                (graphql_request(token, CUSTOMERS_PAGE, None),) * page_count,
                sizes.page_warmup,
                check_graphql_page,
            ),
        )
    ]
    visibility_scenarios = [
        Scenario(
            VISIBILITY,
            server,
            graphql_app,
            (graphql_request(key, CUSTOMERS_PAGE, None),) * page_count,
            sizes.page_warmup,
            check_graphql_page,
        )
        for server, key in (("admin", token), ("sales_rep", rep_token))
    ]
    return [
        *graphql_scenarios,
        *visibility_scenarios,
        Scenario(
            "customer_by_id",
            "plain",
            plain_app,
            tuple(plain_request(token, f"/plain/customers/{gid}") for gid in picked),
            sizes.by_id_warmup,
            check_plain_customer,
        ),
        Scenario(
            "customers_page",
            "plain",
            plain_app,
            (plain_request(token, "/plain/customers", page_query),) * page_count,
            sizes.page_warmup,
            check_plain_page,
        ),
    ]


async def verify(scenarios: Sequence[Scenario]) -> None:
    """Every server answers 200 without errors, and both answer with the same customers."""
    answers: dict[str, dict[str, list[dict[str, object]]]] = {}
    for scenario in scenarios:
        for request in scenario.requests[:3]:
            scenario.check(await call(scenario.app, request))
        answers.setdefault(scenario.query, {})[scenario.server] = scenario.check(
            await call(scenario.app, scenario.requests[0])
        )
    rep_page = answers.pop(VISIBILITY, {}).get("sales_rep", [])
    if len(rep_page) != PAGE_SIZE:
        raise SystemExit(f"the rep's page returned {len(rep_page)} rows, not {PAGE_SIZE}")
    for query, by_server in answers.items():
        graphql, plain = by_server["graphql"], by_server["plain"]
        if graphql != plain or by_server["graphql_no_limits"] != graphql:
            raise SystemExit(f"{query}: the servers' answers differ:\n{by_server}")
        if query == "customers_page" and len(graphql) != PAGE_SIZE:
            raise SystemExit(f"customers_page returned {len(graphql)} rows, not {PAGE_SIZE}")


async def time_requests(
    app: ASGIApp, requests: Sequence[AsgiRequest], label: str, on_progress: Callable[[int], None]
) -> list[float]:
    """The latency of each request, sent one after the other; the scope is built off the clock."""
    clock = time.perf_counter
    latencies: list[float] = []
    for index, request in enumerate(requests):
        scope = http_scope(request)
        started = clock()
        response = await call(app, request, scope)
        elapsed = clock() - started
        if response.status != 200:
            raise SystemExit(f"{label}: status {response.status} while timing")
        latencies.append(elapsed)
        if (index + 1) % PROGRESS_EVERY == 0:
            on_progress(PROGRESS_EVERY)
    on_progress(len(requests) % PROGRESS_EVERY)
    return latencies


async def measure(scenarios: Sequence[Scenario], rounds: int) -> list[Measurement]:
    """Warm every scenario up, then time them in ``rounds`` interleaved slices.

    Interleaving the servers of a query (and swapping who goes first each round) keeps
    drift in the machine's speed, e.g. a noisy neighbour, out of the ratio.
    """
    for scenario in scenarios:
        for request in scenario.requests[: scenario.warmup]:
            await call(scenario.app, request)
    latencies: dict[int, list[float]] = {index: [] for index in range(len(scenarios))}
    with progress_bar() as progress:
        task = progress.add_task(
            f"timing {' / '.join(s.server for s in scenarios)} {scenarios[0].query}",
            total=sum(len(s.requests) - s.warmup for s in scenarios),
        )
        for round_ in range(rounds):
            order = list(range(len(scenarios)))
            if round_ % 2:
                order.reverse()
            for index in order:
                scenario = scenarios[index]
                timed = scenario.requests[scenario.warmup :]
                per_round = -(-len(timed) // rounds)
                latencies[index] += await time_requests(
                    scenario.app,
                    timed[round_ * per_round : (round_ + 1) * per_round],
                    f"{scenario.server} {scenario.query}",
                    lambda done: progress.advance(task, done),
                )
    return [
        Measurement(scenario, tuple(latencies[index]), sum(latencies[index]))
        for index, scenario in enumerate(scenarios)
    ]


def rounds_of(query: str, sizes: Sizes) -> int:
    """How many interleaved slices a query's servers are timed in.

    The rep and the admin alternate request by request: their ratio is the goal, and on a
    shared machine the speed drifts by more than 15% between slices of a few hundred ms.
    """
    return sizes.page_requests if query == VISIBILITY else sizes.rounds


async def profile(scenario: Scenario, count: int) -> str:
    """cProfile ``count`` requests: own time by package, then the top functions."""
    requests = [scenario.requests[i % len(scenario.requests)] for i in range(count)]
    profiler = cProfile.Profile()
    profiler.enable()
    for request in requests:
        await call(scenario.app, request)
    profiler.disable()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    dump = RESULTS_DIR / f"{NAME}_{scenario.server}_{scenario.query}.prof"
    profiler.dump_stats(dump)
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report)
    report.write(f"--- cProfile of {count:,} {scenario.server} {scenario.query} requests\n")
    report.write(f"--- raw stats: {dump} (open with python -m pstats or snakeviz)\n\n")
    report.write(own_time_by_package(stats, count))
    stats.strip_dirs()
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(PROFILE_TOP)
    stats.sort_stats(pstats.SortKey.TIME).print_stats(PROFILE_TOP)
    return report.getvalue()


def package_of(filename: str) -> str:
    """The installed distribution, project package or ``stdlib`` a code file belongs to."""
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for project in ("bench", "adapters", "application", "domain"):
        if f"/{project}/" in path:
            return f"rapport:{project}"
    if filename.startswith("<") or filename == "~":
        return "builtins"
    return "stdlib"


def own_time_by_package(stats: pstats.Stats, count: int) -> str:
    """Where the time itself is spent (tottime), summed by package, per request."""
    totals: dict[str, float] = {}
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        package = package_of(filename)
        totals[package] = totals.get(package, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    lines = ["own time by package (µs per request, share):"]
    for package, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        lines.append(f"  {package:<28} {seconds / count * 1e6:8.1f} µs  {seconds / whole:6.1%}")
    return "\n".join(lines) + "\n\n"


def render(measurements: Sequence[Measurement], *, n: int) -> Table:
    by_key = {(m.scenario.query, m.scenario.server): m for m in measurements}
    table = Table(title=f"In-process ASGI, sequential, one core ({n:,} customers in SQLite)")
    table.add_column("Query")
    table.add_column("Server")
    for name in ("Requests", "Median ms", "p95 ms", "Req/s", "Target", "Ratio"):
        table.add_column(name, justify="right")
    for query, title in (("customer_by_id", "customer(id:)"), ("customers_page", "customers(50)")):
        graphql, plain = by_key[(query, "graphql")], by_key[(query, "plain")]
        target = TARGET_REQUESTS_PER_S[query]
        met = graphql.requests_per_s >= target
        ratio = plain.requests_per_s / graphql.requests_per_s
        table.add_row(
            title,
            "GraphQL",
            f"{len(graphql.latencies):,}",
            f"{median_ms(graphql.latencies):.3f}",
            f"{p95_ms(graphql.latencies):.3f}",
            f"{graphql.requests_per_s:,.0f}",
            f"[{'green' if met else 'red'}]≥ {target:,.0f} {'met' if met else 'MISSED'}[/]",
            f"[bold]{ratio:.2f}x[/]",
        )
        unlimited = by_key[(query, "graphql_no_limits")]
        limits_ratio = unlimited.requests_per_s / graphql.requests_per_s
        within = limits_ratio <= LIMITS_GOAL_RATIO
        table.add_row(
            "",
            "GraphQL, limits off",
            f"{len(unlimited.latencies):,}",
            f"{median_ms(unlimited.latencies):.3f}",
            f"{p95_ms(unlimited.latencies):.3f}",
            f"{unlimited.requests_per_s:,.0f}",
            f"[{'green' if within else 'red'}]on ≤ {LIMITS_GOAL_RATIO:.2f}x off: "
            f"{limits_ratio:.3f}x[/]",
            f"{plain.requests_per_s / unlimited.requests_per_s:.2f}x",
        )
        table.add_row(
            "",
            "plain (baseline)",
            f"{len(plain.latencies):,}",
            f"{median_ms(plain.latencies):.3f}",
            f"{p95_ms(plain.latencies):.3f}",
            f"{plain.requests_per_s:,.0f}",
            "",
            "1.00x",
            end_section=True,
        )
    admin, rep = by_key[(VISIBILITY, "admin")], by_key[(VISIBILITY, "sales_rep")]
    rep_ratio = median_ms(rep.latencies) / median_ms(admin.latencies)
    within = rep_ratio <= VISIBILITY_GOAL_RATIO
    for server, m, ratio_cell in (
        ("admin", admin, "1.00x"),
        (
            "sales_rep (owns 1/10)",
            rep,
            f"[{'green' if within else 'red'}]{rep_ratio:.3f}x "
            f"(goal ≤ {VISIBILITY_GOAL_RATIO:.2f}x)[/]",
        ),
    ):
        table.add_row(
            "customers(50), visibility" if server == "admin" else "",
            server,
            f"{len(m.latencies):,}",
            f"{median_ms(m.latencies):.3f}",
            f"{p95_ms(m.latencies):.3f}",
            f"{m.requests_per_s:,.0f}",
            "",
            ratio_cell,
        )
    table.caption = (
        "ratio = GraphQL time per request ÷ plain Starlette time per request (x slower);\n"
        "visibility ratio = the rep's median ÷ the admin's median;\n"
        "on ÷ off = time per request with the limits on ÷ with them off;\n"
        "req/s = timed requests ÷ the sum of their latencies"
    )
    return table


def results(measurements: Sequence[Measurement], *, sizes: Sizes, quick: bool) -> Results:
    out: Results = run_metadata(n=sizes.customers, quick=quick)
    out["rounds"] = sizes.rounds
    out["visibility_rounds"] = rounds_of(VISIBILITY, sizes)
    out["customer_by_id_warmup_requests"] = sizes.by_id_warmup
    out["customers_page_warmup_requests"] = sizes.page_warmup
    by_key = {(m.scenario.query, m.scenario.server): m for m in measurements}
    for (query, server), m in by_key.items():
        out[f"{server}_{query}_requests"] = len(m.latencies)
        out[f"{server}_{query}_median_ms"] = round(median_ms(m.latencies), 4)
        out[f"{server}_{query}_p95_ms"] = round(p95_ms(m.latencies), 4)
        out[f"{server}_{query}_requests_per_s"] = round(m.requests_per_s, 1)
    for query, target in TARGET_REQUESTS_PER_S.items():
        graphql, plain = by_key[(query, "graphql")], by_key[(query, "plain")]
        out[f"ratio_graphql_vs_plain_{query}"] = round(
            plain.requests_per_s / graphql.requests_per_s, 3
        )
        out[f"ratio_graphql_vs_plain_{query}_median"] = round(
            median_ms(graphql.latencies) / median_ms(plain.latencies), 3
        )
        out[f"target_graphql_{query}_requests_per_s"] = target
        out[f"target_graphql_{query}_met"] = graphql.requests_per_s >= target
        unlimited = by_key[(query, "graphql_no_limits")]
        out[f"ratio_limits_on_vs_off_{query}"] = round(
            unlimited.requests_per_s / graphql.requests_per_s, 4
        )
        out[f"ratio_limits_on_vs_off_{query}_median"] = round(
            median_ms(graphql.latencies) / median_ms(unlimited.latencies), 4
        )
        out[f"goal_limits_on_vs_off_{query}_met"] = (
            unlimited.requests_per_s / graphql.requests_per_s <= LIMITS_GOAL_RATIO
        )
    admin, rep = by_key[(VISIBILITY, "admin")], by_key[(VISIBILITY, "sales_rep")]
    rep_ratio = round(median_ms(rep.latencies) / median_ms(admin.latencies), 4)
    out["rep_over_admin_ratio"] = rep_ratio
    out["rep_over_admin_ratio_per_request"] = round(admin.requests_per_s / rep.requests_per_s, 4)
    out["goal_rep_over_admin_met"] = rep_ratio <= VISIBILITY_GOAL_RATIO
    out["rep_owns_one_customer_in"] = REP_SHARE
    out["rep_shared_customers"] = REP_SHARES
    out["page_size_rows"] = PAGE_SIZE
    return out


async def run(sizes: Sizes, *, quick: bool, with_profile: bool, seed_value: int) -> None:
    with temporary_container("graphql") as container:
        stored = seed(container, sizes.customers)
        issued = container.use(Access).issue_api_key(
            Principal.system(), role=Role.ADMIN, name="bench", user_email="bench@example.com"
        )
        rng = random.Random(seed_value)
        rep_token = make_rep(container, all_customer_ids(container), rng)
        scenarios = build_scenarios(container, issued.token, sizes, stored, rng, rep_token)
        await verify(scenarios)
        measurements = [
            measurement
            for query in (*TARGET_REQUESTS_PER_S, VISIBILITY)
            for measurement in await measure(
                [s for s in scenarios if s.query == query], rounds_of(query, sizes)
            )
        ]
        console.print(render(measurements, n=stored))
        path = write_results(NAME, results(measurements, sizes=sizes, quick=quick))
        console.print(f"results written to {path}")
        if with_profile:
            by_id, page = (
                next(s for s in scenarios if s.server == "graphql" and s.query == query)
                for query in ("customer_by_id", "customers_page")
            )
            rep_page = next(s for s in scenarios if s.server == "sales_rep")
            print(await profile(by_id, sizes.profile_requests))
            # The page runs on a worker loop's thread, which cProfile does not follow: these
            # show the server loop's part, authentication and working out the caller's reach.
            for scenario in (page, rep_page):
                print(await profile(scenario, max(1, sizes.profile_requests // 10)))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.graphql_latency", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="afterwards, cProfile both GraphQL queries and the rep's page and print where "
        "the time goes",
    )
    parser.add_argument("--seed", type=int, default=2026, help="picks the customer ids")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if flags := python_flags():
        console.print(f"[yellow]warning: the interpreter runs with {flags}; figures will be low")
    sizes = QUICK if args.quick else FULL
    asyncio.run(run(sizes, quick=args.quick, with_profile=args.profile, seed_value=args.seed))


if __name__ == "__main__":
    main()
