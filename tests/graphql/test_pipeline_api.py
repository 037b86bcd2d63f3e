"""The pipeline end to end through the ASGI app: deals, board, funnel, forecast, errors."""

from __future__ import annotations

from typing import Any

from tests.graphql.conftest import Api
from tests.graphql.test_orders_api import customer

PIPELINES = "{ pipelines { id name isDefault stages { id key probability requiredFields } } }"
CREATE = """
mutation($input: CreateOpportunityInput!) {
  createOpportunity(input: $input) {
    opportunity { id name amount { amount currency } currency status probability version
      stage { key } customer { id } owner { name } lineItems { product total { amount } } }
    userErrors { field message code }
  }
}"""
MOVE = """
mutation($input: MoveOpportunityInput!) {
  moveOpportunity(input: $input) {
    opportunity { id version stage { key }
      stageHistory { totalCount edges { node { stage { key } firstEntry leftAt } } } }
    userErrors { field message code }
  }
}"""
CLOSE = """
mutation($input: CloseOpportunityInput!) {
  closeOpportunity(input: $input) {
    opportunity { id status closeReason probability }
    userErrors { field message code }
  }
}"""
BOARD = """
query($id: ID!) {
  pipelineBoard(pipelineId: $id) {
    count totals { currency amount }
    columns { stage { key } count totals { currency amount }
      opportunities(first: 5) { totalCount edges { node { name isStale } } } }
  }
}"""
FUNNEL = """
query($id: ID!, $from: DateTime!, $to: DateTime!) {
  salesFunnel(pipelineId: $id, from: $from, to: $to) {
    stages { stage { key } entered values { currency amount } conversionToNext }
    won lost winRate averageDealSizes { currency amount }
  }
}"""
FORECAST = """
query($id: ID!) {
  salesForecast(pipelineId: $id, period: QUARTER) {
    period count amount { amount currency } weighted { amount currency }
  }
}"""
LIST = """
query($after: String, $filter: OpportunityFilter) {
  opportunities(first: 2, after: $after, filter: $filter) {
    totalCount edges { node { name } } pageInfo { hasNextPage endCursor }
  }
}"""


def stages(api: Api) -> dict[str, str]:
    (pipeline,) = api.data(PIPELINES)["pipelines"]
    return {stage["key"]: stage["id"] for stage in pipeline["stages"]} | {"": pipeline["id"]}


def create(api: Api, **fields: Any) -> dict[str, Any]:
    """Open a deal; an amount given as text is in the deal's currency, and so are line
    items' unit prices."""
    if isinstance(fields.get("amount"), str):
        fields["amount"] = {"amount": fields["amount"], "currency": fields["currency"]}
    fields["lineItems"] = [
        {
            **{k: v for k, v in item.items() if k != "currency"},
            "unitPrice": {"amount": item["unitPrice"], "currency": item["currency"]},
        }
        for item in fields.get("lineItems", [])
    ]
    result: dict[str, Any] = api.data(CREATE, input=fields)["createOpportunity"]
    return result


def move(api: Api, deal: dict[str, Any], stage_id: str) -> dict[str, Any]:
    """Move a deal at the version it was read at."""
    result: dict[str, Any] = api.data(
        MOVE,
        input={"opportunityId": deal["id"], "stageId": stage_id, "version": deal["version"]},
    )["moveOpportunity"]
    return result


