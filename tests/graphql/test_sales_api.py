"""The sales pipeline's revised API: every node refetchable, every record editable at a
version, every list a connection, and lists of lists in a constant number of statements."""

from __future__ import annotations

from typing import Any

from adapters.graphql.relay import to_global_id
from application.access.bundle import Access
from application.principal import Principal
from domain.access.roles import Resource, Role
from tests.graphql.conftest import Api
from tests.graphql.test_orders_api import customer
from tests.graphql.test_pipeline_api import create, stages
from tests.graphql.visibility import share, user_gid

DEAL = "id version amount { amount currency } expectedCloseDate nextStep stage { key }"
UPDATE = """
mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { opportunity { DEAL } userErrors { field code } }
}""".replace("DEAL", DEAL)
MOVE = """
mutation($input: MoveOpportunityInput!) {
  moveOpportunity(input: $input) { opportunity { DEAL } userErrors { field code } }
}""".replace("DEAL", DEAL)
ONE_DEAL = "query($id: ID!) { opportunity(id: $id) { DEAL } }".replace("DEAL", DEAL)


def new_lead(api: Api, email: str, **fields: Any) -> dict[str, Any]:
    made: dict[str, Any] = api.data(
        """mutation($input: CreateLeadInput!) {
             createLead(input: $input) {
               lead { id version companySize grade score } userErrors { field code } } }""",
        input={"email": email, **fields},
    )["createLead"]
    assert made["userErrors"] == []
    lead: dict[str, Any] = made["lead"]
    return lead


def new_task(api: Api, title: str, **fields: Any) -> dict[str, Any]:
    made = api.data(
        """mutation($input: CreateTaskInput!) {
             createTask(input: $input) { task { id version } userErrors { field code } } }""",
        input={"kind": "CALL", "title": title, "dueAt": "2100-01-01T09:00:00Z", **fields},
    )["createTask"]
    assert made["userErrors"] == []
    task: dict[str, Any] = made["task"]
    return task


def new_team(api: Api, *names: str) -> tuple[dict[str, Any], list[str]]:
    users = [
        to_global_id(
            "User",
            api.container.use(Access)
            .register_user(
                Principal.system(),
                name=name,
                email=f"{name.lower()}@example.com",
                role=Role.SALES_REP,
            )
            .id,
        )
        for name in names
    ]
    made = api.data(
        """mutation($input: CreateSalesTeamInput!) {
             createSalesTeam(input: $input) { salesTeam { id version name } } }""",
        input={"name": "Inside", "members": [{"userId": u} for u in users]},
    )
    team: dict[str, Any] = made["createSalesTeam"]["salesTeam"]
    return team, users


def test_every_sales_node_refetches_by_node_and_by_its_root_field(api: Api) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    deal = create(api, name="Pilot", customerId=ada, currency="EUR")["opportunity"]
    lead = new_lead(api, "lead@example.com")
    task = new_task(api, "Call Ada", customerId=ada)
    team, _ = new_team(api, "Ana")
    for type_name, root, node_id in (
        ("Opportunity", "opportunity", deal["id"]),
        ("Lead", "lead", lead["id"]),
        ("Task", "task", task["id"]),
        ("Pipeline", "pipeline", ids[""]),
        ("SalesTeam", "salesTeam", team["id"]),
    ):
        found = api.data(
            "query($id: ID!) { node(id: $id) { __typename id } ROOT(id: $id) { id } }".replace(
                "ROOT", root
            ),
            id=node_id,
        )
        assert found == {"node": {"__typename": type_name, "id": node_id}, root: {"id": node_id}}
    ghost = api.data('{ lead(id: "TGVhZDpnaG9zdA") { id } }')
    assert ghost == {"lead": None}
    wrong = api.query('{ task(id: "TGVhZDpnaG9zdA") { id } }')
    assert wrong["errors"][0]["extensions"] == {"code": "INVALID_ID", "field": "id"}


