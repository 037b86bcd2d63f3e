"""Bearer JWTs of an identity provider over HTTP: they map to the active user with their
email, alongside API keys, and anything wrong is a 401 before the operation runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from attrs import define
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from application.access.bundle import Access
from application.principal import Principal
from bootstrap import Container, Settings, build_container
from domain.access.roles import Role
from tests.identity.provider import AUDIENCE, ISSUER, IdentityProvider, identity_provider

VIEWER = "{ viewer { email roleKey } }"
CREATE = 'mutation { createCustomer(input: {firstName: "Grace"}) { userErrors { code } } }'


@define
class Served:
    client: TestClient
    container: Container
    provider: IdentityProvider

    def post(self, token: str, query: str = VIEWER) -> tuple[int, dict[str, object]]:
        response = self.client.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
        return response.status_code, response.json()


@pytest.fixture
def served(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Served]:
    path = tmp_path / "jwt.db"
    shutil.copyfile(migrated_sqlite_template, path)
    with identity_provider() as provider:
        settings = Settings.from_env(
            {
                "RAPPORT_DATABASE_URL": f"sqlite:///{path}",
                "RAPPORT_JWT_JWKS_URL": provider.url,
                "RAPPORT_JWT_ISSUER": ISSUER,
                "RAPPORT_JWT_AUDIENCE": AUDIENCE,
            }
        )
        container = build_container(settings)
        access = container.use(Access)
        system = Principal.system()
        access.register_user(system, name="Ada", email="ada@example.com", role=Role.SALES_REP)
        access.register_user(system, name="Vic", email="vic@example.com", role=Role.ANALYST)
        app = create_app(container.services(), access.authenticate)
        with TestClient(app) as client:
            yield Served(client, container, provider)
        container.close()


def test_a_valid_token_acts_as_the_user_with_its_email_and_role(served: Served) -> None:
    status, body = served.post(served.provider.token("Ada@Example.com"))
    assert status == 200
    assert body["data"] == {"viewer": {"email": "ada@example.com", "roleKey": "sales_rep"}}
    status, body = served.post(served.provider.token("vic@example.com", algorithm="ES256"))
    assert body["data"] == {"viewer": {"email": "vic@example.com", "roleKey": "analyst"}}


def test_the_users_role_limits_what_a_token_may_do(served: Served) -> None:
    _, body = served.post(served.provider.token("vic@example.com"), CREATE)
    assert body["data"] == {"createCustomer": {"userErrors": [{"code": "FORBIDDEN"}]}}


def test_api_keys_still_work_beside_tokens(served: Served) -> None:
    issued = served.container.use(Access).issue_api_key(
        Principal.system(), role=Role.ANALYST, name="k", user_email="ada@example.com"
    )
    status, body = served.post(issued.token)
    assert (status, body["data"]) == (
        200,
        {"viewer": {"email": "ada@example.com", "roleKey": "sales_rep"}},
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p.token(aud="someone-else"),
        lambda p: p.token(iss="https://evil.example.com/"),
        lambda p: p.unsigned_token({"alg": "none", "kid": "rsa-1"}),
        lambda p: p.hmac_with_public_key(),
        lambda p: p.token(kid="unknown"),
        lambda p: p.token()[:-8] + "AAAAAAAA",
        lambda p: p.token(lifetime=-120),
        lambda p: p.token(None),
        lambda p: p.token("stranger@example.com"),
        lambda p: "rpk_" + p.token(),
    ],
    ids=[
        "wrong-audience",
        "wrong-issuer",
        "alg-none",
        "hs256-with-public-key",
        "unknown-kid",
        "bad-signature",
        "expired-beyond-leeway",
        "no-email",
        "unknown-user",
        "api-key-prefix",
    ],
)
def test_a_wrong_token_gets_401_and_nothing_runs(served: Served, make: object) -> None:
    token = make(served.provider)  # type: ignore[operator]
    status, body = served.post(token, CREATE)
    assert status == 401
    assert "data" not in body
    admin = served.container.use(Access).issue_api_key(
        Principal.system(), role=Role.ADMIN, name="check", user_email="root@example.com"
    )
    _, counted = served.post(admin.token, "{ customers { totalCount } }")
    assert counted["data"] == {"customers": {"totalCount": 0}}


def test_the_jwks_is_fetched_once_for_many_requests(served: Served) -> None:
    for _ in range(10):
        assert served.post(served.provider.token())[0] == 200
    assert len(served.provider.requests) == 1


def test_without_a_configured_provider_tokens_are_refused(
    migrated_sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "plain.db"
    shutil.copyfile(migrated_sqlite_template, path)
    container = build_container(Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"}))
    container.use(Access).register_user(
        Principal.system(), name="Ada", email="ada@example.com", role=Role.SALES_REP
    )
    with (
        identity_provider() as provider,
        TestClient(create_app(container.services(), container.use(Access).authenticate)) as client,
    ):
        response = client.post(
            "/graphql",
            json={"query": VIEWER},
            headers={"Authorization": f"Bearer {provider.token()}"},
        )
        assert response.status_code == 401
        assert provider.requests == []
    container.close()
