"""The production profile: the same API over PostgreSQL."""

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from adapters.persistence.database import Database
from application.access.bundle import Access
from application.principal import Principal
from bootstrap import Settings, build_container
from domain.access.roles import Role

pytestmark = pytest.mark.postgres


@pytest.fixture
def client_and_key(postgres_database: Database) -> Iterator[tuple[TestClient, str]]:
    url = postgres_database.writer.url.render_as_string(hide_password=False)
    settings = Settings.from_env(
        {
            "RAPPORT_PROFILE": "production",
            "RAPPORT_DATABASE_URL": url,
            "RAPPORT_SIGNING_KEY": "a production signing key",
        }
    )
    container = build_container(settings)
    key = (
        container.use(Access)
        .issue_api_key(
            Principal.system(), role=Role.ADMIN, name="test", user_email="admin@example.com"
        )
        .token
    )
    app = create_app(
        container.services(), container.use(Access).authenticate, graphiql=settings.graphiql
    )
    with TestClient(app) as client:
        yield client, key
    container.close()


def test_customers_round_trip_on_postgres(client_and_key: tuple[TestClient, str]) -> None:
    client, key = client_and_key
    headers = {"Authorization": f"Bearer {key}"}
    created = client.post(
        "/graphql",
        headers=headers,
        json={
            "query": 'mutation { createCustomer(input: {firstName: "Zoë", email: "zoe@example.com"}) '
            "{ customer { id version } userErrors { code } } }"
        },
    ).json()["data"]["createCustomer"]
    assert created["userErrors"] == []
    listed = client.post(
        "/graphql",
        headers=headers,
        json={"query": "{ customers(first: 5) { totalCount edges { node { id firstName } } } }"},
    ).json()["data"]["customers"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"] == {"id": created["customer"]["id"], "firstName": "Zoë"}


def test_production_profile_hides_graphiql(client_and_key: tuple[TestClient, str]) -> None:
    client, _key = client_and_key
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 401
