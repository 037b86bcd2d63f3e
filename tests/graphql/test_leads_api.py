"""Leads, tasks and the public form endpoint through the ASGI app."""

from __future__ import annotations

from adapters.graphql.relay import to_global_id
from adapters.memory.token_buckets import InMemoryTokenBuckets
from application.access.bundle import Access
from application.limits import BucketPolicy
from application.principal import Principal
from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.graphql.test_orders_api import customer

CREATE_LEAD = """
mutation($input: CreateLeadInput!) {
  createLead(input: $input) {
    lead { id email source status score grade utm { key value } customer { id email } owner { name } }
    userErrors { field message code }
  }
}"""
LEADS = """
query($filter: LeadFilter) {
  leads(first: 10, filter: $filter) { totalCount edges { node { email source status } } }
}"""
CONVERT = """
mutation($input: ConvertLeadInput!) {
  convertLead(input: $input) {
    lead { status opportunity { name } }
    opportunity { name amount { amount currency } currency company { name } customer { email } }
    userErrors { field message code }
  }
}"""
CREATE_TASK = """
mutation($input: CreateTaskInput!) {
  createTask(input: $input) {
    task { id kind title isOverdue assignee { name } customer { email } }
    userErrors { field message code }
  }
}"""
TASKS = """
query($filter: TaskFilter) {
  tasks(first: 10, filter: $filter) { totalCount edges { node { title isOverdue } } }
}"""


def test_capture_list_and_convert_a_lead(api: Api) -> None:
    ada = customer(api, "ada@example.com")
    created = api.data(
        CREATE_LEAD,
        input={
            "email": "ada@example.com",
            "companyName": "Analytical Engines",
            "source": "event",
            "utmCampaign": "spring",
        },
    )["createLead"]
    assert created["userErrors"] == []
    lead = created["lead"]
    assert lead["customer"]["id"] == ada
    assert lead["utm"] == [{"key": "utm_campaign", "value": "spring"}]
    assert (lead["status"], lead["grade"]) == ("NEW", "C")
    listed = api.data(LEADS, filter={"source": "event"})["leads"]
    assert listed["totalCount"] == 1
    converted = api.data(
        CONVERT,
        input={
            "leadId": lead["id"],
            "opportunityName": "Engines",
            "currency": "GBP",
            "amount": {"amount": "900", "currency": "GBP"},
        },
    )["convertLead"]
    assert converted["userErrors"] == []
    assert converted["lead"] == {"status": "CONVERTED", "opportunity": {"name": "Engines"}}
    assert converted["opportunity"]["company"] == {"name": "Analytical Engines"}
    assert converted["opportunity"]["customer"] == {"email": "ada@example.com"}
    assert converted["opportunity"]["amount"] == {"amount": "900.00", "currency": "GBP"}


def test_bad_leads_are_user_errors(api: Api) -> None:
    for email, code in [("", "REQUIRED"), ("nope", "INVALID_EMAIL")]:
        errors = api.data(CREATE_LEAD, input={"email": email})["createLead"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(["email"], code)]
    assert api.data(LEADS)["leads"]["totalCount"] == 0


def test_my_open_and_overdue_tasks(api: Api) -> None:
    ada = customer(api, "ada@example.com")
    made = api.data(
        CREATE_TASK,
        input={
            "kind": "CALL",
            "title": "Call Ada",
            "dueAt": "2000-01-01T09:00:00Z",
            "customerId": ada,
        },
    )["createTask"]
    assert made["userErrors"] == []
    assert (
        made["task"]["isOverdue"] is True and made["task"]["customer"]["email"] == "ada@example.com"
    )
    api.data(
        CREATE_TASK, input={"kind": "MEETING", "title": "Demo", "dueAt": "2100-01-01T09:00:00Z"}
    )
    assert api.data(TASKS, filter={"mine": True})["tasks"]["totalCount"] == 2
    overdue = api.data(TASKS, filter={"mine": True, "overdue": True})["tasks"]
    assert [e["node"]["title"] for e in overdue["edges"]] == ["Call Ada"]
    other = api.key(Role.SALES_REP, "agent@example.com")
    assert api.data(TASKS, other, filter={"mine": True})["tasks"]["totalCount"] == 0
    bad = api.data(
        CREATE_TASK, input={"kind": "TODO", "title": " ", "dueAt": "2100-01-01T09:00:00Z"}
    )
    assert [e["code"] for e in bad["createTask"]["userErrors"]] == ["REQUIRED"]


def test_websites_post_leads_as_json_or_forms(api: Api) -> None:
    as_json = api.client.post(
        "/forms/website", json={"email": "web@example.com", "utm_source": "ads"}
    )
    assert as_json.status_code == 201, as_json.text
    as_form = api.client.post(
        "/forms/website", data={"email": "form@example.com", "firstName": "Flo", "website": ""}
    )
    assert as_form.status_code == 201, as_form.text
    listed = api.data(LEADS, filter={"source": "website"})["leads"]
    assert sorted(e["node"]["email"] for e in listed["edges"]) == [
        "form@example.com",
        "web@example.com",
    ]