def test_a_deal_without_an_amount_is_given_one_and_moves_to_a_stage_that_needs_it(
    api: Api,
) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    deal = create(api, name="Pilot", customerId=ada, currency="EUR")["opportunity"]
    refused = api.data(
        MOVE,
        input={"opportunityId": deal["id"], "stageId": ids["negotiation"], "version": 1},
    )["moveOpportunity"]
    assert sorted(e["field"][0] for e in refused["userErrors"]) == [
        "amount",
        "expectedCloseDate",
        "nextStep",
    ]
    updated = api.data(
        UPDATE,
        input={
            "id": deal["id"],
            "version": deal["version"],
            "amount": {"amount": "1200", "currency": "EUR"},
            "expectedCloseDate": "2026-06-30",
            "nextStep": "Send the contract",
        },
    )["updateOpportunity"]
    assert updated["userErrors"] == []
    edited = updated["opportunity"]
    assert edited["amount"] == {"amount": "1200.00", "currency": "EUR"}
    assert edited["version"] == deal["version"] + 1
    moved = api.data(
        MOVE,
        input={
            "opportunityId": deal["id"],
            "stageId": ids["negotiation"],
            "version": edited["version"],
        },
    )["moveOpportunity"]
    assert moved["userErrors"] == [] and moved["opportunity"]["stage"]["key"] == "negotiation"
    # What the stage requires stays filled, and a stale version changes nothing.
    clearing = api.data(
        UPDATE,
        input={"id": deal["id"], "version": moved["opportunity"]["version"], "amount": None},
    )["updateOpportunity"]
    assert clearing["userErrors"] == [{"field": ["amount"], "code": "REQUIRED"}]
    stale = api.data(
        UPDATE, input={"id": deal["id"], "version": deal["version"], "name": "Renamed"}
    )["updateOpportunity"]
    assert stale == {
        "opportunity": None,
        "userErrors": [{"field": ["version"], "code": "STALE_VERSION"}],
    }
    assert api.data(ONE_DEAL, id=deal["id"])["opportunity"] == moved["opportunity"]


def test_of_two_reps_dragging_one_card_the_second_is_refused_and_nothing_moves(
    api: Api,
) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    rita = api.key(Role.SALES_REP, "rita@example.com")
    sam = api.key(Role.SALES_REP, "sam@example.com")
    # Rita owns the deal and shares it with Sam: both may see and move it.
    deal = create(api, name="Pilot", customerId=ada, currency="EUR", ownerId=user_gid(api, rita))[
        "opportunity"
    ]
    share(api, Resource.DEALS, deal["id"], with_token=sam)
    seen = api.data(ONE_DEAL, rita, id=deal["id"])["opportunity"]
    assert api.data(ONE_DEAL, sam, id=deal["id"])["opportunity"] == seen
    first = api.data(
        MOVE,
        rita,
        input={
            "opportunityId": deal["id"],
            "stageId": ids["discovery"],
            "version": seen["version"],
        },
    )["moveOpportunity"]
    assert first["userErrors"] == [] and first["opportunity"]["stage"]["key"] == "discovery"
    second = api.data(
        MOVE,
        sam,
        input={"opportunityId": deal["id"], "stageId": ids["proposal"], "version": seen["version"]},
    )["moveOpportunity"]
    assert second == {
        "opportunity": None,
        "userErrors": [{"field": ["version"], "code": "STALE_VERSION"}],
    }
    assert api.data(ONE_DEAL, id=deal["id"])["opportunity"] == first["opportunity"]
    missing_version = api.query(
        "mutation($d: ID!, $s: ID!) { moveOpportunity(input: {opportunityId: $d, stageId: $s}) "
        "{ userErrors { code } } }",
        d=deal["id"],
        s=ids["proposal"],
    )
    assert "version" in missing_version["errors"][0]["message"]


