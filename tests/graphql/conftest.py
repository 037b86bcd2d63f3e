"""The ASGI app built by the composition root over a fresh SQLite database."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from attrs import define
from sqlalchemy import event
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from application.access.bundle import Access
from application.custom_fields.bundle import CustomFields
from application.principal import Principal
from bootstrap import Container, Settings, build_container
from domain.access.roles import Role
from domain.custom_fields import FieldType, ObjectType
from tests.conftest import define_field


@define
class Api:
    client: TestClient
    container: Container
    token: str
    statements: list[str]

    def query(self, document: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        """Run ``document`` and return the whole response body; asserts HTTP 200."""
        response = self.client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {token or self.token}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, document: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        """Run ``document`` expecting no errors, and return its data."""
        body = self.query(document, token, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def define(
        self,
        key: str,
        field_type: FieldType,
        *,
        object_type: ObjectType = ObjectType.CUSTOMER,
        choices: tuple[str, ...] = (),
        required: bool = False,
        unique: bool = False,
    ) -> None:
        """Define a custom field through the use case, as setup for a test."""
        define_field(
            self.container.use(CustomFields),
            key,
            field_type,
            object_type=object_type,
            choices=choices,
            required=required,
            unique=unique,
        )

    def key(self, role: Role, email: str) -> str:
        return (
            self.container.use(Access)
            .issue_api_key(Principal.system(), role=role, name="test", user_email=email)
            .token
        )


def sqlite_container(template: Path, folder: Path) -> Container:
    """The composition root over a fresh copy of the migrated SQLite template."""
    path = folder / "api.db"
    shutil.copyfile(template, path)
    return build_container(Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"}))


def admin_token(container: Container) -> str:
    return (
        container.use(Access)
        .issue_api_key(
            Principal.system(), role=Role.ADMIN, name="test", user_email="admin@example.com"
        )
        .token
    )


AUTHENTICATING = re.compile(r"\b(FROM|UPDATE) (api_keys|roles|record_shares)\b")


@contextmanager
def serving(template: Path, folder: Path) -> Iterator[Api]:
    """The app over a fresh database in ``folder``, recording every SQL statement it runs
    but those that authenticate the request (the key, its last use, the role, the shares):
    what a query costs is counted apart from who asks."""
    container = sqlite_container(template, folder)
    statements: list[str] = []
    database = container.database()

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not AUTHENTICATING.search(statement):
            statements.append(statement)

    for engine in (database.reader, database.writer):
        event.listen(engine, "before_cursor_execute", record)
    app = create_app(container.services(), container.use(Access).authenticate, graphiql=True)
    token = admin_token(container)
    with TestClient(app) as client:
        yield Api(client, container, token, statements)
    database.dispose()


@pytest.fixture
def api(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Api]:
    with serving(migrated_sqlite_template, tmp_path) as served:
        yield served


@pytest.fixture(scope="module")
def api_for_module(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """One app for a whole test module, for tests that read a world seeded once."""
    with serving(migrated_sqlite_template, tmp_path_factory.mktemp("api")) as served:
        yield served