def test_bad_form_posts_are_refused_and_change_nothing(api: Api) -> None:
    cases = [
        ("/forms/nope", {"email": "a@example.com"}, 404, "NOT_FOUND"),
        ("/forms/website", {"email": "a@example.com", "website": "http://spam"}, 400, "SPAM"),
        ("/forms/website", {"email": "a@example.com", "shoeSize": "9"}, 400, "UNKNOWN_FIELD"),
    ]
    for path, body, status, code in cases:
        response = api.client.post(path, json=body)
        assert response.status_code == status
        assert response.json()["userErrors"][0]["code"] == code
    assert (
        api.client.post(
            "/forms/website", content=b"[1]", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    assert api.data(LEADS)["leads"]["totalCount"] == 0


def test_a_form_name_starting_like_a_formula_is_a_field_problem(api: Api) -> None:
    response = api.client.post(
        "/forms/website",
        json={"email": "a@example.com", "firstName": '=HYPERLINK("http://evil.example","x")'},
    )
    assert response.status_code == 400
    assert response.json()["userErrors"] == [
        {"field": ["firstName"], "message": "must not start with =, +, - or @", "code": "INVALID"}
    ]
    assert api.data(LEADS)["leads"]["totalCount"] == 0


def test_a_client_posting_too_fast_is_slowed_down() -> None:
    moment = [0.0]
    buckets = InMemoryTokenBuckets(now=lambda: moment[0])
    policy = BucketPolicy(capacity=2, refill_per_second=6 / 60)

    def take(client: str) -> bool:
        return buckets.take(client, 1, policy).granted

    assert [take("1.2.3.4") for _ in range(3)] == [True, True, False]
    assert take("5.6.7.8")  # another client has its own bucket
    moment[0] = 10.0  # six a minute: one token back after ten seconds
    assert take("1.2.3.4") and not take("1.2.3.4")


def test_the_form_endpoint_answers_429_past_the_limit(api: Api) -> None:
    codes = [
        api.client.post("/forms/website", json={"email": f"s{n}@example.com"}).status_code
        for n in range(12)
    ]
    assert codes[:10] == [201] * 10 and codes[10:] == [429, 429]


def test_mark_a_lead_contacted_and_read_its_score_history(api: Api) -> None:
    lead = api.data(CREATE_LEAD, input={"email": "vp@example.com", "title": "VP Sales"})[
        "createLead"
    ]
    marked = api.data(
        """mutation($id: ID!) { markLeadContacted(input: {leadId: $id}) {
             lead { contactedAt scoreHistory { fromScore toScore grade } } userErrors { code } } }""",
        id=lead["lead"]["id"],
    )["markLeadContacted"]
    assert marked["lead"]["contactedAt"] is not None
    assert marked["lead"]["scoreHistory"] == [{"fromScore": 0, "toScore": 25, "grade": "C"}]
    missing = api.data(
        'mutation { markLeadContacted(input: {leadId: "TGVhZDpub3Bl"}) { userErrors { field code } } }'
    )["markLeadContacted"]
    assert missing["userErrors"] == [{"field": ["leadId"], "code": "NOT_FOUND"}]


TEAMS = """
mutation($input: CreateSalesTeamInput!) {
  createSalesTeam(input: $input) {
    salesTeam { id name strategy members { away user { name } } } userErrors { field code }
  }
}"""
AWAY = """
mutation($input: SetRepAwayInput!) {
  setRepAway(input: $input) {
    salesTeam { members { away user { id } } } userErrors { field code }
  }
}"""


def test_teams_share_leads_and_skip_the_rep_who_is_away(api: Api) -> None:
    users = [
        api.container.use(Access)
        .register_user(
            Principal.system(),
            name=name,
            email=f"{name.lower()}@example.com",
            role=Role.SALES_REP,
        )
        .id
        for name in ("Ana", "Ben")
    ]
    ids = [to_global_id("User", user) for user in users]
    team = api.data(TEAMS, input={"name": "Inside", "members": [{"userId": i} for i in ids]})
    created = team["createSalesTeam"]
    assert created["userErrors"] == [] and created["salesTeam"]["strategy"] == "ROUND_ROBIN"
    away = api.data(
        AWAY, input={"teamId": created["salesTeam"]["id"], "userId": ids[0], "away": True}
    )
    assert [m["away"] for m in away["setRepAway"]["salesTeam"]["members"]] == [True, False]
    owners = [
        api.data(CREATE_LEAD, input={"email": f"l{n}@example.com"})["createLead"]["lead"]["owner"]
        for n in range(2)
    ]
    assert owners == [{"name": "Ben"}, {"name": "Ben"}]
    listed = api.data("{ salesTeams { name members { user { name } } } }")["salesTeams"]
    assert listed == [
        {"name": "Inside", "members": [{"user": {"name": "Ana"}}, {"user": {"name": "Ben"}}]}
    ]
    unknown = api.data(
        AWAY,
        input={
            "teamId": created["salesTeam"]["id"],
            "userId": to_global_id("User", "x"),
            "away": True,
        },
    )
    assert unknown["setRepAway"]["userErrors"] == [{"field": ["userId"], "code": "NOT_FOUND"}]


RULE = """
mutation($input: SaveAutomationRuleInput!) {
  saveAutomationRule(input: $input) { rule { key condition action } userErrors { field code } }
}"""


def test_automation_rules_are_data_through_the_api(api: Api) -> None:
    condition = {"type": "bought_without", "product": "LIC", "days": 182, "neverBought": "SUP"}
    action = {"type": "create_task", "kind": "call", "title": "Offer support", "dueInDays": 5}
    saved = api.data(
        RULE,
        input={"key": "cross_sell", "name": "Support", "condition": condition, "action": action},
    )["saveAutomationRule"]
    assert saved["userErrors"] == [] and saved["rule"]["condition"] == condition
    listed = api.data("{ automationRules { key action } }")["automationRules"]
    assert listed == [{"key": "cross_sell", "action": action}]
    bad = api.data(
        RULE, input={"key": "x", "name": "x", "condition": {"type": "python"}, "action": action}
    )["saveAutomationRule"]
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID"]
    assert len(api.data("{ automationRules { key } }")["automationRules"]) == 1
    agent = api.key(Role.SALES_REP, "agent@example.com")
    refused = api.data(
        RULE, agent, input={"key": "y", "name": "y", "condition": condition, "action": action}
    )["saveAutomationRule"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