def test_leads_tasks_and_teams_are_edited_at_a_version(api: Api) -> None:
    ada = customer(api, "ada@example.com")
    lead = new_lead(api, "vp@example.com", companySize="FROM_201_TO_500")
    assert (lead["companySize"], lead["grade"]) == ("FROM_201_TO_500", "C")
    lead_update = """mutation($input: UpdateLeadInput!) { updateLead(input: $input) {
        lead { version title companySize } userErrors { field code } } }"""
    changed = api.data(
        lead_update,
        input={
            "id": lead["id"],
            "version": lead["version"],
            "title": "CTO",
            "companySize": "OVER_10000",
        },
    )["updateLead"]
    assert changed["lead"]["title"] == "CTO" and changed["lead"]["companySize"] == "OVER_10000"
    stale = api.data(
        lead_update, input={"id": lead["id"], "version": lead["version"], "title": "x"}
    )
    assert stale["updateLead"]["userErrors"] == [{"field": ["version"], "code": "STALE_VERSION"}]

    task = new_task(api, "Call Ada", customerId=ada)
    task_update = """mutation($input: UpdateTaskInput!) { updateTask(input: $input) {
        task { version title kind } userErrors { field code } } }"""
    edited = api.data(
        task_update,
        input={"id": task["id"], "version": task["version"], "title": "Email Ada", "kind": "EMAIL"},
    )["updateTask"]
    assert edited["task"]["title"] == "Email Ada" and edited["task"]["kind"] == "EMAIL"
    again = api.data(
        task_update, input={"id": task["id"], "version": task["version"], "title": "x"}
    )
    assert again["updateTask"]["userErrors"] == [{"field": ["version"], "code": "STALE_VERSION"}]
    done = api.data(
        """mutation($input: CompleteTaskInput!) { completeTask(input: $input) {
             task { status } userErrors { code } } }""",
        input={"taskId": task["id"]},
    )["completeTask"]
    assert done == {"task": {"status": "DONE"}, "userErrors": []}

    team, _ = new_team(api, "Ana")
    team_update = """mutation($input: UpdateSalesTeamInput!) { updateSalesTeam(input: $input) {
        salesTeam { version name strategy } userErrors { field code } } }"""
    renamed = api.data(
        team_update,
        input={
            "id": team["id"],
            "version": team["version"],
            "name": "Field",
            "strategy": "TERRITORY",
        },
    )["updateSalesTeam"]
    assert (
        renamed["salesTeam"]["name"] == "Field" and renamed["salesTeam"]["strategy"] == "TERRITORY"
    )
    late = api.data(team_update, input={"id": team["id"], "version": team["version"], "name": "x"})
    assert late["updateSalesTeam"]["userErrors"] == [
        {"field": ["version"], "code": "STALE_VERSION"}
    ]


LIST = """
query($first: Int, $last: Int, $after: String, $before: String, $order: OpportunityOrder) {
  opportunities(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
    totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage }
  }
}"""


