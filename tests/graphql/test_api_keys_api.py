"""API keys through the API: the admin list, creating and revoking, and revocation that
every server process honours on the very next request."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from adapters.graphql.relay import to_global_id
from adapters.persistence.database import Database
from application.access.bundle import Access
from application.principal import Principal
from bootstrap import Settings, build_container
from domain.access.roles import Role
from tests.graphql.conftest import Api, admin_token

KEYS = """
query($filter: ApiKeyFilter, $first: Int, $after: String) {
  apiKeys(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name roleKey active expiresAt lastUsedAt revokedAt user { email } } }
  }
}
"""
CREATE = """
mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    token
    apiKey { id name roleKey active expiresAt user { email } }
    userErrors { field code message }
  }
}
"""
REVOKE = """
mutation($id: ID!) {
  revokeApiKey(input: {id: $id}) {
    apiKey { id active revokedAt }
    userErrors { field code message }
  }
}
"""
VIEWER = "{ viewer { email } }"


def _status(client: TestClient, token: str) -> int:
    response = client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


def test_a_created_key_is_shown_once_and_works(api: Api) -> None:
    expires = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    created = api.data(
        CREATE,
        input={
            "role": "sales_rep",
            "userEmail": "Sync@Example.com",
            "name": "crm sync",
            "expiresAt": expires.isoformat(),
        },
    )["createApiKey"]
    assert created["userErrors"] == []
    key = created["apiKey"]
    assert (key["name"], key["roleKey"], key["active"], key["user"]) == (
        "crm sync",
        "sales_rep",
        True,
        {"email": "sync@example.com"},
    )
    assert datetime.fromisoformat(key["expiresAt"]) == expires
    assert api.data(VIEWER, token=created["token"])["viewer"] == {"email": "sync@example.com"}
    listed = api.data(KEYS, filter={"active": True})["apiKeys"]["edges"]
    assert all("token" not in edge["node"] for edge in listed)


def test_an_expiry_in_the_past_is_a_user_error_and_creates_nothing(api: Api) -> None:
    before = api.data(KEYS)["apiKeys"]["totalCount"]
    created = api.data(
        CREATE,
        input={
            "role": "sales_rep",
            "userEmail": "x@example.com",
            "expiresAt": "2020-01-01T00:00:00Z",
        },
    )["createApiKey"]
    assert (created["token"], created["apiKey"]) == (None, None)
    assert [(e["field"], e["code"]) for e in created["userErrors"]] == [(["expiresAt"], "INVALID")]
    assert api.data(KEYS)["apiKeys"]["totalCount"] == before


def test_the_list_is_newest_first_with_each_keys_user_and_last_use(api: Api) -> None:
    agent = api.key(Role.SALES_REP, "agent@example.com")
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    api.data(VIEWER, token=agent)
    first = api.data(KEYS, first=2)["apiKeys"]
    assert first["totalCount"] == 3
    assert [edge["node"]["user"]["email"] for edge in first["edges"]] == [
        "viewer@example.com",
        "agent@example.com",
    ]
    agent_key = first["edges"][1]["node"]
    assert agent_key["lastUsedAt"] is not None
    assert first["edges"][0]["node"]["lastUsedAt"] is None
    rest = api.data(KEYS, first=2, after=first["pageInfo"]["endCursor"])["apiKeys"]
    assert [edge["node"]["user"]["email"] for edge in rest["edges"]] == ["admin@example.com"]
    assert not rest["pageInfo"]["hasNextPage"]
    assert viewer


def test_the_list_filters_by_user_and_state(api: Api) -> None:
    token = api.key(Role.SALES_REP, "agent@example.com")
    user_id = api.data(VIEWER.replace("email", "id"), token=token)["viewer"]["id"]
    mine = api.data(KEYS, filter={"userId": user_id})["apiKeys"]
    assert [edge["node"]["user"]["email"] for edge in mine["edges"]] == ["agent@example.com"]
    key_id = mine["edges"][0]["node"]["id"]
    api.data(REVOKE, id=key_id)
    revoked = api.data(KEYS, filter={"active": False})["apiKeys"]
    assert [edge["node"]["id"] for edge in revoked["edges"]] == [key_id]
    assert revoked["totalCount"] == 1
    assert api.data(KEYS, filter={"active": True})["apiKeys"]["totalCount"] == 1


def test_a_revoked_key_is_refused_on_its_next_request(api: Api) -> None:
    token = api.key(Role.SALES_REP, "agent@example.com")
    assert _status(api.client, token) == 200
    key_id = api.data(KEYS, filter={"active": True})["apiKeys"]["edges"][0]["node"]["id"]
    revoked = api.data(REVOKE, id=key_id)["revokeApiKey"]
    assert revoked["userErrors"] == []
    assert revoked["apiKey"]["active"] is False and revoked["apiKey"]["revokedAt"] is not None
    assert _status(api.client, token) == 401


def test_revoking_an_unknown_key_or_a_key_twice_is_a_user_error(api: Api) -> None:
    unknown = api.data(REVOKE, id=to_global_id("ApiKey", "nosuchkey"))["revokeApiKey"]
    assert unknown["apiKey"] is None
    assert [(e["field"], e["code"]) for e in unknown["userErrors"]] == [(["id"], "NOT_FOUND")]
    api.key(Role.SALES_REP, "agent@example.com")
    key_id = api.data(KEYS, first=1)["apiKeys"]["edges"][0]["node"]["id"]
    api.data(REVOKE, id=key_id)
    again = api.data(REVOKE, id=key_id)["revokeApiKey"]
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [(["id"], "ALREADY_REVOKED")]
    malformed = api.query(REVOKE, id=to_global_id("Customer", "x"))["data"]["revokeApiKey"]
    assert [e["code"] for e in malformed["userErrors"]] == ["INVALID_ID"]


def test_only_admins_see_or_revoke_keys(api: Api) -> None:
    manager = api.key(Role.SALES_MANAGER, "manager@example.com")
    key_id = api.data(KEYS, first=1)["apiKeys"]["edges"][0]["node"]["id"]
    listed = api.query(KEYS, manager)
    assert listed["data"] is None or listed["data"].get("apiKeys") is None
    assert [error["extensions"]["code"] for error in listed["errors"]] == ["FORBIDDEN"]
    refused = api.data(REVOKE, manager, id=key_id)["revokeApiKey"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    created = api.data(CREATE, manager, input={"role": "admin", "userEmail": "m@example.com"})
    assert [e["code"] for e in created["createApiKey"]["userErrors"]] == ["FORBIDDEN"]
    assert _status(api.client, api.token) == 200


@contextmanager
def worker(database_url: str) -> Iterator[tuple[TestClient, Any]]:
    """One server process of several: its own container, pools and app."""
    container = build_container(Settings.from_env({"RAPPORT_DATABASE_URL": database_url}))
    app = create_app(container.services(), container.use(Access).authenticate)
    with TestClient(app) as client:
        yield client, container
    container.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_database_url(
    request: pytest.FixtureRequest, migrated_sqlite_template: Path, tmp_path: Path
) -> str:
    """One database that several workers share."""
    if request.param == "postgres":
        database: Database = request.getfixturevalue("postgres_database")
        return database.writer.url.render_as_string(hide_password=False)
    path = tmp_path / "shared.db"
    shutil.copyfile(migrated_sqlite_template, path)
    return f"sqlite:///{path}"


def test_a_key_revoked_through_one_worker_is_refused_by_the_other_at_once(
    shared_database_url: str,
) -> None:
    url = shared_database_url
    with worker(url) as (first, container), worker(url) as (second, _):
        admin = admin_token(container)
        issued = container.use(Access).issue_api_key(
            Principal.system(),
            role=Role.SALES_REP,
            name="shared",
            user_email="agent@example.com",
        )
        for _ in range(3):  # warm whatever either worker might keep
            assert _status(first, issued.token) == 200
            assert _status(second, issued.token) == 200
        response = first.post(
            "/graphql",
            json={"query": REVOKE, "variables": {"id": to_global_id("ApiKey", issued.key_id)}},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert response.json()["data"]["revokeApiKey"]["userErrors"] == []
        assert _status(second, issued.token) == 401
        assert _status(first, issued.token) == 401


def test_a_key_refetches_by_id_and_an_unknown_id_is_null(api: Api) -> None:
    key_id = api.data(KEYS, first=1)["apiKeys"]["edges"][0]["node"]["id"]
    query = "query($id: ID!) { apiKey(id: $id) { id name } }"
    assert api.data(query, id=key_id)["apiKey"] == {"id": key_id, "name": "test"}
    assert api.data(query, id=to_global_id("ApiKey", "nosuchkey"))["apiKey"] is None