def test_a_deal_from_opening_to_winning(api: Api) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    created = create(
        api,
        name="Pilot",
        customerId=ada,
        currency="EUR",
        lineItems=[
            {"product": "Seat", "quantity": 3, "unitPrice": "19.99", "currency": "EUR"},
            {"product": "Setup", "quantity": 1, "unitPrice": "100", "currency": "EUR"},
        ],
        expectedCloseDate="2026-03-31",
    )
    assert created["userErrors"] == []
    deal = created["opportunity"]
    assert (deal["amount"]["amount"], deal["stage"]["key"], deal["probability"]) == (
        "159.97",
        "qualification",
        10,
    )
    assert deal["customer"]["id"] == ada
    moved = move(api, deal, ids["proposal"])
    history = moved["opportunity"]["stageHistory"]
    assert history["totalCount"] == 2
    assert [(h["node"]["stage"]["key"], h["node"]["leftAt"] is None) for h in history["edges"]] == [
        ("qualification", False),
        ("proposal", True),
    ]
    board = api.data(BOARD, id=ids[""])["pipelineBoard"]
    assert board["count"] == 1 and board["totals"] == [{"currency": "EUR", "amount": "159.97"}]
    proposal = next(c for c in board["columns"] if c["stage"]["key"] == "proposal")
    assert proposal["opportunities"]["edges"][0]["node"] == {"name": "Pilot", "isStale": False}
    closed = api.data(
        CLOSE, input={"opportunityId": deal["id"], "outcome": "WON", "reason": "signed"}
    )["closeOpportunity"]
    assert closed["opportunity"]["status"] == "WON" and closed["opportunity"]["probability"] == 100


