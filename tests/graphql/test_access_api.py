"""Users, teams, roles as data and record shares through the API."""

from __future__ import annotations

from typing import Any

from application.access.bundle import Access
from application.principal import Principal
from domain.access.roles import Resource, Role
from tests.graphql.conftest import Api

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) {
    user { id email roleKey team { name } manager { email } }
    userErrors { field code }
  }
}"""
UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id roleKey active team { id } } userErrors { field code } }
}"""
SAVE_ROLE = """
mutation($input: SaveRoleInput!) {
  saveRole(input: $input) {
    role { key builtIn permissions recordAccess { resource scope } fieldRules { field access } }
    userErrors { field code }
  }
}"""
SHARE = """
mutation($input: ShareRecordInput!) { shareRecord(input: $input) { recordId userErrors { field code } } }
"""


def _team(api: Api, name: str) -> str:
    data = api.data(
        "mutation($n: String!) { createTeam(input: {name: $n}) { team { id } userErrors { code } } }",
        n=name,
    )
    team_id: str = data["createTeam"]["team"]["id"]
    return team_id


def test_an_admin_registers_users_in_teams_under_managers(api: Api) -> None:
    east = _team(api, "East")
    boss = api.data(
        CREATE_USER,
        input={"email": "boss@example.com", "name": "Boss", "role": "sales_manager"},
    )["createUser"]["user"]
    rep = api.data(
        CREATE_USER,
        input={
            "email": "rep@example.com",
            "name": "Rep",
            "role": "agent",
            "teamId": east,
            "managerId": boss["id"],
        },
    )["createUser"]
    assert rep["userErrors"] == []
    assert rep["user"]["roleKey"] == "sales_rep"
    assert rep["user"]["team"] == {"name": "East"}
    assert rep["user"]["manager"] == {"email": "boss@example.com"}
    team = api.data("query($id: ID!) { team(id: $id) { name members { email } } }", id=east)
    assert team["team"] == {"name": "East", "members": [{"email": "rep@example.com"}]}


def test_bad_users_are_refused_with_the_field(api: Api) -> None:
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        ({"email": "x@example.com", "name": "X", "role": "wizard"}, ("role", "NOT_FOUND")),
        ({"email": "not an email", "name": "X", "role": "admin"}, ("email", "INVALID_EMAIL")),
        (
            {"email": "y@example.com", "name": "Y", "role": "admin", "teamId": "VGVhbTpub3Bl"},
            ("teamId", "NOT_FOUND"),
        ),
    ]
    for given, expected in cases:
        errors = api.data(CREATE_USER, input=given)["createUser"]["userErrors"]
        assert [(".".join(e["field"] or []), e["code"]) for e in errors] == [expected], given
    users = api.data("{ users { email } }")["users"]
    assert "x@example.com" not in {u["email"] for u in users}


def test_nobody_changes_their_own_role(api: Api) -> None:
    me = api.data("{ viewer { id } }")["viewer"]["id"]
    errors = api.data(UPDATE_USER, input={"id": me, "role": "analyst"})["updateUser"]
    assert errors["userErrors"][0]["code"] == "FORBIDDEN"
    assert api.data("{ viewer { roleKey } }")["viewer"]["roleKey"] == "admin"


def test_a_deactivated_user_is_refused_on_the_next_request(api: Api) -> None:
    token = api.key(Role.SALES_REP, "leaving@example.com")
    user_id = api.data("{ viewer { id } }", token=token)["viewer"]["id"]
    done = api.data(UPDATE_USER, input={"id": user_id, "active": False})["updateUser"]
    assert done["user"]["active"] is False
    assert api.container.use(Access).authenticate(token) is None


def test_a_custom_role_is_data_and_its_holders_get_exactly_it(api: Api) -> None:
    saved = api.data(
        SAVE_ROLE,
        input={
            "key": "auditor",
            "name": "Auditor",
            "permissions": ["customers:read"],
            "recordAccess": [{"resource": "customers", "scope": "team"}],
            "fieldRules": [{"resource": "customers", "field": "phone", "access": "hidden"}],
        },
    )["saveRole"]
    assert saved["userErrors"] == []
    assert saved["role"] == {
        "key": "auditor",
        "builtIn": False,
        "permissions": ["customers:read"],
        "recordAccess": [{"resource": "customers", "scope": "team"}],
        "fieldRules": [{"field": "phone", "access": "hidden"}],
    }
    token = api.key("auditor", "auditor@example.com")  # type: ignore[arg-type]
    viewer = api.data("{ viewer { role { key permissions } } }", token=token)["viewer"]
    assert viewer["role"] == {"key": "auditor", "permissions": ["customers:read"]}
    refused = api.query(
        'mutation { createCompany(input: {name: "Acme"}) { userErrors { code } } }', token
    )
    codes = (
        [e["code"] for e in refused["data"]["createCompany"]["userErrors"]]
        if refused.get("data") and refused["data"].get("createCompany")
        else [e["extensions"]["code"] for e in refused["errors"]]
    )
    assert codes == ["FORBIDDEN"]
    keys = [role["key"] for role in api.data("{ roles { key } }")["roles"]]
    assert keys == [r.value for r in Role] + ["auditor"]


def test_a_built_in_role_changed_as_data_keeps_being_built_in(api: Api) -> None:
    saved = api.data(
        SAVE_ROLE,
        input={
            "key": "marketer",
            "name": "Marketer",
            "permissions": ["customers:read", "segments:manage"],
            "recordAccess": [{"resource": "customers", "scope": "own"}],
        },
    )["saveRole"]["role"]
    assert saved["builtIn"] is True
    assert saved["recordAccess"] == [{"resource": "customers", "scope": "own"}]


