import pytest

from application.errors import AlreadyTaken, Forbidden
from application.principal import Principal
from domain.access.roles import Role
from tests.application.conftest import App


def test_issued_key_authenticates_as_its_user_with_its_role(app: App) -> None:
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.SALES_REP, name="crm sync", user_email="Ops@Example.com"
    )
    principal = app.access.authenticate(issued.token)
    assert principal is not None
    assert (principal.actor_id, principal.role.key, principal.api_key_id) == (
        issued.user_id,
        Role.SALES_REP,
        issued.key_id,
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace("rpk_", "xyz_"),
        lambda token: "rpk_unknownkey_secret",
        lambda token: "",
        lambda token: "rpk__",
    ],
)
def test_wrong_tokens_do_not_authenticate(app: App, mangle: object) -> None:
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.ADMIN, name="k", user_email="a@example.com"
    )
    assert app.access.authenticate(mangle(issued.token)) is None  # type: ignore[operator]


def test_key_never_grants_more_than_its_users_role(app: App) -> None:
    app.access.register_user(Principal.system(), name="V", email="v@example.com", role=Role.ANALYST)
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.ADMIN, name="k", user_email="v@example.com"
    )
    principal = app.access.authenticate(issued.token)
    assert principal is not None and principal.role.key == Role.ANALYST


def test_only_admins_issue_keys(app: App) -> None:
    agent = Principal(actor_id="a", role=Role.SALES_REP, name="A")
    with pytest.raises(Forbidden):
        app.access.issue_api_key(agent, role=Role.ADMIN, name="k", user_email="a@example.com")


def test_user_email_is_unique_unless_existing_is_accepted(app: App) -> None:
    system = Principal.system()
    first = app.access.register_user(system, name="A", email="a@example.com", role=Role.SALES_REP)
    with pytest.raises(AlreadyTaken):
        app.access.register_user(system, name="A", email="A@example.com", role=Role.SALES_REP)
    again = app.access.register_user(
        system, name="A", email="a@example.com", role=Role.SALES_REP, existing_ok=True
    )
    assert again.id == first.id
