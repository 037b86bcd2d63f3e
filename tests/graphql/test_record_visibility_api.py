"""Record-level access through the API: a customer outside a rep's reach is answered as
one that does not exist, changing an owner needs the assign permission, and subscriptions
deliver only what the subscriber may see."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from attrs import frozen
from starlette.testclient import TestClient

from adapters.graphql.relay import to_global_id
from application.access.bundle import Access
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.principal import Principal
from bootstrap import Container, Settings, asgi_app, build_container
from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.graphql.live_socket import payload, subscribed

CUSTOMER = "query($id: ID!) { customer(id: $id) { id } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
ERRORS = "userErrors { field code message }"
UPDATE = f"""
mutation($input: UpdateCustomerInput!) {{
  updateCustomer(input: $input) {{ customer {{ id owner {{ id }} }} {ERRORS} }}
}}"""
ARCHIVE = f"""
mutation($id: ID!) {{ archiveCustomer(input: {{id: $id}}) {{ customer {{ id }} {ERRORS} }} }}"""
LOG = f"""
mutation($id: ID!) {{
  logActivity(input: {{customerId: $id, kind: NOTE, body: "hi"}}) {{ activity {{ id }} {ERRORS} }}
}}"""
MERGE = f"""
mutation($survivor: ID!, $duplicate: ID!) {{
  mergeCustomers(input: {{survivorId: $survivor, duplicateIds: [$duplicate]}}) {{
    customer {{ id }} {ERRORS}
  }}
}}"""
CREATE = f"""
mutation($input: CreateCustomerInput!) {{
  createCustomer(input: $input) {{ customer {{ id owner {{ id }} }} {ERRORS} }}
}}"""


@frozen
class Team:
    rep: str
    rep_id: str
    colleague_id: str
    manager: str
    mine: str
    theirs: str
    outsiders: str
    """A customer of a rep outside the manager's team."""


def _user(api_container: Container, email: str, role: Role, **extra: Any) -> tuple[str, str]:
    """A registered user's id and an API key of theirs."""
    access = api_container.use(Access)
    user = access.register_user(
        Principal.system(), name=email.split("@")[0], email=email, role=role.value, **extra
    )
    token = access.issue_api_key(
        Principal.system(), role=role.value, name="k", user_email=email
    ).token
    return user.id, token


def _customer(container: Container, owner_id: str, name: str) -> str:
    view = container.use(Customers).create(
        Principal.system(), NewCustomer(first_name=name, owner_id=owner_id)
    )
    return to_global_id("Customer", view.id)


@pytest.fixture
def team(api: Api) -> Team:
    _, manager = _user(api.container, "boss@example.com", Role.SALES_MANAGER, team="North")
    rep_id, rep = _user(
        api.container, "rep@example.com", Role.SALES_REP, manager_email="boss@example.com"
    )
    colleague_id, _ = _user(
        api.container, "mate@example.com", Role.SALES_REP, manager_email="boss@example.com"
    )
    outsider_id, _ = _user(api.container, "far@example.com", Role.SALES_REP, team="South")
    return Team(
        rep=rep,
        rep_id=rep_id,
        colleague_id=colleague_id,
        manager=manager,
        mine=_customer(api.container, rep_id, "Mine"),
        theirs=_customer(api.container, colleague_id, "Theirs"),
        outsiders=_customer(api.container, outsider_id, "Far"),
    )


MISSING = to_global_id("Customer", "no-such-customer")
"""A well-formed id of a customer that does not exist."""


def test_an_invisible_customer_reads_as_a_missing_one(api: Api, team: Team) -> None:
    for document in (CUSTOMER, NODE):
        hidden = api.query(document, team.rep, id=team.theirs)
        missing = api.query(document, team.rep, id=MISSING)
        assert hidden == missing
        assert "errors" not in hidden
        assert next(iter(hidden["data"].values())) is None
        seen = api.data(document, team.rep, id=team.mine)
        assert next(iter(seen.values())) == {"id": team.mine}


def _errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body["errors"]
    (payload_,) = body["data"].values()
    errors: list[dict[str, Any]] = payload_["userErrors"]
    return errors