def test_bad_deals_are_user_errors_and_change_nothing(api: Api) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    cases = [
        ({"amount": "-5"}, [(["amount"], "NEGATIVE")]),
        (
            {"stageId": ids["negotiation"]},
            [
                (["amount"], "REQUIRED"),
                (["expectedCloseDate"], "REQUIRED"),
                (["nextStep"], "REQUIRED"),
            ],
        ),
        (
            {
                "lineItems": [
                    {"product": "Seat", "quantity": 1, "unitPrice": "5", "currency": "USD"}
                ]
            },
            [(["lineItems", "0", "unitPrice"], "CURRENCY_MISMATCH")],
        ),
        ({"customerId": "bm90IGFuIGlk"}, [(["customerId"], "INVALID_ID")]),
    ]
    for changes, expected in cases:
        fields = {"name": "Deal", "customerId": ada, "currency": "EUR", **changes}
        errors = create(api, **fields)["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == expected
    assert api.data(LIST)["opportunities"]["totalCount"] == 0


def test_moves_and_closes_that_break_the_rules_are_refused(api: Api) -> None:
    stages(api)
    ada = customer(api, "ada@example.com")
    deal = create(api, name="Deal", customerId=ada, currency="EUR")["opportunity"]
    foreign = "UGlwZWxpbmVTdGFnZTpyZW5ld2Fscy1kdWU"  # PipelineStage:renewals-due
    moved = move(api, deal, foreign)
    assert [e["code"] for e in moved["userErrors"]] == ["WRONG_PIPELINE"]
    closed = api.data(CLOSE, input={"opportunityId": deal["id"], "outcome": "LOST"})
    assert [(e["field"], e["code"]) for e in closed["closeOpportunity"]["userErrors"]] == [
        (["reason"], "REQUIRED")
    ]
    listed = api.data(LIST, filter={"status": "OPEN"})["opportunities"]
    assert listed["totalCount"] == 1
    assert api.data(LIST, filter={"stale": True})["opportunities"]["totalCount"] == 0


def test_funnel_and_forecast_through_the_api(api: Api) -> None:
    ids = stages(api)
    ada = customer(api, "ada@example.com")
    won = create(
        api, name="A", customerId=ada, currency="USD", amount="1000", expectedCloseDate="2026-02-10"
    )
    lost = create(api, name="B", customerId=ada, currency="USD", amount="500")
    create(
        api, name="C", customerId=ada, currency="USD", amount="300", expectedCloseDate="2026-05-01"
    )
    move(api, won["opportunity"], ids["discovery"])
    api.data(
        CLOSE, input={"opportunityId": won["opportunity"]["id"], "outcome": "WON", "reason": "yes"}
    )
    api.data(
        CLOSE, input={"opportunityId": lost["opportunity"]["id"], "outcome": "LOST", "reason": "no"}
    )
    funnel = api.data(
        FUNNEL, id=ids[""], **{"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}
    )
    result = funnel["salesFunnel"]
    assert [(s["stage"]["key"], s["entered"]) for s in result["stages"]] == [
        ("qualification", 3),
        ("discovery", 1),
        ("proposal", 0),
        ("negotiation", 0),
    ]
    assert result["stages"][0]["conversionToNext"] == "0.3333"
    assert (result["won"], result["lost"], result["winRate"]) == (1, 1, "0.5000")
    assert result["averageDealSizes"] == [{"currency": "USD", "amount": "1000.00"}]
    forecast = api.data(FORECAST, id=ids[""])["salesForecast"]
    assert forecast == [
        {
            "period": "2026-Q2",
            "count": 1,
            "amount": {"amount": "300.00", "currency": "USD"},
            "weighted": {"amount": "30.00", "currency": "USD"},
        }
    ]


def test_opportunities_page_by_keyset(api: Api) -> None:
    stages(api)
    ada = customer(api, "ada@example.com")
    for name in "ABCDE":
        create(api, name=name, customerId=ada, currency="EUR")
    names: list[str] = []
    after = None
    while True:
        page = api.data(LIST, after=after)["opportunities"]
        names += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(names) == list("ABCDE") and len(names) == 5


COMPANY_WORK = """
query($id: ID!, $deals: OpportunityFilter, $tasks: TaskFilter) {
  company(id: $id) {
    opportunities(first: 10, filter: $deals) { totalCount edges { node { name status } } }
    tasks(first: 10, filter: $tasks) { totalCount edges { node { title } } }
  }
}"""
NEW_COMPANY = """
mutation($input: CreateCompanyInput!) { createCompany(input: $input) { company { id } } }
"""
JOIN = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }
"""
NEW_TASK = """
mutation($input: CreateTaskInput!) { createTask(input: $input) { userErrors { code } } }
"""


def test_a_company_lists_its_deals_and_the_open_work_on_its_people_and_deals(api: Api) -> None:
    acme, other = (
        api.data(NEW_COMPANY, input={"name": name})["createCompany"]["company"]["id"]
        for name in ("Acme", "Other")
    )
    ada = api.data(JOIN, input={"email": "ada@acme.example", "companyId": acme})
    ada_id = ada["createCustomer"]["customer"]["id"]
    bob = customer(api, "bob@elsewhere.example")
    pilot = create(api, name="Pilot", customerId=ada_id, currency="EUR", companyId=acme)
    won = create(api, name="Renewal", customerId=ada_id, currency="EUR", companyId=acme)
    create(api, name="Theirs", customerId=bob, currency="EUR", companyId=other)
    api.data(
        CLOSE,
        input={"opportunityId": won["opportunity"]["id"], "outcome": "WON", "reason": "signed"},
    )
    due = "2100-01-01T09:00:00Z"
    for title, fields in (
        ("Call Ada", {"customerId": ada_id}),
        ("Send the pilot plan", {"opportunityId": pilot["opportunity"]["id"]}),
        ("Call Bob", {"customerId": bob}),
    ):
        made = api.data(NEW_TASK, input={"kind": "CALL", "title": title, "dueAt": due, **fields})
        assert made["createTask"]["userErrors"] == []

    work = api.data(COMPANY_WORK, id=acme, deals={"status": "OPEN"}, tasks={"status": "OPEN"})
    company = work["company"]
    assert [e["node"]["name"] for e in company["opportunities"]["edges"]] == ["Pilot"]
    assert sorted(e["node"]["title"] for e in company["tasks"]["edges"]) == [
        "Call Ada",
        "Send the pilot plan",
    ]
    everything = api.data(COMPANY_WORK, id=acme)["company"]
    assert everything["opportunities"]["totalCount"] == 2
    listed = api.data(LIST, filter={"companyId": other})["opportunities"]
    assert [e["node"]["name"] for e in listed["edges"]] == ["Theirs"]
