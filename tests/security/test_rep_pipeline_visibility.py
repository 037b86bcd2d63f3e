"""Over random teams, managers, owners, shares and roles, an actor authenticated with a real
API key receives through the pipeline's GraphQL queries only the deals, leads and tasks
they may see, and every figure sums exactly those; on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from attrs import frozen
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from adapters.graphql.relay import from_global_id, to_global_id
from application.access.bundle import Access
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.pipeline.bundle import Sales
from application.pipeline.leads import NewLead
from application.pipeline.opportunities import NewOpportunity
from application.pipeline.tasks import NewTask
from application.principal import Principal
from bootstrap import Container, Settings, build_container
from domain.access.roles import BUILT_IN_ROLES, Resource, Role, Scope
from domain.access.sharing import RecordShare
from domain.pipeline import Outcome
from tests.conftest import reset_postgres
from tests.graphql.conftest import Api

KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TEAMS = ("North", "South")
ROLES = [role.value for role in Role]
SYSTEM = Principal.system()
EXAMPLES = 15


@frozen
class UserPlan:
    role: str
    team: str | None
    manager: int | None
    """Index of an earlier user, or none."""


@frozen
class RecordPlan:
    owner: int | None
    shared_with_user: int | None
    shared_with_team: str | None
    outcome: str
    """open, won or lost (deals); done or open (tasks)."""
    amount: int


@frozen
class WorldPlan:
    users: tuple[UserPlan, ...]
    deals: tuple[RecordPlan, ...]
    leads: tuple[RecordPlan, ...]
    tasks: tuple[RecordPlan, ...]
    actor: int


@st.composite
def worlds(draw: st.DrawFn) -> WorldPlan:
    size = draw(st.integers(2, 5))
    users = tuple(
        UserPlan(
            role=draw(st.sampled_from(ROLES)),
            team=draw(st.sampled_from((*TEAMS, None))),
            manager=draw(st.none() | st.integers(0, index - 1)) if index else None,
        )
        for index in range(size)
    )
    people = st.integers(0, size - 1)

    def records(owner: st.SearchStrategy[int | None], outcomes: tuple[str, ...]) -> Any:
        return st.lists(
            st.builds(
                RecordPlan,
                owner=owner,
                shared_with_user=st.none() | people,
                shared_with_team=st.none() | st.sampled_from(TEAMS),
                outcome=st.sampled_from(outcomes),
                amount=st.integers(1, 9_999),
            ),
            max_size=4,
        ).map(tuple)

    return WorldPlan(
        users=users,
        deals=draw(records(people, ("open", "open", "won", "lost"))),
        leads=draw(records(st.none() | people, ("open",))),
        tasks=draw(records(people, ("open", "done"))),
        actor=draw(people),
    )


@frozen
class Stored:
    """A record as the test made it: who owns it and with whom it is shared."""

    id: str
    owner: str | None
    user_shares: frozenset[str]
    team_shares: frozenset[str]
    outcome: str
    amount: int
    stage_id: str = ""


@frozen
class Person:
    id: str
    role: str
    team_id: str | None
    manager_id: str | None


def may_see(actor: Person, people: list[Person], resource: Resource, record: Stored) -> bool:
    """What the role's scope, the team, the reports and the shares admit, worked out here
    independently of the application."""
    scope = BUILT_IN_ROLES[actor.role].scope(resource)
    if scope is Scope.ALL:
        return True
    owners = {actor.id}
    if scope is Scope.TEAM:
        owners |= {p.id for p in people if actor.team_id and p.team_id == actor.team_id}
        reports = {actor.id}
        while True:
            more = {p.id for p in people if p.manager_id in reports} - reports
            if not more:
                break
            reports |= more
        owners |= reports
    shared = actor.id in record.user_shares or (
        actor.team_id is not None and actor.team_id in record.team_shares
    )
    return record.owner in owners or shared


@contextmanager
def served_app(kind: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[Api]:
    if kind == "memory":
        env = {"RAPPORT_STORAGE": "memory"}
    elif kind == "sqlite":
        path = folder / "world.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), path)
        env = {"RAPPORT_DATABASE_URL": f"sqlite:///{path}"}
    else:
        database = request.getfixturevalue("postgres_schema")
        reset_postgres(database)
        env = {"RAPPORT_DATABASE_URL": database.writer.url.render_as_string(hide_password=False)}
    container = build_container(Settings.from_env(env))
    app = create_app(container.services(), container.use(Access).authenticate)
    with TestClient(app) as client:
        yield Api(client, container, "", [])
    if kind != "memory":
        container.database().dispose()


@frozen
class World:
    people: list[Person]
    deals: list[Stored]
    leads: list[Stored]
    tasks: list[Stored]
    customer_id: str
    pipeline_id: str
    probability: dict[str, int]
    token: str
    actor: Person

    def visible(self, resource: Resource, records: list[Stored]) -> set[str]:
        return {r.id for r in records if may_see(self.actor, self.people, resource, r)}


def build_world(container: Container, plan: WorldPlan, serial: int) -> World:
    access, sales = container.use(Access), container.use(Sales)
    people: list[Person] = []
    emails: list[str] = []
    for index, user in enumerate(plan.users):
        email = f"u{serial}-{index}@example.com"
        view = access.register_user(
            SYSTEM,
            name=f"User {index}",
            email=email,
            role=user.role,
            team=f"{user.team} {serial}" if user.team else None,
            manager_email=emails[user.manager] if user.manager is not None else None,
        )
        emails.append(email)
        people.append(Person(view.id, user.role, view.team_id, view.manager_id))
    team_ids = {
        team: next(
            (p.team_id for p, u in zip(people, plan.users, strict=True) if u.team == team), None
        )
        for team in TEAMS
    }
    customer = container.use(Customers).create(SYSTEM, NewCustomer(first_name=f"C{serial}"))
    (pipeline,) = [p for p in sales.read_pipeline.pipelines(SYSTEM) if p.is_default]
    first, second = pipeline.stages[0].id, pipeline.stages[1].id

    def shares(record: RecordPlan) -> tuple[frozenset[str], frozenset[str]]:
        users = (
            {people[record.shared_with_user].id} if record.shared_with_user is not None else set()
        )
        team = team_ids.get(record.shared_with_team or "")
        return frozenset(users), frozenset({team} if team else ())

    deals = []
    for index, record in enumerate(plan.deals):
        assert record.owner is not None
        owner = people[record.owner].id
        deal = sales.create_opportunity(
            SYSTEM,
            NewOpportunity(
                name=f"Deal {index}",
                customer_id=customer.id,
                owner_id=owner,
                currency="EUR",
                amount=str(record.amount),
                expected_close_date=date(2030, 1 + index % 12, 1),
                next_step="Call",
            ),
        )
        stage = first
        if index % 2:
            sales.move_opportunity(SYSTEM, deal.id, second)
            stage = second
        if record.outcome != "open":
            outcome = Outcome.WON if record.outcome == "won" else Outcome.LOST
            sales.close_opportunity(SYSTEM, deal.id, outcome, "decided")
        users, teams = shares(record)
        deals.append(Stored(deal.id, owner, users, teams, record.outcome, record.amount, stage))
    leads = []
    for index, record in enumerate(plan.leads):
        lead = sales.create_lead(SYSTEM, NewLead(email=f"lead{serial}-{index}@example.com"))
        owner = people[record.owner].id if record.owner is not None else None
        if owner is not None:
            with container.storage.unit_of_work() as uow:
                stored = uow.leads.get(lead.id)
                assert stored is not None
                stored.assign(owner, due_at=None, at=datetime.now(UTC), by="system")
                uow.commit()
        users, teams = shares(record)
        leads.append(Stored(lead.id, owner, users, teams, record.outcome, record.amount))
    tasks = []
    for index, record in enumerate(plan.tasks):
        assert record.owner is not None
        owner = people[record.owner].id
        task = sales.create_task(
            SYSTEM,
            NewTask(
                kind="call",
                title=f"Task {index}",
                due_at=datetime.now(UTC) + timedelta(days=1),
                assignee_id=owner,
                customer_id=customer.id,
            ),
        )
        if record.outcome == "done":
            sales.complete_task(SYSTEM, task.id)
        users, teams = shares(record)
        tasks.append(Stored(task.id, owner, users, teams, record.outcome, record.amount))
    with container.storage.unit_of_work() as uow:
        now = datetime.now(UTC)
        for resource, stored_records in (
            (Resource.DEALS, deals),
            (Resource.LEADS, leads),
            (Resource.TASKS, tasks),
        ):
            for r in stored_records:
                for user_id in r.user_shares:
                    uow.record_shares.add(
                        RecordShare.grant(
                            resource=resource,
                            record_id=r.id,
                            user_id=user_id,
                            shared_by="system",
                            at=now,
                        )
                    )
                for team_id in r.team_shares:
                    uow.record_shares.add(
                        RecordShare.grant(
                            resource=resource,
                            record_id=r.id,
                            team_id=team_id,
                            shared_by="system",
                            at=now,
                        )
                    )
        uow.commit()
    actor = people[plan.actor]
    token = access.issue_api_key(
        SYSTEM, role=actor.role, name="property", user_email=emails[plan.actor]
    ).token
    return World(
        people,
        deals,
        leads,
        tasks,
        customer.id,
        pipeline.id,
        {s.id: s.probability for s in pipeline.stages},
        token,
        actor,
    )


PAGE = "first: 100) { totalCount edges { node { id } } }"
LIST = "query($customer: ID!) { %s(" + PAGE + " customer(id: $customer) { %s(" + PAGE + " } }"
FIGURES = """
query($pipeline: ID!, $from: DateTime!, $to: DateTime!) {
  pipelineBoard(pipelineId: $pipeline) {
    count totals { amount currency }
    columns { count opportunities(first: 100) { totalCount edges { node { id } } } }
  }
  salesFunnel(pipelineId: $pipeline, from: $from, to: $to) {
    won lost stages { entered }
  }
  salesForecast(pipelineId: $pipeline, period: MONTH, groupBy: OWNER) {
    count amount { amount } weighted { amount } owner { id }
  }
}"""


def local_ids(connection: dict[str, Any]) -> set[str]:
    found = {from_global_id(edge["node"]["id"])[1] for edge in connection["edges"]}
    assert connection["totalCount"] == len(found)
    return found


def allowed(api: Api, world: World, document: str, **variables: Any) -> dict[str, Any] | None:
    """The data, or ``None`` when the actor's role may not read this at all (FORBIDDEN) or
    may not read a field it selects (FORBIDDEN_FIELD: a support agent and deal amounts)."""
    body = api.query(document, world.token, **variables)
    if "errors" in body:
        codes = {error.get("extensions", {}).get("code") for error in body["errors"]}
        assert codes in ({"FORBIDDEN"}, {"FORBIDDEN_FIELD"}), body["errors"]
        return None
    data: dict[str, Any] = body["data"]
    return data


def check_world(api: Api, world: World) -> None:
    deals = world.visible(Resource.DEALS, world.deals)
    leads = world.visible(Resource.LEADS, world.leads)
    tasks = world.visible(Resource.TASKS, world.tasks)
    customer_gid = to_global_id("Customer", world.customer_id)
    for name, expected in (("opportunities", deals), ("leads", leads), ("tasks", tasks)):
        data = allowed(api, world, LIST % (name, name), customer=customer_gid)
        if data is None:
            continue
        assert local_ids(data[name]) == expected, name
        # The customer may be out of the actor's sight itself; if not, only visible records.
        # (Each lead came with a customer of its own, so this customer has none.)
        if data["customer"] is not None and name != "leads":
            assert local_ids(data["customer"][name]) == expected, f"customer.{name}"
    for type_name, records, visible, field in (
        ("Opportunity", world.deals, deals, "opportunity"),
        ("Lead", world.leads, leads, "lead"),
        ("Task", world.tasks, tasks, "task"),
    ):
        for record in records:
            gid = to_global_id(type_name, record.id)
            data = allowed(api, world, f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", id=gid)
            if data is None:
                continue
            assert (data[field] is not None) == (record.id in visible), (field, record)
            node = api.data("query($id: ID!) { node(id: $id) { id } }", world.token, id=gid)
            assert (node["node"] is not None) == (record.id in visible), ("node", record)
    now = datetime.now(UTC)
    figures = allowed(
        api,
        world,
        FIGURES,
        pipeline=to_global_id("Pipeline", world.pipeline_id),
        **{
            "from": (now - timedelta(days=1)).isoformat(),
            "to": (now + timedelta(days=1)).isoformat(),
        },
    )
    if figures is None:
        return
    seen = [d for d in world.deals if d.id in deals]
    open_seen = [d for d in seen if d.outcome == "open"]
    board = figures["pipelineBoard"]
    assert board["count"] == len(open_seen)
    on_board = set().union(*(local_ids(c["opportunities"]) for c in board["columns"]))
    assert on_board == {d.id for d in open_seen}
    assert sum(c["count"] for c in board["columns"]) == len(open_seen)
    total = sum(Decimal(t["amount"]) for t in board["totals"])
    assert total == sum(Decimal(d.amount) for d in open_seen)
    funnel = figures["salesFunnel"]
    assert funnel["won"] == sum(1 for d in seen if d.outcome == "won")
    assert funnel["lost"] == sum(1 for d in seen if d.outcome == "lost")
    assert funnel["stages"][0]["entered"] == len(seen)
    forecast = figures["salesForecast"]
    assert sum(line["count"] for line in forecast) == len(open_seen)
    assert sum(Decimal(line["amount"]["amount"]) for line in forecast) == sum(
        Decimal(d.amount) for d in open_seen
    )
    weighted = sum(Decimal(line["weighted"]["amount"]) for line in forecast)
    expected_weighted = sum(
        Decimal(d.amount) * world.probability[d.stage_id] / 100 for d in open_seen
    )
    assert abs(weighted - expected_weighted) < Decimal("0.01") * max(1, len(open_seen))
    owners = {from_global_id(line["owner"]["id"])[1] for line in forecast if line["owner"]}
    assert owners <= {d.owner for d in open_seen}


@pytest.mark.parametrize("kind", KINDS)
def test_an_actor_receives_only_the_pipeline_records_they_may_see(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    serials = count()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        # Each example serves a fresh app: shrinking would take minutes, the plan is small.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(plan=worlds())
    def check(plan: WorldPlan) -> None:
        serial = next(serials)
        folder = tmp_path / str(serial)
        folder.mkdir()
        with served_app(kind, request, folder) as api:
            check_world(api, build_world(api.container, plan, serial))

    check()