def test_changes_to_an_invisible_customer_are_refused_as_if_it_did_not_exist(
    api: Api, team: Team
) -> None:
    # The rep may update and log activities; the manager may archive and merge too, but
    # reaches only their team's customers.
    cases = [
        (team.rep, team.theirs, UPDATE, lambda id_: {"input": {"id": id_, "version": 1}}),
        (team.rep, team.theirs, LOG, lambda id_: {"id": id_}),
        (team.manager, team.outsiders, ARCHIVE, lambda id_: {"id": id_}),
        (
            team.manager,
            team.outsiders,
            MERGE,
            lambda id_: {"survivor": team.mine, "duplicate": id_},
        ),
        (
            team.manager,
            team.outsiders,
            MERGE,
            lambda id_: {"survivor": id_, "duplicate": team.mine},
        ),
    ]
    for token, hidden_id, document, variables in cases:
        hidden = _errors(api.query(document, token, **variables(hidden_id)))
        missing = _errors(api.query(document, token, **variables(MISSING)))
        assert hidden == missing
        assert hidden and hidden[0]["code"] == "NOT_FOUND"
    # Nothing changed: the hidden customers are as they were.
    for hidden_id, name in ((team.theirs, "Theirs"), (team.outsiders, "Far")):
        admin_view = api.data(
            "query($id: ID!) { customer(id: $id) { firstName archivedAt version } }", id=hidden_id
        )
        assert admin_view["customer"] == {"firstName": name, "archivedAt": None, "version": 1}
    assert api.data(CUSTOMER, team.manager, id=team.theirs)["customer"] == {"id": team.theirs}


def test_a_rep_may_not_give_a_customer_to_a_colleague_but_a_manager_may(
    api: Api, team: Team
) -> None:
    colleague = to_global_id("User", team.colleague_id)
    move = {"input": {"id": team.mine, "version": 1, "ownerId": colleague}}
    refused = _errors(api.query(UPDATE, team.rep, **move))
    assert [error["code"] for error in refused] == ["FORBIDDEN"]
    assert api.data(CUSTOMER, team.rep, id=team.mine)["customer"] == {"id": team.mine}
    # The manager reaches their reports' customers (TEAM) and may assign them.
    moved = api.data(UPDATE, team.manager, **move)["updateCustomer"]
    assert moved["userErrors"] == []
    assert moved["customer"]["owner"] == {"id": colleague}
    # Now it is the colleague's: the rep no longer sees it.
    assert api.data(CUSTOMER, team.rep, id=team.mine)["customer"] is None


def test_a_rep_creating_for_a_colleague_is_refused(api: Api, team: Team) -> None:
    colleague = to_global_id("User", team.colleague_id)
    refused = _errors(api.query(CREATE, team.rep, input={"firstName": "New", "ownerId": colleague}))
    assert [error["code"] for error in refused] == ["FORBIDDEN"]
    ghost = to_global_id("User", "nobody")
    missing = _errors(api.query(CREATE, team.rep, input={"firstName": "New", "ownerId": ghost}))
    assert [(error["field"], error["code"]) for error in missing] == [(["ownerId"], "NOT_FOUND")]


def test_a_customer_a_rep_creates_is_theirs_and_visible_to_them(api: Api, team: Team) -> None:
    created = api.data(CREATE, team.rep, input={"firstName": "Fresh"})["createCustomer"]
    assert created["userErrors"] == []
    assert created["customer"]["owner"] == {"id": to_global_id("User", team.rep_id)}
    customer_id = created["customer"]["id"]
    assert api.data(CUSTOMER, team.rep, id=customer_id)["customer"] == {"id": customer_id}
    listed = api.data("{ customers(first: 10) { totalCount edges { node { id } } } }", team.rep)
    assert listed["customers"]["totalCount"] == 2
    assert {edge["node"]["id"] for edge in listed["customers"]["edges"]} == {
        team.mine,
        customer_id,
    }


@frozen
class Live:
    client: TestClient
    container: Container


@pytest.fixture
def live(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Live]:
    path = tmp_path / "live.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    container = build_container(settings)
    with TestClient(asgi_app(container, settings)) as client:
        yield Live(client, container)


EVENTS = "subscription { events { type subject } }"


def test_a_rep_receives_events_of_their_own_customers_only(live: Live) -> None:
    rep_id, rep = _user(live.container, "rep@example.com", Role.SALES_REP)
    colleague_id, _ = _user(live.container, "mate@example.com", Role.SALES_REP)
    with subscribed(live.client, rep, (EVENTS, {})) as socket:
        _customer(live.container, colleague_id, "Theirs")
        mine = _customer(live.container, rep_id, "Mine")
        delivered = payload(socket, "events")
    # The colleague's customer was created first, yet the first delivery is the rep's own.
    assert delivered == {"type": "CUSTOMER_CREATED", "subject": mine}
