"""A front end's operations, compiled against ``schema.graphql`` and run on a seeded world.

``frontend/`` holds what a customer-360 page, a kanban board, a deal page, a lead page and a
live stage badge send, written as a Relay or Apollo app writes them: one fragment per
component, refetch and pagination queries through ``node(id:)``. Each operation is compiled
as a client's build step does (validated against the committed schema, every object with an
``id`` that a normalised cache can key it by) and then run through the app that
``rapport serve`` builds, and its answer must have exactly the shape the generated types
promise.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    print_ast,
    validate,
    visit,
)
from graphql.utilities import TypeInfoVisitor
from starlette.testclient import TestClient

from adapters.graphql.relay import from_global_id
from application.access.bundle import Access
from application.principal import Principal
from bootstrap import Settings, asgi_app, build_container
from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.graphql.live_socket import payload, subscribed
from tests.graphql.shapes import ShapeChecker
from tests.graphql.world import seed_world

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = Path(__file__).parent / "frontend"
SCHEMA = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
DOCUMENTS = {
    path.stem: parse(path.read_text(encoding="utf-8"))
    for path in sorted(FRONTEND.glob("*.graphql"))
}


def _operations(document: DocumentNode) -> dict[str, OperationDefinitionNode]:
    return {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name is not None
    }


OPERATIONS = {
    name: (page, operation)
    for page, document in DOCUMENTS.items()
    for name, operation in _operations(document).items()
}


class _MissingIds(Visitor):
    """Selections of an object that has an ``id`` but does not select it."""

    def __init__(self, type_info: TypeInfo, fragments: dict[str, FragmentDefinitionNode]) -> None:
        super().__init__()
        self.type_info = type_info
        self.fragments = fragments
        self.missing: list[str] = []

    def _selects_id(self, selections: SelectionSetNode) -> bool:
        for selection in selections.selections:
            if isinstance(selection, FieldNode) and selection.name.value == "id":
                return True
            inner = (
                self.fragments[selection.name.value].selection_set
                if isinstance(selection, FragmentSpreadNode)
                else selection.selection_set
                if isinstance(selection, InlineFragmentNode) and selection.type_condition is None
                else None
            )
            if inner is not None and self._selects_id(inner):
                return True
        return False

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        field_type = self.type_info.get_type()
        if node.selection_set is None or field_type is None:
            return
        named = get_named_type(field_type)
        has_id = (
            isinstance(named, GraphQLObjectType | GraphQLInterfaceType) and "id" in named.fields
        )
        if has_id and not self._selects_id(node.selection_set):
            self.missing.append(f"{node.name.value} ({named.name})")


def _compile(schema: GraphQLSchema, document: DocumentNode) -> list[str]:
    problems = [error.message for error in validate(schema, document)]
    if problems:
        return problems
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    type_info = TypeInfo(schema)
    missing = _MissingIds(type_info, fragments)
    visit(document, TypeInfoVisitor(type_info, missing))
    return [f"{where} is selected without its id" for where in missing.missing]


@pytest.mark.parametrize("page", sorted(DOCUMENTS))
def test_a_page_compiles_against_the_committed_schema(page: str) -> None:
    assert _compile(SCHEMA, DOCUMENTS[page]) == []


def test_the_compile_step_catches_an_unknown_field_and_a_missing_id() -> None:
    wrong = parse("query Q($id: ID!) { customer(id: $id) { id owner { name } nickname } }")
    problems = _compile(SCHEMA, wrong)
    assert any("nickname" in problem for problem in problems)
    no_id = parse("query Q($id: ID!) { customer(id: $id) { id owner { name } } }")
    assert _compile(SCHEMA, no_id) == ["owner (User) is selected without its id"]


@pytest.fixture(scope="module")
def world(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """The app ``rapport serve`` builds, with its relay, over a seeded world."""
    path = tmp_path_factory.mktemp("frontend") / "world.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    container = build_container(settings)
    token = (
        container.use(Access)
        .issue_api_key(
            Principal.system(), role=Role.ADMIN, name="front end", user_email="admin@example.com"
        )
        .token
    )
    with TestClient(asgi_app(container, settings)) as client:
        api = Api(client, container, token, [])
        seed_world(api)
        yield api
    container.close()


def run(api: Api, name: str, **variables: Any) -> dict[str, Any]:
    """Run one operation of ``frontend/`` with its page's fragments; check its shape."""
    page, operation = OPERATIONS[name]
    document = DOCUMENTS[page]
    body = api.query(document_of(name), **variables)
    assert "errors" not in body, body["errors"]
    ShapeChecker(SCHEMA, document).check_operation(operation, body["data"])
    data: dict[str, Any] = body["data"]
    return data


