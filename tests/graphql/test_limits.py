"""What one client may ask: query cost and limits, budgets, rates, bodies and time."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import Message

from adapters.graphql.app import create_app
from adapters.graphql.limits import ApiLimits
from application.access.bundle import Access
from application.limits import BucketPolicy
from bootstrap import Settings
from tests.graphql.conftest import Api

PAGE = "{ customers(first: 50) { edges { node { id firstName } } } }"


def nested_people(levels: int) -> str:
    """Customers, their company's people, those people's company's people, ..."""
    inner = "id"
    for _ in range(levels):
        inner = f"id company {{ id name people(first: 100) {{ edges {{ node {{ {inner} }} }} }} }}"
    return f"{{ customers(first: 100) {{ edges {{ node {{ {inner} }} }} }} }}"


def limited_app(api: Api, limits: ApiLimits) -> Starlette:
    return create_app(
        api.container.services(), api.container.use(Access).authenticate, limits=limits
    )


@contextmanager
def client_with(api: Api, limits: ApiLimits) -> Iterator[TestClient]:
    with TestClient(limited_app(api, limits)) as client:
        yield client


def post(client: TestClient, token: str, query: str, **variables: Any) -> httpx2.Response:
    return client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )


# --- cost ------------------------------------------------------------------------------


AUTHENTICATION_TABLES = ("api_keys", "roles", "record_shares", "FROM users")


def test_the_nested_people_query_is_refused_for_its_cost_before_any_statement(api: Api) -> None:
    query = nested_people(4)
    assert len(query) < 330  # the small query that used to run for minutes
    api.statements.clear()
    body = api.query(query)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] > 1_000_000
    # Only authentication ran: the key, its user's role and reach.
    ran = [s for s in api.statements if not any(t in s for t in AUTHENTICATION_TABLES)]
    assert [s for s in ran if not s.startswith(("BEGIN", "COMMIT", "PRAGMA"))] == []


def test_three_levels_are_refused_too_and_one_level_runs(api: Api) -> None:
    assert api.query(nested_people(3))["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert api.query(nested_people(2))["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert "errors" not in api.query(nested_people(1))


def test_every_response_reports_what_it_cost_and_what_is_left(api: Api) -> None:
    with client_with(api, ApiLimits(cost_budget=BucketPolicy(1_000, 0.001))) as client:
        first = post(client, api.token, PAGE).json()["extensions"]["cost"]
        second = post(client, api.token, PAGE).json()["extensions"]["cost"]
    assert first == {"requested": 101, "remaining": 899}  # the connection, 50 edges, 50 nodes
    assert second == {"requested": 101, "remaining": 798}
    by_variable = "query($n: Int!) { customers(first: $n) { edges { node { id } } } }"
    for n, cost in ((10, 21), (20, 41), (10, 21)):
        assert api.query(by_variable, n=n)["extensions"]["cost"]["requested"] == cost


def test_a_spent_budget_is_429_with_retry_after_and_other_keys_go_on(api: Api) -> None:
    limits = ApiLimits(cost_budget=BucketPolicy(capacity=250, refill_per_second=0.001))
    other = api.key(api_role_admin(), "other@example.com")
    with client_with(api, limits) as client:
        assert post(client, api.token, PAGE).status_code == 200
        assert post(client, api.token, PAGE).status_code == 200
        refused = post(client, api.token, PAGE)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        body = refused.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert body["extensions"]["cost"] == {"requested": 101, "remaining": 48}
        assert post(client, other, PAGE).status_code == 200


def api_role_admin() -> Any:
    from domain.access.roles import Role

    return Role.ADMIN


def test_depth_aliases_and_tokens_are_limited(api: Api) -> None:
    deep = "{ customers(first: 1) { edges { node { " + "company { owner { id } } " + "} } } }"
    limits = ApiLimits(max_depth=5)
    with client_with(api, limits) as client:
        refused = post(client, api.token, deep).json()
        assert refused["errors"][0]["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"
    aliases = "{ " + " ".join(f"a{n}: customers {{ totalCount }}" for n in range(1000)) + " }"
    assert "aliases" in api.query(aliases)["errors"][0]["message"]
    typenames = "{ " + " ".join(f"a{n}: __typename" for n in range(30_000)) + " }"
    body = api.query(typenames)
    assert body.get("data") is None
    assert "token" in body["errors"][0]["message"].lower()


def test_introspection_and_suggestions_are_off_in_the_production_profile(api: Api) -> None:
    production = Settings.from_env(
        {"RAPPORT_PROFILE": "production", "RAPPORT_SIGNING_KEY": "a production signing key"}
    ).limits
    assert not production.introspection and not production.field_suggestions
    with client_with(api, production) as client:
        schema = post(client, api.token, "{ __schema { types { name } } }").json()
        assert schema.get("data") is None
        assert "introspection" in schema["errors"][0]["message"].lower()
        misspelt = post(client, api.token, "{ customers { totalCont } }").json()
        assert "Did you mean" not in misspelt["errors"][0]["message"]
    embedded = post(api.client, api.token, "{ customers { totalCont } }").json()
    assert "Did you mean" in embedded["errors"][0]["message"]


# --- bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'"hello"', "JSON object"),
        (b"null", "JSON object"),
        (b"[]", "Batched"),
        (b'[{"query": "{ __typename }"}]', "Batched"),
        (b'{"query": "{ customers { totalCount } }\xff"}', "UTF-8"),
        (b"[" * 10_000 + b"]" * 10_000, "deeper"),
        (b'{"query": 1}', "query"),
        (b'{"query": "{ __typename }", "variables": [1]}', "variables"),
        (b'{"query": ""}', "empty"),
        (b"{", "JSON"),
    ],
)
def test_bad_graphql_bodies_are_400_with_a_clear_message(api: Api, body: bytes, says: str) -> None:
    response = api.client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert says in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body", [b'"hello"', b"null", b"\xff\xfe", b"[" * 10_000 + b"]" * 10_000, b"{"]
)
def test_bad_track_bodies_are_400(api: Api, body: bytes) -> None:
    response = api.client.post(
        "/track",
        content=body,
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_json_nested_under_the_limit_still_reaches_the_schema(api: Api) -> None:
    nested: Any = 1
    for _ in range(30):
        nested = [nested]
    body = api.query(
        'mutation($x: JSON) { createCustomer(input: {firstName: "N", customFields: $x}) '
        "{ userErrors { field code } } }",
        x={"nested": nested},
    )
    assert body["data"]["createCustomer"]["userErrors"][0]["field"][0] == "customFields"


def post_scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("203.0.113.9", 5000),
        "server": ("test", 80),
    }


