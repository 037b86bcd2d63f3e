import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.access.roles import (
    BUILT_IN_ROLES,
    OWNED_RESOURCES,
    Action,
    FieldAccess,
    Permission,
    Resource,
    Role,
    RoleDefinition,
    Scope,
    role_key,
)
from domain.access.visibility import Visibility
from domain.errors import DomainError


@pytest.mark.parametrize("role", list(Role))
def test_whoever_may_track_events_may_create_the_customers_they_identify(role: Role) -> None:
    if role.allows(Permission.CREATE_EVENTS):
        assert role.allows(Permission.READ_CUSTOMERS)


def test_only_managers_and_admins_change_activities_they_did_not_log() -> None:
    assert {r for r in Role if r.allows(Permission.MANAGE_ACTIVITIES)} == {
        Role.ADMIN,
        Role.SALES_MANAGER,
    }


def test_the_analyst_changes_nothing() -> None:
    assert {p.action for p in Role.ANALYST.permissions} == {Action.READ}


def test_every_permission_is_a_resource_and_an_action() -> None:
    for permission in Permission:
        assert Permission.of(permission.resource, permission.action) is permission


def test_the_default_record_access_of_each_built_in_role() -> None:
    rep, manager = Role.SALES_REP.definition, Role.SALES_MANAGER.definition
    for resource in OWNED_RESOURCES:
        assert rep.scope(resource) is Scope.OWN
        assert manager.scope(resource) is Scope.TEAM
        for other in (Role.ADMIN, Role.MARKETER, Role.SUPPORT_AGENT, Role.ANALYST):
            assert other.definition.scope(resource) is Scope.ALL


def test_the_default_field_rules() -> None:
    assert Role.SUPPORT_AGENT.definition.field_access(Resource.DEALS, "amount") is (
        FieldAccess.HIDDEN
    )
    assert Role.ANALYST.definition.field_access(Resource.CUSTOMERS, "email") is (FieldAccess.MASKED)
    assert Role.SALES_REP.definition.field_access(Resource.CUSTOMERS, "email") is (
        FieldAccess.EDITABLE
    )


def test_only_admins_erase_people_or_read_the_audit_log() -> None:
    for permission in (Permission.ERASE_CUSTOMERS, Permission.READ_AUDIT):
        assert {r for r in Role if r.allows(permission)} == {Role.ADMIN}


@pytest.mark.parametrize(("old", "new"), [("manager", "sales_manager"), ("agent", "sales_rep")])
def test_the_old_role_keys_keep_working(old: str, new: str) -> None:
    assert Role(old) is Role(new)
    assert role_key(f" {old.upper()} ") == new
    assert Role("viewer") is Role.ANALYST


@pytest.mark.parametrize("bad", ["", "has space", "x" * 17, "dash-ed"])
def test_a_role_key_is_short_and_plain(bad: str) -> None:
    with pytest.raises(DomainError):
        role_key(bad)


roles = st.sampled_from(list(BUILT_IN_ROLES.values()))


@given(roles, roles)
def test_a_key_never_grants_more_than_its_user(user: RoleDefinition, key: RoleDefinition) -> None:
    both = user.narrowed_by(key)
    assert both.permissions <= user.permissions & key.permissions
    order = [Scope.OWN, Scope.TEAM, Scope.ALL]
    fields = [FieldAccess.EDITABLE, FieldAccess.READ_ONLY, FieldAccess.MASKED, FieldAccess.HIDDEN]
    for resource in Resource:
        assert order.index(both.scope(resource)) <= min(
            order.index(user.scope(resource)), order.index(key.scope(resource))
        )
    for rule in {*user.field_rules, *key.field_rules}:
        access = both.field_access(*rule)
        assert fields.index(access) >= fields.index(user.field_access(*rule))
        assert fields.index(access) >= fields.index(key.field_access(*rule))


@given(
    st.frozensets(st.sampled_from("abcd")),
    st.frozensets(st.sampled_from("wxyz")),
    st.one_of(st.none(), st.sampled_from("abcd")),
    st.sampled_from("wxyz"),
)
def test_visibility_admits_owned_and_shared_records_only(
    owners: frozenset[str], shared: frozenset[str], owner: str | None, record: str
) -> None:
    visibility = Visibility.owned_by(owners, shared)
    assert visibility.admits(owner, record) == ((owner in owners) or (record in shared))
    assert Visibility().admits(owner, record)
