from datetime import datetime, timedelta

import pytest
from attrs import define, evolve, field

from application.access.authentication import AuthenticateBearer, Refusal
from application.errors import AlreadyTaken, Forbidden, NotFound
from application.pagination import PageRequest
from application.principal import Principal
from domain.access.roles import Role
from domain.errors import ErrorCode, RuleViolated
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


# --- expiry, revocation, last use and the reasons of refusals ---------------------------


@define
class RecordedFailures:
    """What the audit log would be told."""

    refusals: list[tuple[Refusal, str | None, datetime]] = field(factory=list)

    def refused(self, reason: Refusal, key_id: str | None, at: datetime) -> None:
        self.refusals.append((reason, key_id, at))


def audited(app: App) -> tuple[AuthenticateBearer, RecordedFailures]:
    failures = RecordedFailures()
    return evolve(app.access.authenticate, failures=failures), failures


def test_an_expired_key_is_refused_from_its_expiry_on(app: App) -> None:
    authenticate, failures = audited(app)
    issued = app.access.issue_api_key(
        Principal.system(),
        role=Role.SALES_REP,
        name="temp",
        user_email="t@example.com",
        expires_at=app.clock.now() + timedelta(hours=1),
    )
    app.clock.advance(timedelta(minutes=59))
    assert authenticate(issued.token) is not None
    app.clock.advance(timedelta(minutes=1))
    assert authenticate(issued.token) is None
    assert failures.refusals == [(Refusal.EXPIRED, issued.key_id, app.clock.now())]


def test_a_revoked_key_is_refused_on_its_next_request(app: App) -> None:
    authenticate, failures = audited(app)
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.SALES_REP, name="k", user_email="r@example.com"
    )
    assert authenticate(issued.token) is not None
    revoked = app.access.revoke_api_key(Principal.system(), issued.key_id)
    assert not revoked.active and revoked.revoked_at == app.clock.now()
    assert authenticate(issued.token) is None
    assert [reason for reason, _, _ in failures.refusals] == [Refusal.REVOKED]


def test_a_wrong_secret_is_refused_before_the_keys_state_shows(app: App) -> None:
    authenticate, failures = audited(app)
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.SALES_REP, name="k", user_email="r@example.com"
    )
    app.access.revoke_api_key(Principal.system(), issued.key_id)
    assert authenticate(f"rpk_{issued.key_id}_guess") is None
    assert authenticate("rpk_nosuchkey_guess") is None
    assert authenticate("rpk_") is None
    assert [(reason, key_id) for reason, key_id, _ in failures.refusals] == [
        (Refusal.WRONG_SECRET, issued.key_id),
        (Refusal.UNKNOWN, "nosuchkey"),
        (Refusal.MALFORMED, None),
    ]


def test_a_key_of_a_deactivated_user_is_refused(app: App) -> None:
    authenticate, failures = audited(app)
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.SALES_REP, name="k", user_email="gone@example.com"
    )
    with app.backend.uow() as uow:
        user = uow.users.get(issued.user_id)
        assert user is not None
        user.deactivated_at = app.clock.now()
        uow.commit()
    assert authenticate(issued.token) is None
    assert [reason for reason, _, _ in failures.refusals] == [Refusal.INACTIVE_USER]


def test_a_token_that_is_no_api_key_is_refused_without_an_identity_provider(app: App) -> None:
    authenticate, failures = audited(app)
    assert authenticate("eyJhbGciOiJSUzI1NiJ9.e30.c2ln") is None
    assert [reason for reason, _, _ in failures.refusals] == [Refusal.NOT_CONFIGURED]


def test_last_use_is_written_at_most_once_a_minute(app: App) -> None:
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.SALES_REP, name="k", user_email="u@example.com"
    )

    def last_used() -> datetime | None:
        view = app.access.api_keys.get(Principal.system(), issued.key_id)
        assert view is not None
        return view.last_used_at

    assert last_used() is None
    first_use = app.clock.now()
    app.access.authenticate(issued.token)
    assert last_used() == first_use
    app.clock.advance(timedelta(seconds=59))
    app.access.authenticate(issued.token)
    assert last_used() == first_use
    app.clock.advance(timedelta(seconds=1))
    app.access.authenticate(issued.token)
    assert last_used() == first_use + timedelta(minutes=1)


def test_revoking_an_unknown_or_revoked_key_changes_nothing(app: App) -> None:
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.SALES_REP, name="k", user_email="u@example.com"
    )
    with pytest.raises(NotFound):
        app.access.revoke_api_key(Principal.system(), "nosuchkey")
    app.access.revoke_api_key(Principal.system(), issued.key_id)
    revoked_at = app.clock.now()
    app.clock.advance(timedelta(hours=1))
    with pytest.raises(RuleViolated) as raised:
        app.access.revoke_api_key(Principal.system(), issued.key_id)
    assert raised.value.problems[0].code is ErrorCode.ALREADY_REVOKED
    view = app.access.api_keys.get(Principal.system(), issued.key_id)
    assert view is not None and view.revoked_at == revoked_at


def test_only_admins_list_and_revoke_keys(app: App) -> None:
    issued = app.access.issue_api_key(
        Principal.system(), role=Role.SALES_REP, name="k", user_email="u@example.com"
    )
    manager = Principal(actor_id="m", role=Role.SALES_MANAGER, name="M")
    with pytest.raises(Forbidden):
        app.access.revoke_api_key(manager, issued.key_id)
    with pytest.raises(Forbidden):
        app.access.api_keys.filter(manager)
    assert app.access.authenticate(issued.token) is not None


def test_keys_are_listed_newest_first_and_filtered_by_state_and_user(app: App) -> None:
    system = Principal.system()
    tokens = []
    for email in ("a@example.com", "b@example.com", "a@example.com"):
        tokens.append(
            app.access.issue_api_key(system, role=Role.SALES_REP, name=email, user_email=email)
        )
        app.clock.advance(timedelta(seconds=1))
    app.access.revoke_api_key(system, tokens[0].key_id)
    listing = app.access.api_keys

    def ids(**conditions: object) -> list[str]:
        where = listing.filter(system, **conditions)  # type: ignore[arg-type]
        page = listing(system, PageRequest(first=10), where)
        assert listing.count(system, where) == len(page.edges)
        return [edge.node.id for edge in page.edges]

    newest_first = [t.key_id for t in reversed(tokens)]
    assert ids() == newest_first
    assert ids(active=True) == newest_first[:2]
    assert ids(active=False) == [tokens[0].key_id]
    assert ids(user_id=tokens[0].user_id) == [tokens[2].key_id, tokens[0].key_id]
    second = listing(system, PageRequest(first=1, after=None), listing.filter(system))
    rest = listing(system, PageRequest(first=5, after=second.end_cursor), listing.filter(system))
    assert [e.node.id for e in rest.edges] == newest_first[1:]