async def _drive(
    app: Starlette, path: str, chunks: int, chunk: bytes, headers: list[Any], first: bytes = b""
) -> tuple[int, int]:
    """POST ``chunks`` times ``chunk`` with no Content-Length; ``(status, bytes the app read)``."""
    read = 0
    sent = 0
    status = 0
    done = asyncio.Event()

    async def receive() -> Message:
        nonlocal read, sent
        if sent < chunks:
            body = first + chunk if sent == 0 else chunk
            sent += 1
            read += len(body)
            return {"type": "http.request", "body": body, "more_body": sent < chunks}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(post_scope(path, headers), receive, send)
    return status, read


def test_a_huge_body_is_refused_at_the_limit_not_read_whole(api: Api) -> None:
    app = limited_app(api, ApiLimits())
    megabyte = b"x" * (1024 * 1024)
    auth = [
        (b"authorization", f"Bearer {api.token}".encode()),
        (b"content-type", b"application/json"),
    ]
    status, read = asyncio.run(_drive(app, "/graphql", 100, megabyte, auth))
    assert status == 413
    assert read <= 2 * len(megabyte)  # of 100 MB sent, at most the limit and one chunk
    form = [(b"content-type", b"application/json")]
    status, read = asyncio.run(_drive(app, "/forms/website", 100, b"x" * 4096, form))
    assert status == 413
    assert read <= 16_384 + 4096


