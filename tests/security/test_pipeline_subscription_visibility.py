"""A rep following ``opportunityMoved`` is told of their own deals' moves, never of a
colleague's."""

from __future__ import annotations

import shutil
from pathlib import Path

from starlette.testclient import TestClient

from adapters.graphql.relay import to_global_id
from application.access.bundle import Access
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.pipeline.bundle import Sales
from application.pipeline.opportunities import NewOpportunity
from application.principal import Principal
from bootstrap import Settings, asgi_app, build_container
from domain.access.roles import Role
from tests.graphql.live_socket import payload, subscribed

MOVED = """
subscription { opportunityMoved { move opportunity { id name } } }"""


def test_a_rep_receives_the_move_of_their_own_deal_not_a_colleagues(
    migrated_sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "live.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    container = build_container(settings)
    system = Principal.system()
    access, sales = container.use(Access), container.use(Sales)
    rita = access.issue_api_key(
        system, role=Role.SALES_REP, name="rita", user_email="rita@example.com"
    )
    sam = access.issue_api_key(
        system, role=Role.SALES_REP, name="sam", user_email="sam@example.com"
    )
    customer = container.use(Customers).create(system, NewCustomer(first_name="Ada")).id

    def deal(name: str, owner: str) -> str:
        new = NewOpportunity(name=name, customer_id=customer, owner_id=owner, currency="EUR")
        return sales.create_opportunity(system, new).id

    ours, theirs = deal("Ours", rita.user_id), deal("Theirs", sam.user_id)
    (pipeline,) = [p for p in sales.read_pipeline.pipelines(system) if p.is_default]
    first_stage, second = pipeline.stages[0].id, pipeline.stages[1].id
    with (
        TestClient(asgi_app(container, settings)) as client,
        subscribed(client, rita.token, (MOVED, {})) as socket,
    ):
        sales.move_opportunity(system, theirs, second)
        sales.move_opportunity(system, ours, second)
        sales.move_opportunity(system, theirs, first_stage)
        sales.move_opportunity(system, ours, first_stage)
        received = [payload(socket, "opportunityMoved")]
        # The relay may still be catching up on the deals' creation when the socket opens:
        # that move is the rep's own deal too, and is read past.
        while received[0]["move"] == "CREATED":
            assert received[0]["opportunity"]["name"] == "Ours"
            received = [payload(socket, "opportunityMoved")]
        received.append(payload(socket, "opportunityMoved"))
    assert (
        received
        == [
            {
                "move": "STAGE_CHANGED",
                "opportunity": {"id": to_global_id("Opportunity", ours), "name": "Ours"},
            }
        ]
        * 2
    )
    container.database().dispose()
