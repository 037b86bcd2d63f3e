"""Schemathesis sends generated queries and mutations for every operation of the schema.

Nothing a client sends may make the server fail: no 5xx, and no error masked as INTERNAL.
The app runs in-process over SQLite seeded with the demo data; ids are drawn from that data
(of every kind, so also ids of the wrong type) as well as made up, so that resolvers and use
cases get past "no such id" as often as they stop there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import graphql
import pytest
import schemathesis
from attrs import frozen
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.graphql import nodes
from sqlalchemy import Table, select
from starlette.applications import Starlette

from adapters.demo.seeding import seed_demo
from adapters.graphql.app import create_app
from adapters.graphql.limits import ApiLimits
from adapters.graphql.relay import to_global_id
from adapters.graphql.schema import schema_sdl
from adapters.persistence import tables
from application.access.bundle import Access
from bootstrap import Container
from tests.graphql.conftest import admin_token, sqlite_container

EXAMPLES_PER_OPERATION: Final = 100
SEEDED_CUSTOMERS: Final = 40

# The global type name of each kind of record the ids are drawn from.
KINDS: Final[dict[str, Table]] = {
    "Customer": tables.customers,
    "Company": tables.companies,
    "User": tables.users,
    "Order": tables.orders,
    "Activity": tables.activities,
    "BehaviourEvent": tables.tracked_events,
    "Tag": tables.tags,
    "AutoTagRule": tables.auto_tag_rules,
    "Segment": tables.segments,
    "Pipeline": tables.pipelines,
    "Opportunity": tables.opportunities,
    "Lead": tables.leads,
    "SalesTeam": tables.sales_teams,
    "Task": tables.tasks,
    "WebhookSubscription": tables.webhook_subscriptions,
    "CustomFieldDefinition": tables.custom_field_definitions,
}
IDS_PER_KIND: Final = 3

seeded_ids: list[str] = []
"""Filled by the ``target`` fixture before the first example is drawn."""


def _json_node(value: object) -> graphql.ValueNode:
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([_json_node(item) for item in value])
    assert isinstance(value, dict)
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=_json_node(item))
            for key, item in value.items()
        ]
    )


# Keys of the demo's custom fields, so that values reach their checks; others too.
_json_keys = st.sampled_from(
    ["plan", "city", "newsletter", "source", "seats", "x"]
) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**31), max_value=2**31)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(_json_keys, children, max_size=3)
    ),
    max_leaves=6,
)
_made_up_ids = st.text(max_size=12) | st.builds(
    to_global_id, st.sampled_from(sorted(KINDS)), st.text(min_size=1, max_size=8)
)

# Decimals are strings on the wire; the generator also tries what the scalar must refuse.
schemathesis.graphql.scalar(
    "Decimal",
    (
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: format(d, "f"))
        | st.text(max_size=20)
    ).map(nodes.String),
)
# A JSON request carries no file: any literal for an Upload must be refused cleanly.
schemathesis.graphql.scalar("Upload", st.text(max_size=10).map(nodes.String))
schemathesis.graphql.scalar("JSON", _json.map(_json_node))
# Currency codes, known and made up: an unknown one must be refused cleanly.
schemathesis.graphql.scalar(
    "CurrencyCode",
    (st.sampled_from(["EUR", "usd", "JPY"]) | st.text(max_size=5)).map(nodes.String),
)
schemathesis.graphql.scalar(
    "CurrencyCode",
    (st.sampled_from(["EUR", "usd", "JPY"]) | st.text(max_size=4)).map(nodes.String),
)
schemathesis.graphql.scalar(
    "ID",
    (_made_up_ids | st.deferred(lambda: st.sampled_from(seeded_ids))).map(nodes.String),
)

schema = schemathesis.graphql.from_file(schema_sdl())


@frozen
class Target:
    app: Starlette
    token: str


@pytest.fixture(scope="module")
def target(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The one place the fuzzed app is built, with limits generous enough for the fuzzer."""
    container = sqlite_container(migrated_sqlite_template, tmp_path_factory.mktemp("fuzz"))
    seed_demo(container.bundles, customers=SEEDED_CUSTOMERS)
    seeded_ids[:] = _ids_of_every_kind(container)
    # Every query limit on, so that the fuzzer reaches them too; no rate or budget, which
    # 7,200 requests from one key would spend and turn into 429s that test nothing.
    limits = ApiLimits(key_rate=None, ip_rate=None, cost_budget=None)
    app = create_app(container.services(), container.use(Access).authenticate, limits=limits)
    yield Target(app, admin_token(container))
    container.database().dispose()


def _ids_of_every_kind(container: Container) -> list[str]:
    found = []
    with container.database().reader.connect() as connection:
        for kind, table in KINDS.items():
            query = select(table.c.id).order_by(table.c.id).limit(IDS_PER_KIND)
            found += [to_global_id(kind, str(row.id)) for row in connection.execute(query)]
    return found


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_makes_the_server_fail(case: Case, target: Target) -> None:
    response = case.call(
        app=target.app,
        base_url="http://testserver/graphql",
        headers={"Authorization": f"Bearer {target.token}"},
    )
    assert response.status_code < 500, f"{response.status_code} for\n{case.body}"
    body: dict[str, Any] = response.json()
    internal = [
        error
        for error in body.get("errors") or []
        if (error.get("extensions") or {}).get("code") == "INTERNAL"
    ]
    assert not internal, f"internal error for\n{case.body}"