def test_bad_roles_are_refused_with_the_field(api: Api) -> None:
    base = {"key": "broken", "name": "Broken", "permissions": ["customers:read"]}
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        ({"permissions": ["customers:fly"]}, ("permissions[0]", "INVALID")),
        (
            {"recordAccess": [{"resource": "orders", "scope": "own"}]},
            ("recordAccess[0].resource", "INVALID"),
        ),
        (
            {"recordAccess": [{"resource": "customers", "scope": "mine"}]},
            ("recordAccess[0].scope", "INVALID"),
        ),
        (
            {"fieldRules": [{"resource": "customers", "field": "email", "access": "secret"}]},
            ("fieldRules[0].access", "INVALID"),
        ),
        ({"key": "Bad Key!"}, ("key", "INVALID")),
        ({"key": "admin"}, ("", "FORBIDDEN")),
    ]
    for change, expected in cases:
        errors = api.data(SAVE_ROLE, input={**base, **change})["saveRole"]["userErrors"]
        assert [(".".join(e["field"] or []), e["code"]) for e in errors] == [expected], change
    assert "broken" not in [role["key"] for role in api.data("{ roles { key } }")["roles"]]


def test_sharing_a_record_makes_it_visible_to_that_user_only(api: Api) -> None:
    owner = api.key(Role.SALES_REP, "owner@example.com")
    colleague = api.key(Role.SALES_REP, "colleague@example.com")
    colleague_id = api.data("{ viewer { id } }", token=colleague)["viewer"]["id"]
    created = api.data(
        'mutation { createCustomer(input: {firstName: "Ada", lastName: "L", '
        'email: "ada@example.com"}) { customer { id } userErrors { code } } }',
        token=owner,
    )["createCustomer"]["customer"]["id"]
    principal = api.container.use(Access).authenticate(colleague)
    assert principal is not None
    assert not principal.visibility(Resource.CUSTOMERS).admits(None, created.split(":")[-1])
    done = api.data(SHARE, token=owner, input={"recordId": created, "userId": colleague_id})
    assert done["shareRecord"]["userErrors"] == []
    again = api.container.use(Access).authenticate(colleague)
    assert again is not None
    assert len(again.visibility(Resource.CUSTOMERS).shared_ids) == 1
    # A colleague who was only shared the record cannot pass it on.
    third = api.key(Role.SALES_REP, "third@example.com")
    third_id = api.data("{ viewer { id } }", token=third)["viewer"]["id"]
    refused = api.data(SHARE, token=colleague, input={"recordId": created, "userId": third_id})
    assert [e["code"] for e in refused["shareRecord"]["userErrors"]] == ["FORBIDDEN"]


def test_a_record_one_cannot_see_cannot_be_shared(api: Api) -> None:
    mine = api.key(Role.SALES_REP, "mine@example.com")
    other = api.key(Role.SALES_REP, "other@example.com")
    other_id = api.data("{ viewer { id } }", token=other)["viewer"]["id"]
    hidden = api.data(
        'mutation { createCustomer(input: {firstName: "Hid", lastName: "Den"}) '
        "{ customer { id } } }",
        token=other,
    )["createCustomer"]["customer"]["id"]
    refused = api.data(SHARE, token=mine, input={"recordId": hidden, "userId": other_id})
    assert [
        (".".join(e["field"] or []), e["code"]) for e in refused["shareRecord"]["userErrors"]
    ] == [("recordId", "NOT_FOUND")]
    missing = api.data(
        SHARE, token=mine, input={"recordId": "Q3VzdG9tZXI6bm9uZQ==", "userId": other_id}
    )
    assert missing["shareRecord"]["userErrors"] == refused["shareRecord"]["userErrors"]


def test_the_reach_follows_teams_and_every_level_of_reports(api: Api) -> None:
    access = api.container.use(Access)
    system = Principal.system()
    access.register_user(system, name="Vp", email="vp@example.com", role=Role.SALES_MANAGER)
    access.register_user(
        system,
        name="Lead",
        email="lead@example.com",
        role=Role.SALES_MANAGER,
        team="West",
        manager_email="vp@example.com",
    )
    rep = access.register_user(
        system,
        name="Rep",
        email="rep@example.com",
        role=Role.SALES_REP,
        team="West",
        manager_email="lead@example.com",
    )
    mate = access.register_user(
        system, name="Mate", email="mate@example.com", role=Role.SALES_REP, team="West"
    )
    vp = access.authenticate(api.key(Role.SALES_MANAGER, "vp@example.com"))
    lead = access.authenticate(api.key(Role.SALES_MANAGER, "lead@example.com"))
    me = access.authenticate(api.key(Role.SALES_REP, "rep@example.com"))
    assert vp is not None and lead is not None and me is not None
    lead_id = lead.actor_id
    assert vp.visibility(Resource.DEALS).owner_ids == {vp.actor_id, lead_id, rep.id}
    assert lead.visibility(Resource.CUSTOMERS).owner_ids == {lead_id, rep.id, mate.id}
    assert me.visibility(Resource.CUSTOMERS).owner_ids == {rep.id}
    assert (
        api.container.use(Access)
        .authenticate(api.token)
        .visibility(  # type: ignore[union-attr]
            Resource.CUSTOMERS
        )
        .unrestricted
    )