def _spreads(selections: SelectionSetNode | None) -> Iterator[str]:
    for selection in selections.selections if selections else ():
        if isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        else:
            yield from _spreads(selection.selection_set)


def document_of(name: str) -> str:
    """One operation with the fragments it uses, as a client's build step emits it."""
    page, operation = OPERATIONS[name]
    fragments = {
        d.name.value: d
        for d in DOCUMENTS[page].definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    used: dict[str, FragmentDefinitionNode] = {}
    waiting = list(_spreads(operation.selection_set))
    while waiting:
        fragment = fragments[waiting.pop()]
        if fragment.name.value not in used:
            used[fragment.name.value] = fragment
            waiting += _spreads(fragment.selection_set)
    return print_ast(DocumentNode(definitions=(operation, *used.values())))


def _nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def _busiest_customer(api: Api) -> str:
    """A customer with deals, orders and a timeline: the owner of the first deal."""
    deals = api.data("{ opportunities(first: 20) { edges { node { customer { id } } } } }")
    return str(_nodes(deals["opportunities"])[0]["customer"]["id"])


def test_the_customer_360_page(world: Api) -> None:
    customer_id = _busiest_customer(world)
    page = run(world, "Customer360", id=customer_id, timelineFirst=5)["customer"]
    assert page["id"] == customer_id
    assert page["opportunities"]["totalCount"] >= 1
    assert page["orderStats"]["orderCount"] == page["orders"]["totalCount"]
    timeline = page["timeline"]
    assert 0 < len(timeline["edges"]) == min(5, timeline["totalCount"])
    for entry in _nodes(timeline):
        subject = entry["subject"]
        assert subject is None or from_global_id(subject["id"])[0] == subject["__typename"]
    header = run(world, "CustomerHeaderRefetch", id=customer_id)["node"]
    assert header["displayName"] == page["displayName"]
    if timeline["pageInfo"]["hasNextPage"]:
        more = run(
            world,
            "CustomerTimelineMore",
            id=customer_id,
            timelineFirst=5,
            after=timeline["pageInfo"]["endCursor"],
        )["node"]["timeline"]
        seen = {entry["id"] for entry in _nodes(timeline)}
        assert more["edges"] and not seen & {entry["id"] for entry in _nodes(more)}


def _default_pipeline(api: Api) -> str:
    pipelines = api.data("{ pipelines { id isDefault } }")["pipelines"]
    return str(next(p["id"] for p in pipelines if p["isDefault"]))


def test_the_kanban_board_pages_each_column_and_moves_a_card_at_its_version(world: Api) -> None:
    pipeline_id = _default_pipeline(world)
    board = run(world, "KanbanBoard", pipelineId=pipeline_id, perColumn=1)
    columns = board["pipelineBoard"]["columns"]
    assert [c["stage"]["id"] for c in columns] == [s["id"] for s in board["pipeline"]["stages"]]
    assert sum(c["count"] for c in columns) == board["pipelineBoard"]["count"]
    fullest = max(columns, key=lambda column: column["count"])
    assert fullest["count"] >= 2 and fullest["opportunities"]["pageInfo"]["hasNextPage"]
    more = run(
        world,
        "KanbanBoard",
        pipelineId=pipeline_id,
        perColumn=1,
        after=fullest["opportunities"]["pageInfo"]["endCursor"],
    )["pipelineBoard"]["columns"]
    same = next(c for c in more if c["stage"]["id"] == fullest["stage"]["id"])
    first_card = _nodes(fullest["opportunities"])[0]
    assert (
        _nodes(same["opportunities"]) and _nodes(same["opportunities"])[0]["id"] != first_card["id"]
    )

    owner = first_card["owner"]["id"]
    mine = run(world, "KanbanBoard", pipelineId=pipeline_id, ownerIds=[owner])["pipelineBoard"]
    assert all(
        card["owner"]["id"] == owner
        for column in mine["columns"]
        for card in _nodes(column["opportunities"])
    )

    target = next(c for c in columns if c["stage"]["id"] != fullest["stage"]["id"])
    moved = run(
        world,
        "MoveDeal",
        input={
            "opportunityId": first_card["id"],
            "stageId": target["stage"]["id"],
            "version": first_card["version"],
        },
    )["moveOpportunity"]
    if moved["userErrors"]:
        # The stage asks for fields the card lacks: the refusal names them, nothing moved.
        assert all(error["code"] for error in moved["userErrors"])
        return
    assert moved["opportunity"]["stage"]["id"] == target["stage"]["id"]
    stale = run(
        world,
        "MoveDeal",
        input={
            "opportunityId": first_card["id"],
            "stageId": fullest["stage"]["id"],
            "version": first_card["version"],
        },
    )["moveOpportunity"]
    assert [error["code"] for error in stale["userErrors"]] == ["STALE_VERSION"]


def test_the_deal_page_and_its_edit_form(world: Api) -> None:
    deal_id = _nodes(
        world.data("{ opportunities(first: 1) { edges { node { id } } } }")["opportunities"]
    )[0]["id"]
    deal = run(world, "DealDetail", id=deal_id)["opportunity"]
    assert deal["id"] == deal_id and deal["stageHistory"]["totalCount"] >= 1
    edited = run(
        world,
        "EditDeal",
        input={"id": deal_id, "version": deal["version"], "nextStep": "Book the demo"},
    )["updateOpportunity"]
    assert edited["userErrors"] == []
    assert edited["opportunity"]["nextStep"] == "Book the demo"
    assert edited["opportunity"]["version"] == deal["version"] + 1
    again = run(
        world, "EditDeal", input={"id": deal_id, "version": deal["version"], "nextStep": "Lost"}
    )
    assert [error["code"] for error in again["updateOpportunity"]["userErrors"]] == [
        "STALE_VERSION"
    ]


def test_the_lead_page_and_its_actions(world: Api) -> None:
    lead_id = _nodes(world.data("{ leads(first: 1) { edges { node { id } } } }")["leads"])[0]["id"]
    lead = run(world, "LeadDetail", id=lead_id)["lead"]
    assert lead["id"] == lead_id and lead["companySize"] is not None
    assert {"key": "utm_source", "value": "newsletter"} in lead["utm"]
    edited = run(
        world,
        "EditLead",
        input={"id": lead_id, "version": lead["version"], "title": "Head of buying"},
    )
    assert edited["updateLead"]["userErrors"] == []
    assert edited["updateLead"]["lead"]["title"] == "Head of buying"
    contacted = run(world, "MarkLeadContacted", input={"leadId": lead_id})["markLeadContacted"]
    assert contacted["userErrors"] == [] and contacted["lead"]["contactedAt"] is not None


def test_the_live_stage_badge(world: Api) -> None:
    customer_id = _busiest_customer(world)
    page, operation = OPERATIONS["LiveStageChanges"]
    with subscribed(
        world.client, world.token, (document_of("LiveStageChanges"), {"customerId": customer_id})
    ) as socket:
        changed = run(
            world,
            "ChangeStage",
            input={"customerId": customer_id, "track": "acquisition", "stage": "opportunity"},
        )["changeLifecycleStage"]
        assert changed["userErrors"] == []
        live = payload(socket, "lifecycleStageChanged")
    ShapeChecker(SCHEMA, DOCUMENTS[page]).check_operation(
        operation, {"lifecycleStageChanged": live}
    )
    assert live["customer"]["id"] == customer_id
    assert live["stage"]["stage"]["key"] == "opportunity"
    assert live["stage"]["track"]["label"]
