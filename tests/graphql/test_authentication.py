import pytest

from domain.access.roles import Role
from tests.graphql.conftest import Api

QUERY = {"query": "{ customers(first: 5) { totalCount edges { node { id email } } } }"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer rpk_nokey_nosecret"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "Bearer"},
    ],
)
def test_request_without_a_valid_key_gets_401_and_no_data(
    api: Api, headers: dict[str, str]
) -> None:
    response = api.client.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_valid_key_gets_data(api: Api) -> None:
    data = api.data(QUERY["query"])
    assert data["customers"]["totalCount"] == 0


def test_viewer_is_the_keys_user(api: Api) -> None:
    token = api.key(Role.ANALYST, "viewer@example.com")
    viewer = api.data("{ viewer { email roleKey role { key builtIn } } }", token=token)["viewer"]
    assert viewer == {
        "email": "viewer@example.com",
        "roleKey": "analyst",
        "role": {"key": "analyst", "builtIn": True},
    }


def test_graphiql_page_is_served_without_a_key(api: Api) -> None:
    response = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_health_needs_no_key(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}


def test_queries_over_get_are_served_by_the_full_view(api: Api) -> None:
    response = api.client.get(
        "/graphql",
        params={"query": "{ customers { totalCount } }"},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"customers": {"totalCount": 0}}


def test_mutations_over_get_are_refused(api: Api) -> None:
    response = api.client.get(
        "/graphql",
        params={
            "query": 'mutation { createCustomer(input: {firstName: "A"}) { customer { id } } }'
        },
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400


def test_malformed_json_body_is_a_400(api: Api) -> None:
    response = api.client.post(
        "/graphql",
        content=b"{not json",
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_syntax_error_is_reported_as_a_graphql_error(api: Api) -> None:
    body = api.query("{ customers { totalCount ")
    assert body["data"] is None
    assert "Syntax Error" in body["errors"][0]["message"]
