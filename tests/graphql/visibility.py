"""Users, their ids and record shares for the GraphQL tests of record-level visibility."""

from __future__ import annotations

from adapters.graphql.relay import from_global_id, to_global_id
from adapters.graphql.type_names import USER
from application.access.bundle import Access
from application.principal import Principal
from domain.access.roles import Resource
from domain.access.sharing import RecordShare
from tests.graphql.conftest import Api


def principal_of(api: Api, token: str) -> Principal:
    found = api.container.use(Access).authenticate(token)
    assert found is not None
    return found


def user_gid(api: Api, token: str) -> str:
    """The global id of the user ``token`` acts for."""
    return to_global_id(USER, principal_of(api, token).actor_id)


def share(api: Api, resource: Resource, record_gid: str, *, with_token: str) -> None:
    """Share the record with the user of ``with_token``; they see it from their next request."""
    with api.container.storage.unit_of_work() as uow:
        uow.record_shares.add(
            RecordShare.grant(
                resource=resource,
                record_id=from_global_id(record_gid)[1],
                user_id=principal_of(api, with_token).actor_id,
                shared_by="system",
                at=api.container.platform.clock().now(),
            )
        )
        uow.commit()
