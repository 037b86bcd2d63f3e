import pytest

from domain.access.roles import Permission, Role


@pytest.mark.parametrize("role", list(Role))
def test_whoever_may_track_events_may_create_the_customers_they_identify(role: Role) -> None:
    if role.allows(Permission.TRACK_EVENTS):
        assert role.allows(Permission.WRITE_CUSTOMERS)


def test_only_managers_and_admins_change_activities_they_did_not_log() -> None:
    assert {r for r in Role if r.allows(Permission.MODERATE_ACTIVITIES)} == {
        Role.ADMIN,
        Role.MANAGER,
    }
    assert {r for r in Role if r.allows(Permission.LOG_ACTIVITIES)} == {
        Role.ADMIN,
        Role.MANAGER,
        Role.AGENT,
    }
