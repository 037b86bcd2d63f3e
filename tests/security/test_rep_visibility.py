"""Over random owners, teams, managers, shares and roles, an actor never receives through
the API a customer-side record outside their visibility: not in a list, a count, a
relation, ``node(id:)``, a timeline, a segment preview or size, duplicates or an export;
and an actor whose scope is ``ALL`` receives every one.

Each example builds a world of its own (fresh users, teams and records) in one app per
storage kind, and works out what the actor may see from the world alone, independently of
the code under test.
"""

from __future__ import annotations

import io
import itertools
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from attrs import define, field
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from adapters.files.customer_export import write_customers_csv
from adapters.graphql.app import create_app
from adapters.graphql.limits import ApiLimits
from adapters.graphql.relay import from_global_id, to_global_id
from application.access.bundle import Access
from application.activities.bundle import Activities
from application.activities.commands import NewActivity
from application.behaviour.bundle import Behaviour
from application.behaviour.tracking import IncomingEvent
from application.companies.bundle import Companies
from application.companies.commands import NewCompany
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.customers.views import CustomerFilter
from application.orders.bundle import Orders
from application.orders.commands import NewOrder, NewOrderLine
from application.principal import Principal
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from application.tags.bundle import Tags
from application.tags.commands import NewTag
from bootstrap import Container, Settings, build_container
from domain.access.roles import BUILT_IN_ROLES, Resource, Role, Scope
from domain.access.sharing import RecordShare
from domain.access.visibility import EVERYTHING
from domain.activities import ActivityKind

ROLES = list(Role)
TEAMS = [None, "Alpha", "Beta"]
PHONES = [None, "+442071838750", "+442071838751"]
_worlds = itertools.count(1)


@define
class Served:
    client: TestClient
    container: Container