def test_a_declared_length_over_the_limit_is_refused_before_reading(api: Api) -> None:
    response = api.client.post(
        "/graphql",
        content=b"{}" + b" " * (2 * 1024 * 1024),
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


# --- rates -----------------------------------------------------------------------------


def test_a_key_past_its_rate_gets_429_with_retry_after(api: Api) -> None:
    limits = ApiLimits(key_rate=BucketPolicy(capacity=3, refill_per_second=0.01))
    with client_with(api, limits) as client:
        codes = [post(client, api.token, "{ __typename }").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = post(client, api.token, "{ __typename }")
        assert refused.headers["Retry-After"] == "100"
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert client.get("/health").status_code == 200


def test_a_client_address_past_its_rate_gets_429_even_without_a_key(api: Api) -> None:
    limits = ApiLimits(ip_rate=BucketPolicy(capacity=2, refill_per_second=0.01))
    with client_with(api, limits) as client:
        codes = [
            client.post("/graphql", json={"query": "{ __typename }"}).status_code for _ in range(3)
        ]
        assert codes == [401, 401, 429]


def _form_posts(client: TestClient, forwarded: list[str]) -> list[int]:
    return [
        client.post(
            "/forms/website",
            json={"email": f"p{n}@example.com"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for n, address in enumerate(forwarded)
    ]


def test_a_rotated_x_forwarded_for_does_not_escape_the_form_limit(api: Api) -> None:
    rotating = [f"198.51.100.{n}" for n in range(12)]
    with client_with(api, ApiLimits()) as client:
        codes = _form_posts(client, rotating)
    assert codes[:10] == [201] * 10 and codes[10:] == [429, 429]


def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(api: Api) -> None:
    rotating = [f"198.51.100.{n}" for n in range(12)]
    with client_with(api, ApiLimits(trusted_proxies=("testclient",))) as client:
        assert _form_posts(client, rotating) == [201] * 12


# --- time ------------------------------------------------------------------------------

CREATE = 'mutation { createCustomer(input: {firstName: "Held"}) { customer { id } userErrors { code } } }'


@contextmanager
def database_locked(api: Api) -> Iterator[None]:
    """Another connection holds SQLite's write lock, as a long import would."""
    path = api.container.database().writer.url.database
    holder = sqlite3.connect(str(Path(path)), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def _health_while_blocked(app: Starlette, token: str) -> tuple[bool, int]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        blocked = asyncio.create_task(
            client.post(
                "/graphql", json={"query": CREATE}, headers={"Authorization": f"Bearer {token}"}
            )
        )
        await asyncio.sleep(0.3)
        health = await client.get("/health")
        still_running = not blocked.done()
        blocked.cancel()
        return still_running, health.status_code


def test_health_answers_while_a_query_is_held_up(api: Api) -> None:
    app = limited_app(api, ApiLimits())
    with database_locked(api):
        still_running, health = asyncio.run(_health_while_blocked(app, api.token))
    assert health == 200
    assert still_running


def test_a_request_past_its_time_limit_is_answered_with_timeout(api: Api) -> None:
    with client_with(api, ApiLimits(request_timeout_seconds=0.5)) as client, database_locked(api):
        body = post(client, api.token, CREATE).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"


def test_a_client_that_goes_away_is_not_answered_and_frees_the_server(api: Api) -> None:
    app = limited_app(api, ApiLimits())
    request = json.dumps({"query": CREATE}).encode()
    sent: list[Message] = []

    async def scenario() -> None:
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": request, "more_body": False}
            await asyncio.sleep(0.2)
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)

        headers = [
            (b"authorization", f"Bearer {api.token}".encode()),
            (b"content-type", b"application/json"),
        ]
        await asyncio.wait_for(app(post_scope("/graphql", headers), receive, send), timeout=5)

    with database_locked(api):
        asyncio.run(scenario())
    assert sent == []


def test_an_upload_over_its_limit_is_refused_while_it_streams(api: Api) -> None:
    app = limited_app(api, ApiLimits(max_upload_bytes=64 * 1024))
    headers = [
        (b"authorization", f"Bearer {api.token}".encode()),
        (b"content-type", b"multipart/form-data; boundary=xyz"),
    ]
    part = (
        b'--xyz\r\nContent-Disposition: form-data; name="0"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    status, read = asyncio.run(_drive(app, "/graphql", 1000, b"y" * 8192, headers, part))
    assert status == 413
    assert read <= 64 * 1024 + 8192 + len(part)


@pytest.mark.parametrize(
    "variables", ["[" * 5000 + "]" * 5000, "{bad", '"x"'], ids=["deep", "broken", "string"]
)
def test_bad_variables_over_get_are_400(api: Api, variables: str) -> None:
    response = api.client.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": variables},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "operations",
    [b'"hello"', b"[" * 5000 + b"]" * 5000, b'{"query": "{ __typename }", "operationName": 5}'],
)
def test_bad_multipart_operations_are_400(api: Api, operations: bytes) -> None:
    body = (
        b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        + operations
        + b'\r\n--x\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n--x--\r\n'
    )
    response = api.client.post(
        "/graphql",
        content=body,
        headers={
            "Authorization": f"Bearer {api.token}",
            "Content-Type": "multipart/form-data; boundary=x",
        },
    )
    assert response.status_code == 400


def test_an_app_stopped_and_started_again_still_answers(api: Api) -> None:
    app = limited_app(api, ApiLimits())
    for _ in range(2):
        with TestClient(app) as client:
            assert post(client, api.token, "{ __typename }").json()["data"] == {
                "__typename": "Query"
            }