def test_deals_sort_by_amount_and_page_backwards(api: Api) -> None:
    stages(api)
    ada = customer(api, "ada@example.com")
    for name, amount in (("A", "30"), ("B", "10"), ("C", None), ("D", "20")):
        create(
            api, name=name, customerId=ada, currency="EUR", **({"amount": amount} if amount else {})
        )
    by_amount = {"field": "AMOUNT", "direction": "DESC"}
    page = api.data(LIST, first=10, order=by_amount)["opportunities"]
    assert [e["node"]["name"] for e in page["edges"]] == ["A", "D", "B", "C"]
    tail = api.data(LIST, last=2, order=by_amount)["opportunities"]
    assert [e["node"]["name"] for e in tail["edges"]] == ["B", "C"]
    assert tail["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    before = api.data(LIST, last=2, before=tail["edges"][0]["cursor"], order=by_amount)
    assert [e["node"]["name"] for e in before["opportunities"]["edges"]] == ["A", "D"]
    by_name = api.data(LIST, first=2, order={"field": "NAME"})["opportunities"]
    assert [e["node"]["name"] for e in by_name["edges"]] == ["A", "B"]
    assert by_name["totalCount"] == 4
    leads = api.data(
        "{ leads(orderBy: {field: EMAIL, direction: DESC}, last: 1) { edges { node { email } } } }"
    )
    assert leads == {"leads": {"edges": []}}


def _selects(api: Api, query: str, **variables: Any) -> tuple[int, dict[str, Any]]:
    api.statements.clear()
    data = api.data(query, **variables)
    return sum(s.lstrip().startswith("SELECT") for s in api.statements), data


DEALS_WITH_HISTORY = """
query($n: Int) { opportunities(first: $n) { edges { node { name
  stageHistory(first: 5) { totalCount edges { node { stage { key } } } } } } } }"""


def test_stage_histories_of_a_page_of_deals_load_in_constant_statements(api: Api) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    for number in range(8):
        deal = create(api, name=f"D{number}", customerId=ada, currency="EUR")["opportunity"]
        api.data(
            MOVE,
            input={"opportunityId": deal["id"], "stageId": ids["discovery"], "version": 1},
        )
    _selects(api, DEALS_WITH_HISTORY, n=1)
    small, data = _selects(api, DEALS_WITH_HISTORY, n=2)
    large, data = _selects(api, DEALS_WITH_HISTORY, n=8)
    assert small == large == 3  # the deals, their stays, and the pipelines
    histories = [e["node"]["stageHistory"] for e in data["opportunities"]["edges"]]
    assert all(h["totalCount"] == 2 for h in histories) and len(histories) == 8


CUSTOMERS_WITH_WORK = """
query($n: Int) { customers(first: $n) { edges { node { email
  opportunities(first: 2) { totalCount edges { node { name } } }
  tasks(first: 2) { totalCount edges { node { title } } }
  overdue: tasks(filter: {overdue: true}) { totalCount }
  leads(first: 2) { totalCount edges { node { email } } } } } } }"""


def test_deals_tasks_and_leads_of_a_page_of_customers_load_in_constant_statements(
    api: Api,
) -> None:
    stages(api)
    people = [customer(api, f"c{n}@example.com") for n in range(6)]
    for number, person in enumerate(people):
        for deal in range(3):
            create(api, name=f"{number}-{deal}", customerId=person, currency="EUR")
        new_task(api, f"Call {number}", customerId=person)
        new_lead(api, f"c{number}@example.com")
    _selects(api, CUSTOMERS_WITH_WORK, n=1)
    small, _ = _selects(api, CUSTOMERS_WITH_WORK, n=2)
    large, data = _selects(api, CUSTOMERS_WITH_WORK, n=6)
    assert small == large == 9  # the customers, and a page and a count of each list
    for edge in data["customers"]["edges"]:
        node = edge["node"]
        number = node["email"][1]
        assert node["opportunities"]["totalCount"] == 3
        assert [e["node"]["name"] for e in node["opportunities"]["edges"]] == [
            f"{number}-2",
            f"{number}-1",
        ]
        assert [e["node"]["title"] for e in node["tasks"]["edges"]] == [f"Call {number}"]
        assert node["overdue"] == {"totalCount": 0}
        assert node["leads"] == {
            "totalCount": 1,
            "edges": [{"node": {"email": node["email"]}}],
        }


BOARD = """
query($id: ID!, $filter: BoardFilter, $n: Int, $after: String) {
  pipelineBoard(pipelineId: $id, filter: $filter) {
    count totals { amount currency }
    columns { stage { key } count
      opportunities(first: $n, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { name owner { name } } } } }
  }
}"""


def test_a_board_pages_each_column_filters_by_owner_and_team_in_constant_statements(
    api: Api,
) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    team, (ana, _ben) = new_team(api, "Ana", "Ben")
    for number in range(6):
        owner = {"ownerId": ana} if number % 2 else {}
        stage = {"stageId": ids["discovery"]} if number < 3 else {}
        create(
            api, name=f"D{number}", customerId=ada, currency="EUR", amount="10", **owner, **stage
        )
    _selects(api, BOARD, id=ids[""], n=1)
    small, _ = _selects(api, BOARD, id=ids[""], n=1)
    large, board = _selects(api, BOARD, id=ids[""], n=5)
    assert small == large == 4  # the pipelines, the totals, every column's page, the owners
    board = board["pipelineBoard"]
    assert board["count"] == 6 and board["totals"] == [{"amount": "60.00", "currency": "EUR"}]
    columns = {c["stage"]["key"]: c for c in board["columns"]}
    assert columns["discovery"]["count"] == 3
    assert [e["node"]["name"] for e in columns["discovery"]["opportunities"]["edges"]] == [
        "D2",
        "D1",
        "D0",
    ]
    first = api.data(BOARD, id=ids[""], n=2)["pipelineBoard"]["columns"]
    discovery = next(c for c in first if c["stage"]["key"] == "discovery")["opportunities"]
    assert discovery["pageInfo"]["hasNextPage"] and discovery["totalCount"] == 3
    rest = api.data(BOARD, id=ids[""], n=2, after=discovery["pageInfo"]["endCursor"])
    column = next(c for c in rest["pipelineBoard"]["columns"] if c["stage"]["key"] == "discovery")
    assert [e["node"]["name"] for e in column["opportunities"]["edges"]] == ["D0"]
    mine = api.data(BOARD, id=ids[""], filter={"ownerIds": [ana]})["pipelineBoard"]
    assert mine["count"] == 3 and mine["totals"] == [{"amount": "30.00", "currency": "EUR"}]
    teams = api.data(BOARD, id=ids[""], filter={"teamId": team["id"]})["pipelineBoard"]
    assert teams["count"] == 3
    names = {
        e["node"]["owner"]["name"] for c in teams["columns"] for e in c["opportunities"]["edges"]
    }
    assert names == {"Ana"}


COMPANIES_WITH_DEALS = """
query($n: Int) { companies(first: $n) { edges { node { name
  opportunities(first: 2) { totalCount edges { node { name } } } } } } }"""


def test_deals_of_a_page_of_companies_load_in_constant_statements(api: Api) -> None:
    stages(api)
    ada = customer(api, "ada@example.com")
    for number in range(5):
        company = api.data(
            "mutation($name: String!) { createCompany(input: {name: $name}) { company { id } } }",
            name=f"Co{number}",
        )["createCompany"]["company"]["id"]
        for deal in range(number % 3 + 1):
            create(api, name=f"{number}-{deal}", customerId=ada, currency="EUR", companyId=company)
    _selects(api, COMPANIES_WITH_DEALS, n=1)
    small, _ = _selects(api, COMPANIES_WITH_DEALS, n=2)
    large, data = _selects(api, COMPANIES_WITH_DEALS, n=5)
    assert small == large
    counts = {
        e["node"]["name"]: e["node"]["opportunities"]["totalCount"]
        for e in data["companies"]["edges"]
    }
    assert counts == {"Co0": 1, "Co1": 2, "Co2": 3, "Co3": 1, "Co4": 2}


def test_a_forecast_by_owner_or_team_names_them(api: Api) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    team, (ana,) = new_team(api, "Ana")
    create(
        api, name="A", customerId=ada, currency="USD", amount="100",
        expectedCloseDate="2026-05-01", ownerId=ana,
    )  # fmt: skip
    query = """query($id: ID!, $by: ForecastGroupBy!) {
      salesForecast(pipelineId: $id, period: QUARTER, groupBy: $by) {
        period group count amount { amount } owner { id name } team { id name } } }"""
    by_owner = api.data(query, id=ids[""], by="OWNER")["salesForecast"]
    assert [(f["group"], f["owner"], f["team"]) for f in by_owner] == [
        ("Ana", {"id": ana, "name": "Ana"}, None)
    ]
    by_team = api.data(query, id=ids[""], by="TEAM")["salesForecast"]
    assert [(f["group"], f["owner"], f["team"]) for f in by_team] == [
        ("Inside", None, {"id": team["id"], "name": "Inside"})
    ]