@pytest.fixture(
    scope="module",
    params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def served(
    request: pytest.FixtureRequest,
    migrated_sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """One app per storage kind for the whole module; each example adds its own world."""
    env: dict[str, str] = {}
    if request.param == "memory":
        env["RAPPORT_STORAGE"] = "memory"
    elif request.param == "sqlite":
        path = tmp_path_factory.mktemp("visibility") / "api.db"
        shutil.copyfile(migrated_sqlite_template, path)
        env["RAPPORT_DATABASE_URL"] = f"sqlite:///{path}"
    else:
        schema = request.getfixturevalue("postgres_schema")
        env["RAPPORT_DATABASE_URL"] = str(schema.writer.url.render_as_string(hide_password=False))
    container = build_container(Settings.from_env(env))
    app = create_app(
        container.services(), container.use(Access).authenticate, limits=ApiLimits.unlimited()
    )
    with TestClient(app) as client:
        yield Served(client, container)
    if request.param != "memory":
        container.database().dispose()


@define
class World:
    """Everything an example made, and who owns it."""

    users: list[str] = field(factory=list)
    teams: dict[str, str | None] = field(factory=dict)
    managers: dict[str, str | None] = field(factory=dict)
    team_ids: dict[str, str] = field(factory=dict)
    customers: dict[str, str] = field(factory=dict)
    """Owner by customer id."""
    companies: dict[str, str] = field(factory=dict)
    customer_shares: list[tuple[str, str]] = field(factory=list)
    """(record id, "user:<id>" or "team:<id>")."""
    company_shares: list[tuple[str, str]] = field(factory=list)
    belongs_to: dict[str, tuple[str, str]] = field(factory=dict)
    """The node type and the customer id of each order, activity and tracked event."""
    tagged: set[str] = field(factory=set)
    segment: str | None = None
    tag: str = ""


def _owners(world: World, actor: str, scope: Scope) -> set[str] | None:
    if scope is Scope.ALL:
        return None
    if scope is Scope.OWN:
        return {actor}
    team = world.teams[actor]
    mates = {user for user in world.users if team is not None and world.teams[user] == team}
    reports: set[str] = set()
    frontier = {actor}
    while frontier:
        frontier = {u for u in world.users if world.managers[u] in frontier} - reports
        reports |= frontier
    return {actor} | mates | reports


def _visible(
    world: World, actor: str, role: Role, resource: Resource, owners_by_id: dict[str, str]
) -> set[str]:
    owners = _owners(world, actor, BUILT_IN_ROLES[role.value].scope(resource))
    if owners is None:
        return set(owners_by_id)
    team = world.teams[actor]
    targets = {f"user:{actor}"} | ({f"team:{world.team_ids[team]}"} if team else set())
    shares = world.customer_shares if resource is Resource.CUSTOMERS else world.company_shares
    shared = {record for record, target in shares if target in targets}
    return {rid for rid, owner in owners_by_id.items() if owner in owners or rid in shared}


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    users = draw(st.integers(2, 4))
    return {
        "teams": draw(st.lists(st.sampled_from(TEAMS), min_size=users, max_size=users)),
        "managers": [
            draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None for i in range(users)
        ],
        "roles": draw(st.lists(st.sampled_from(ROLES), min_size=users, max_size=users)),
        "actor": draw(st.integers(0, users - 1)),
        "companies": draw(st.lists(st.integers(-1, users - 1), max_size=3)),
        "customers": draw(
            st.lists(
                st.tuples(st.integers(-1, users - 1), st.integers(-1, 2), st.sampled_from(PHONES)),
                min_size=1,
                max_size=6,
            )
        ),
        "shares": draw(
            st.lists(
                st.tuples(
                    st.booleans(), st.integers(0, 5), st.booleans(), st.integers(0, users - 1)
                ),
                max_size=4,
            )
        ),
        "orders": draw(st.lists(st.integers(0, 5), max_size=4)),
        "activities": draw(st.lists(st.integers(0, 5), max_size=4)),
        "events": draw(st.lists(st.integers(0, 5), max_size=3)),
        "tagged": draw(st.lists(st.integers(0, 5), max_size=4)),
    }


def _build(container: Container, plan: dict[str, Any]) -> tuple[World, str, Role]:
    n = next(_worlds)
    system = Principal.system()
    access = container.use(Access)
    world = World()
    emails: list[str] = []
    for index, (team, manager) in enumerate(zip(plan["teams"], plan["managers"], strict=True)):
        email = f"w{n}u{index}@example.com"
        user = access.register_user(
            system,
            name=f"W{n} U{index}",
            email=email,
            role=plan["roles"][index].value,
            team=f"{team} {n}" if team else None,
            manager_email=emails[manager] if manager is not None else None,
        )
        emails.append(email)
        world.users.append(user.id)
        world.teams[user.id] = f"{team} {n}" if team else None
        world.managers[user.id] = world.users[manager] if manager is not None else None
    with container.storage.unit_of_work() as uow:
        for name in {team for team in world.teams.values() if team}:
            found = uow.teams.get_by_name(name)
            assert found is not None
            world.team_ids[name] = found.id

    def owner(index: int) -> str | None:
        return world.users[index] if index >= 0 else None

    companies = container.use(Companies)
    company_ids = [
        companies.create(system, NewCompany(name=f"W{n} C{i}", owner_id=owner(o))).id
        for i, o in enumerate(plan["companies"])
    ]
    for company_id in company_ids:
        view = companies.get(system, [company_id])[company_id]
        world.companies[company_id] = view.owner_id
    customers = container.use(Customers)
    for i, (o, company, phone) in enumerate(plan["customers"]):
        view = customers.create(
            system,
            NewCustomer(
                first_name=f"W{n}",
                last_name=f"P{i}",
                phone=phone,
                owner_id=owner(o),
                company_id=company_ids[company] if 0 <= company < len(company_ids) else None,
            ),
        )
        world.customers[view.id] = view.owner_id
    people = list(world.customers)

    def person(index: int) -> str:
        return people[index % len(people)]

    now = datetime.now(UTC)
    with container.storage.unit_of_work() as uow:
        for to_company, record, to_team, target in plan["shares"]:
            kind = Resource.COMPANIES if to_company and company_ids else Resource.CUSTOMERS
            ids = company_ids if kind is Resource.COMPANIES else people
            record_id = ids[record % len(ids)]
            user_id = world.users[target]
            team_name = world.teams[user_id]
            team_id = world.team_ids[team_name] if to_team and team_name else None
            uow.record_shares.add(
                RecordShare.grant(
                    resource=kind,
                    record_id=record_id,
                    user_id=None if team_id else user_id,
                    team_id=team_id,
                    shared_by="system",
                    at=now,
                )
            )
            shares = world.company_shares if kind is Resource.COMPANIES else world.customer_shares
            shares.append((record_id, f"team:{team_id}" if team_id else f"user:{user_id}"))
        uow.commit()
    orders = container.use(Orders)
    for index in plan["orders"]:
        line = NewOrderLine(sku="s", name="Thing", quantity=1, unit_price="5.00")
        new = NewOrder(customer_id=person(index), placed_at=now, currency="USD", lines=[line])
        world.belongs_to[orders.record(system, new).id] = ("Order", person(index))
    activities = container.use(Activities)
    for index in plan["activities"]:
        logged = activities.log(
            system, NewActivity(customer_id=person(index), kind=ActivityKind.NOTE, body="n")
        )
        world.belongs_to[logged.id] = ("Activity", person(index))
    if plan["events"]:
        container.use(Behaviour).track(
            system,
            [IncomingEvent(customer_id=person(i), name="Signed In") for i in plan["events"]],
        )
    tags = container.use(Tags)
    tag = tags.create(system, NewTag(name=f"w{n}", colour="#1f77b4"))
    world.tag = tag.id
    if plan["tagged"]:
        world.tagged = {person(i) for i in plan["tagged"]}
        tags.tag(system, sorted(world.tagged), [tag.id])
    segments = container.use(Segments)
    world.segment = segments.create(system, NewSegment(name=f"W{n}", rule=f'tag("w{n}")')).id
    timeline = container.storage.timeline_reader()
    for customer_id in people:
        entries = timeline.slice(customer_id, visible=EVERYTHING, kinds=None, after=None, limit=99)
        for entry in entries:
            if entry.subject_type in ("Order", "Activity", "BehaviourEvent"):
                world.belongs_to.setdefault(entry.subject_id, (entry.subject_type, customer_id))
    actor = world.users[plan["actor"]]
    return world, actor, plan["roles"][plan["actor"]]


CONNECTION = "totalCount edges { node { id } }"
CUSTOMER = f"""
  id
  company {{ id people(first: 50) {{ {CONNECTION} }} }}
  orders(first: 50) {{ totalCount edges {{ node {{ id customer {{ id }} }} }} }}
  activities(first: 50) {{ {CONNECTION} }}
  timeline(first: 50) {{ totalCount edges {{ node {{ id subject {{ id }} }} }} }}
  segments {{ id size }}
"""
ROOTS = f"""
query World($segment: ID!, $rule: String!) {{
  customers(first: 100, filter: {{includeArchived: true}}) {{
    totalCount edges {{ node {{ {CUSTOMER} }} }}
  }}
  companies(first: 100) {{
    totalCount
    edges {{ node {{
      id
      people(first: 50) {{ totalCount edges {{ node {{ {CUSTOMER} }} }} }}
      orders(first: 50) {{ totalCount edges {{ node {{ id customer {{ id }} }} }} }}
    }} }}
  }}
  duplicateCandidates(first: 100) {{
    totalCount edges {{ node {{ customer {{ id }} other {{ id }} }} }}
  }}
  previewSegment(rule: $rule) {{ count sample(first: 100) {{ id }} }}
  segment(id: $segment) {{ size members(first: 100) {{ {CONNECTION} }} }}
}}
"""


def _query(served: Served, token: str, document: str, **variables: Any) -> dict[str, Any]:
    response = served.client.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(found: object, into: dict[str, set[str]]) -> None:
    """Every global id anywhere in ``found``, by type."""
    if isinstance(found, dict):
        for key, value in found.items():
            if key == "id" and isinstance(value, str):
                kind, local = from_global_id(value)
                into.setdefault(kind, set()).add(local)
            else:
                _ids(value, into)
    elif isinstance(found, list):
        for item in found:
            _ids(item, into)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=worlds())
def test_an_actor_receives_only_what_they_may_see(served: Served, plan: dict[str, Any]) -> None:
    container = served.container
    world, actor, role = _build(container, plan)
    note(f"{world!r}\nactor={actor} role={role}")
    customers = _visible(world, actor, role, Resource.CUSTOMERS, world.customers)
    companies = _visible(world, actor, role, Resource.COMPANIES, world.companies)
    derived = {rid for rid, (_, cid) in world.belongs_to.items() if cid in customers}
    email = container.use(Access).users.get_many([actor])[actor].email
    token = (
        container.use(Access)
        .issue_api_key(Principal.system(), role=role.value, name="t", user_email=email)
        .token
    )
    body = _query(
        served,
        token,
        ROOTS,
        segment=to_global_id("Segment", world.segment or ""),
        rule=f'tag("{container.use(Tags).get(Principal.system(), [world.tag])[world.tag].name}")',
    )
    assert "errors" not in body, body["errors"]
    data = body["data"]
    everything_made = set(world.customers) | set(world.companies) | set(world.belongs_to)
    nodes = " ".join(
        f'n{i}: node(id: "{to_global_id(kind, rid)}") {{ id }}'
        for i, (kind, rid) in enumerate(
            [("Customer", c) for c in world.customers]
            + [("Company", c) for c in world.companies]
            + [(kind, rid) for rid, (kind, _) in world.belongs_to.items()]
        )
    )
    by_node = _query(served, token, f"{{ {nodes} }}") if nodes else {"data": {}}
    received: dict[str, set[str]] = {}
    _ids(body.get("data"), received)
    _ids(by_node.get("data"), received)
    ours = {kind: ids & everything_made for kind, ids in received.items()}
    mine = set(world.customers)
    assert ours.get("Customer", set()) & mine <= customers
    assert ours.get("Company", set()) & set(world.companies) <= companies
    for kind in ("Order", "Activity", "BehaviourEvent"):
        assert ours.get(kind, set()) <= derived, kind
    if not _unrestricted(role):
        # Counts tell of nothing hidden: everything a restricted actor may see in this app
        # is in this world (earlier examples' records belong to other users).
        assert data["customers"]["totalCount"] == len(customers)
        assert {edge["node"]["id"] for edge in data["customers"]["edges"]} == {
            to_global_id("Customer", c) for c in customers
        }
        members = world.tagged & customers
        assert data["previewSegment"]["count"] == len(members)
        assert data["segment"]["size"] == len(members)
        assert data["segment"]["members"]["totalCount"] == len(members)
        for edge in data["customers"]["edges"]:
            node = edge["node"]
            cid = from_global_id(node["id"])[1]
            orders = {r for r, (k, c) in world.belongs_to.items() if k == "Order" and c == cid}
            assert node["orders"]["totalCount"] == len(orders)
            activities = [
                r for r, (k, c) in world.belongs_to.items() if k == "Activity" and c == cid
            ]
            assert node["activities"]["totalCount"] == len(activities)
    if BUILT_IN_ROLES[role.value].scope(Resource.COMPANIES) is not Scope.ALL:
        assert data["companies"]["totalCount"] == len(companies)
        for edge in data["companies"]["edges"]:
            people = edge["node"]["people"]
            assert people["totalCount"] == len(people["edges"])
    # The export, as the command line writes it, for this actor.
    principal = container.use(Access).authenticate(token)
    assert principal is not None
    out = io.StringIO()
    write_customers_csv(
        out,
        container.use(Customers).list,
        container.use(Customers).get,
        principal,
        CustomerFilter(include_archived=True),
        {},
    )
    exported = {line.split(",")[0] for line in out.getvalue().splitlines()[1:]}
    assert exported & mine <= customers
    if _unrestricted(role):
        assert mine <= ours.get("Customer", set())
        assert set(world.companies) <= ours.get("Company", set())
        assert mine <= exported
    else:
        # What is visible is there too: the restriction hides, it does not lose.
        assert customers <= ours.get("Customer", set())
        assert customers <= exported


def _unrestricted(role: Role) -> bool:
    return BUILT_IN_ROLES[role.value].scope(Resource.CUSTOMERS) is Scope.ALL
