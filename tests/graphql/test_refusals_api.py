"""Refused requests answer exactly as recorded in ``refusals.json``.

Malformed ids, inputs the use cases refuse, pages too large and missing rights, across
every module: each becomes a ``userErrors`` entry or a coded top-level error, with its
field, code and message. The recording was taken before resolvers left that to the
``UserErrors`` and ``QueryErrors`` field extensions; a change here is a change of the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.access.roles import Role
from tests.graphql.conftest import Api

E = "userErrors { field message code }"
BAD = "not-an-id"
CUSTOMER_ID = "Q3VzdG9tZXI6Z2hvc3Q"  # Customer:ghost
COMPANY_ID = "Q29tcGFueTpnaG9zdA"  # Company:ghost
PIPELINE_ID = "UGlwZWxpbmU6Z2hvc3Q"  # Pipeline:ghost
FROM = "2024-01-01T00:00:00Z"
TO = "2024-12-31T00:00:00Z"

MUTATIONS: dict[str, str] = {
    "createCustomer ownerId": f'createCustomer(input: {{firstName: "A", ownerId: "{BAD}"}}) {{ {E} }}',
    "createCustomer companyId": f'createCustomer(input: {{firstName: "A", companyId: "{BAD}"}}) {{ {E} }}',
    "createCustomer email": f'createCustomer(input: {{firstName: "A", email: "nope"}}) {{ {E} }}',
    "updateCustomer id": f'updateCustomer(input: {{id: "{BAD}", version: 1}}) {{ {E} }}',
    "updateCustomer ownerId": f'updateCustomer(input: {{id: "{CUSTOMER_ID}", version: 1, ownerId: "{BAD}"}}) {{ {E} }}',
    "updateCustomer companyId": f'updateCustomer(input: {{id: "{CUSTOMER_ID}", version: 1, companyId: "{BAD}"}}) {{ {E} }}',
    "updateCustomer missing": f'updateCustomer(input: {{id: "{CUSTOMER_ID}", version: 1}}) {{ {E} }}',
    "archiveCustomer id": f'archiveCustomer(input: {{id: "{BAD}"}}) {{ {E} }}',
    "archiveCustomer missing": f'archiveCustomer(input: {{id: "{CUSTOMER_ID}"}}) {{ {E} }}',
    "createCompany ownerId": f'createCompany(input: {{name: "A", ownerId: "{BAD}"}}) {{ {E} }}',
    "createCompany name": f'createCompany(input: {{name: ""}}) {{ {E} }}',
    "updateCompany id": f'updateCompany(input: {{id: "{BAD}", version: 1}}) {{ {E} }}',
    "updateCompany ownerId": f'updateCompany(input: {{id: "{COMPANY_ID}", version: 1, ownerId: "{BAD}"}}) {{ {E} }}',
    "updateCompany null name": f'updateCompany(input: {{id: "{COMPANY_ID}", version: 1, name: null}}) {{ {E} }}',
    "updateCompany missing": f'updateCompany(input: {{id: "{COMPANY_ID}", version: 1}}) {{ {E} }}',
    "archiveCompany id": f'archiveCompany(input: {{id: "{BAD}"}}) {{ {E} }}',
    "recordOrder customerId": f'recordOrder(input: {{customerId: "{BAD}", placedAt: "2024-01-01T00:00:00Z", currency: "EUR"}}) {{ {E} }}',
    "recordOrder missing": f'recordOrder(input: {{customerId: "{CUSTOMER_ID}", placedAt: "2024-01-01T00:00:00Z", currency: "EUR"}}) {{ {E} }}',
    "markOrderPaid id": f'markOrderPaid(input: {{id: "{BAD}"}}) {{ {E} }}',
    "refundOrder id": f'refundOrder(input: {{id: "{BAD}", amount: "1"}}) {{ {E} }}',
    "cancelOrder id": f'cancelOrder(input: {{id: "{BAD}"}}) {{ {E} }}',
    "mergeCustomers survivorId": f'mergeCustomers(input: {{survivorId: "{BAD}", duplicateIds: []}}) {{ {E} }}',
    "mergeCustomers duplicateIds": f'mergeCustomers(input: {{survivorId: "{CUSTOMER_ID}", duplicateIds: ["{CUSTOMER_ID}", "{BAD}"]}}) {{ {E} }}',
    "mergeCustomers missing": f'mergeCustomers(input: {{survivorId: "{CUSTOMER_ID}", duplicateIds: []}}) {{ {E} }}',
    "logActivity customerId": f'logActivity(input: {{customerId: "{BAD}", kind: NOTE, subject: "s"}}) {{ {E} }}',
    "updateActivity id": f'updateActivity(input: {{id: "{BAD}", version: 1}}) {{ {E} }}',
    "deleteActivity id": f'deleteActivity(input: {{id: "{BAD}"}}) {{ {E} }}',
    "changeLifecycleStage customerId": f'changeLifecycleStage(input: {{customerId: "{BAD}", track: "t", stage: "s"}}) {{ {E} }}',
    "changeLifecycleStage missing": f'changeLifecycleStage(input: {{customerId: "{CUSTOMER_ID}", track: "t", stage: "s"}}) {{ {E} }}',
    "saveLifecycleTrack empty": f'saveLifecycleTrack(input: {{key: "", label: "", stages: [], transitions: []}}) {{ {E} }}',
    "createSegment rule": f'createSegment(input: {{name: "s", rule: "(((", kind: DYNAMIC}}) {{ {E} }}',
    "updateSegment id": f'updateSegment(input: {{id: "{BAD}", version: 1}}) {{ {E} }}',
    "clusterCustomers k": f'clusterCustomers(input: {{k: 0, features: [RECENCY], name: "c"}}) {{ {E} }}',
    "createTag colour": f'createTag(input: {{name: "t", colour: "red", category: STATIC}}) {{ {E} }}',
    "createAutoTagRule tagId": f'createAutoTagRule(input: {{tagId: "{BAD}"}}) {{ {E} }}',
    "deleteAutoTagRule id": f'deleteAutoTagRule(input: {{id: "{BAD}"}}) {{ {E} }}',
    "tagCustomers ids": f'tagCustomers(input: {{customerIds: ["{BAD}"], tagIds: ["{BAD}"]}}) {{ {E} }}',
    "untagCustomers missing": f'untagCustomers(input: {{customerIds: ["{CUSTOMER_ID}"], tagIds: []}}) {{ {E} }}',
    "createWebhookSubscription url": 'createWebhookSubscription(input: {url: "nope", eventTypes: [CUSTOMER_CREATED]}) { '
    + E
    + " }",
    "pauseWebhookSubscription id": f'pauseWebhookSubscription(input: {{id: "{BAD}"}}) {{ {E} }}',
    "resumeWebhookSubscription id": f'resumeWebhookSubscription(input: {{id: "{BAD}"}}) {{ {E} }}',
    "rotateWebhookSecret id": f'rotateWebhookSecret(input: {{id: "{BAD}"}}) {{ {E} }}',
    "deleteWebhookSubscription id": f'deleteWebhookSubscription(input: {{id: "{BAD}"}}) {{ {E} }}',
    "replayWebhookDelivery id": f'replayWebhookDelivery(input: {{deliveryId: "{BAD}"}}) {{ {E} }}',
    "replayWebhookDelivery number": 'replayWebhookDelivery(input: {deliveryId: "V2ViaG9va0RlbGl2ZXJ5OngxMg"}) { '
    + E
    + " }",
    "pauseWebhookSubscription missing": 'pauseWebhookSubscription(input: {id: "V2ViaG9va1N1YnNjcmlwdGlvbjpnaG9zdA"}) { '
    + E
    + " }",
    "createOpportunity customerId": f'createOpportunity(input: {{name: "d", customerId: "{BAD}", currency: "EUR"}}) {{ {E} }}',
    "createOpportunity ownerId": f'createOpportunity(input: {{name: "d", customerId: "{CUSTOMER_ID}", currency: "EUR", ownerId: "{BAD}"}}) {{ {E} }}',
    "createOpportunity missing": f'createOpportunity(input: {{name: "d", customerId: "{CUSTOMER_ID}", currency: "EUR"}}) {{ {E} }}',
    "moveOpportunity stageId": f'moveOpportunity(input: {{opportunityId: "T3Bwb3J0dW5pdHk6Z2hvc3Q", stageId: "{BAD}", version: 1}}) {{ {E} }}',
    "closeOpportunity id": f'closeOpportunity(input: {{opportunityId: "{BAD}", outcome: WON}}) {{ {E} }}',
    "createLead teamId": f'createLead(input: {{email: "a@example.com", teamId: "{BAD}"}}) {{ {E} }}',
    "createLead email": 'createLead(input: {email: "nope"}) { ' + E + " }",
    "markLeadContacted id": f'markLeadContacted(input: {{leadId: "{BAD}"}}) {{ {E} }}',
    "convertLead leadId": f'convertLead(input: {{leadId: "{BAD}", opportunityName: "o", currency: "EUR"}}) {{ {E} }}',
    "convertLead companyId": f'convertLead(input: {{leadId: "TGVhZDpnaG9zdA", opportunityName: "o", currency: "EUR", companyId: "{BAD}"}}) {{ {E} }}',
    "convertLead missing": 'convertLead(input: {leadId: "TGVhZDpnaG9zdA", opportunityName: "o", currency: "EUR"}) { '
    + E
    + " }",
    "completeTask id": f'completeTask(input: {{taskId: "{BAD}"}}) {{ {E} }}',
    "createTask customerId": f'createTask(input: {{kind: CALL, title: "t", dueAt: "2030-01-01T00:00:00Z", customerId: "{BAD}"}}) {{ {E} }}',
    "createTask title": 'createTask(input: {kind: CALL, title: "", dueAt: "2030-01-01T00:00:00Z"}) { '
    + E
    + " }",
    "createSalesTeam member": f'createSalesTeam(input: {{name: "t", strategy: ROUND_ROBIN, members: [{{userId: "{BAD}"}}]}}) {{ {E} }}',
    "setRepAway userId": f'setRepAway(input: {{teamId: "U2FsZXNUZWFtOmdob3N0", userId: "{BAD}", away: true}}) {{ {E} }}',
    "setRepAway teamId": f'setRepAway(input: {{teamId: "{BAD}", userId: "{BAD}", away: true}}) {{ {E} }}',
    "saveAutomationRule condition": 'saveAutomationRule(input: {key: "k", name: "n", condition: {}, action: {}}) { '
    + E
    + " }",
    "defineCustomField key": 'defineCustomField(input: {objectType: CUSTOMER, key: "Bad Key", label: "l", type: TEXT}) { '
    + E
    + " }",
    "computeRfm window": "computeRfm(input: {windowDays: -1}) { " + E + " }",
}

QUERIES: dict[str, str] = {
    "node malformed": f'node(id: "{BAD}") {{ id }}',
    "node unknown type": 'node(id: "V2hhdGV2ZXI6eA") { id }',
    "node missing customer": f'node(id: "{CUSTOMER_ID}") {{ id }}',
    "node missing company": f'node(id: "{COMPANY_ID}") {{ id }}',
    "node missing order": 'node(id: "T3JkZXI6Z2hvc3Q") { id }',
    "node missing user": 'node(id: "VXNlcjpnaG9zdA") { id }',
    "node missing tag": 'node(id: "VGFnOmdob3N0") { id }',
    "node missing segment": 'node(id: "U2VnbWVudDpnaG9zdA") { id }',
    "node missing activity": 'node(id: "QWN0aXZpdHk6Z2hvc3Q") { id }',
    "node missing opportunity": 'node(id: "T3Bwb3J0dW5pdHk6Z2hvc3Q") { id }',
    "node missing event": 'node(id: "QmVoYXZpb3VyRXZlbnQ6Z2hvc3Q") { id }',
    "node lead": 'node(id: "TGVhZDpnaG9zdA") { id }',
    "customer id": f'customer(id: "{BAD}") {{ id }}',
    "company id": f'company(id: "{BAD}") {{ id }}',
    "order id": f'order(id: "{BAD}") {{ id }}',
    "customers page": "customers(first: 100000) { totalCount }",
    "customers ownerIds": f'customers(filter: {{ownerIds: ["{BAD}"]}}) {{ totalCount }}',
    "customers companyIds": f'customers(filter: {{companyIds: ["{BAD}"]}}) {{ totalCount }}',
    "customers tagIds": f'customers(filter: {{tagIds: ["{BAD}"]}}) {{ totalCount }}',
    "customers after": 'customers(after: "nope") { totalCount }',
    "customers customField": 'customers(filter: {customFields: [{key: "ghost", op: EQ, value: "x"}]}) { totalCount }',
    "companies page": "companies(first: 100000) { totalCount }",
    "companies ownerIds": f'companies(filter: {{ownerIds: ["{BAD}"]}}) {{ totalCount }}',
    "tags page": "tags(first: -1) { totalCount }",
    "opportunities customerId": f'opportunities(filter: {{customerId: "{BAD}"}}) {{ totalCount }}',
    "opportunities pipelineId": f'opportunities(filter: {{pipelineId: "{BAD}"}}) {{ totalCount }}',
    "opportunities page": "opportunities(first: 100000) { totalCount }",
    "tasks companyId": f'tasks(filter: {{companyId: "{BAD}"}}) {{ totalCount }}',
    "tasks page": "tasks(first: 100000) { totalCount }",
    "leads ownerId": f'leads(filter: {{ownerIds: ["{BAD}"]}}) {{ totalCount }}',
    "leads page": "leads(first: 100000) { totalCount }",
    "webhookDeliveries subscriptionId": f'webhookDeliveries(filter: {{subscriptionId: "{BAD}"}}) {{ totalCount }}',
    "webhookDeliveries after": 'webhookDeliveries(after: "x") { totalCount }',
    "pipelineBoard id": f'pipelineBoard(pipelineId: "{BAD}") {{ count }}',
    "salesFunnel id": f'salesFunnel(pipelineId: "{BAD}", from: "{FROM}", to: "{TO}") {{ winRate }}',
    "salesForecast id": f'salesForecast(pipelineId: "{BAD}", period: MONTH) {{ period }}',
    "salesFunnel missing": f'salesFunnel(pipelineId: "{PIPELINE_ID}", from: "{FROM}", to: "{TO}") {{ winRate }}',
    "pipelineBoard missing": f'pipelineBoard(pipelineId: "{PIPELINE_ID}") {{ count }}',
    "duplicateCandidates page": "duplicateCandidates(first: 100000) { totalCount }",
    "previewSegment rule": 'previewSegment(rule: "(((") { count ' + E + " }",
    "segmentRuleText": "segmentRuleText(input: {}) { text " + E + " }",
}

CUSTOMER_FIELDS: dict[str, str] = {
    "orders page": "orders(first: 1000) { totalCount }",
    "orders after": 'orders(after: "nope") { totalCount }',
    "timeline page": "timeline(first: 100000) { edges { cursor } }",
    "timeline after": 'timeline(after: "nope") { edges { cursor } }',
    "stageHistory after": 'stageHistory(after: "nope") { edges { cursor } }',
    "stageHistory page": "stageHistory(first: -1) { edges { cursor } }",
    "tagHistory": "tagHistory(first: 5) { edges { node { added } } }",
}

COMPANY_FIELDS: dict[str, str] = {
    "people page": "people(first: 100000) { totalCount }",
    "orders after": 'orders(after: "nope") { totalCount }',
    "opportunities customerId": f'opportunities(filter: {{customerId: "{BAD}"}}) {{ totalCount }}',
    "tasks assigneeId": f'tasks(filter: {{assigneeIds: ["{BAD}"]}}) {{ totalCount }}',
}

FOR_A_VIEWER: dict[str, str] = {
    "node order": '{ node(id: "T3JkZXI6Z2hvc3Q") { id } }',
    "node customer": f'{{ node(id: "{CUSTOMER_ID}") {{ id }} }}',
    "tagCustomers": f'mutation {{ tagCustomers(input: {{customerIds: ["{CUSTOMER_ID}"], tagIds: ["VGFnOmdob3N0"]}}) {{ {E} }} }}',
    "recordOrder": f'mutation {{ recordOrder(input: {{customerId: "{CUSTOMER_ID}", placedAt: "{FROM}", currency: "EUR"}}) {{ {E} }} }}',
    "createLead": 'mutation { createLead(input: {email: "a@example.com"}) { ' + E + " } }",
    "createSalesTeam": 'mutation { createSalesTeam(input: {name: "t", strategy: ROUND_ROBIN, members: []}) { '
    + E
    + " } }",
    "createWebhookSubscription": 'mutation { createWebhookSubscription(input: {url: "https://example.com/h", eventTypes: [CUSTOMER_CREATED]}) { '
    + E
    + " } }",
    "mergeCustomers": f'mutation {{ mergeCustomers(input: {{survivorId: "{CUSTOMER_ID}", duplicateIds: []}}) {{ {E} }} }}',
    "createSegment": 'mutation { createSegment(input: {name: "s", rule: "orders > 1", kind: DYNAMIC}) { '
    + E
    + " } }",
    "opportunities": "{ opportunities { totalCount } }",
    "leads": "{ leads { totalCount } }",
    "tasks": "{ tasks { totalCount } }",
    "companies": "{ companies { totalCount } }",
    "duplicateCandidates": "{ duplicateCandidates { totalCount } }",
    "pipelines": "{ pipelines { id } }",
    "createCustomer": f'mutation {{ createCustomer(input: {{firstName: "A"}}) {{ {E} }} }}',
    "createCompany": f'mutation {{ createCompany(input: {{name: "A"}}) {{ {E} }} }}',
    "webhookSubscriptions": "{ webhookSubscriptions { id } }",
    "customFieldDefinitions": "{ customFieldDefinitions(objectType: CUSTOMER) { key } }",
    "defineCustomField": 'mutation { defineCustomField(input: {objectType: CUSTOMER, key: "k", label: "l", type: TEXT}) { '
    + E
    + " } }",
    "createTag": 'mutation { createTag(input: {name: "t", colour: "#FFFFFF", category: STATIC}) { '
    + E
    + " } }",
    "segmentRuleText": "{ segmentRuleText(input: {}) { text } }",
    "autoTagRules": "{ autoTagRules { edges { node { id } } } }",
    "automationRules": "{ automationRules { key } }",
    "salesTeams": "{ salesTeams { id } }",
    "lifecycleTracks": "{ lifecycleTracks { key } }",
    "saveLifecycleTrack": 'mutation { saveLifecycleTrack(input: {key: "k", label: "l", stages: [], transitions: []}) { '
    + E
    + " } }",
    "computeRfm": "mutation { computeRfm(input: {}) { " + E + " } }",
}


RECORDED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "refusals.json").read_text(encoding="utf-8")
)


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    """The response without what varies between runs: the cost left, error locations."""
    answer = dict(body)
    extensions = {k: v for k, v in answer.pop("extensions", {}).items() if k != "cost"}
    if extensions:
        answer["extensions"] = extensions
    if "errors" in answer:
        answer["errors"] = [
            {k: v for k, v in error.items() if k != "locations"} for error in answer["errors"]
        ]
    return answer


def _created(api: Api, mutation: str, field: str) -> str:
    name = mutation.split("(", 1)[0]
    created: str = api.data("mutation { " + mutation + " { " + field + " { id } } }")[name][field][
        "id"
    ]
    return created


def _requests(api: Api, group: str) -> dict[str, tuple[str, str | None]]:
    """The documents of ``group`` by case name, with the token to send them with; a customer
    and a company exist first, as when the answers were recorded."""
    customer = _created(
        api, 'createCustomer(input: {firstName: "Ada", email: "ada@example.com"})', "customer"
    )
    company = _created(api, 'createCompany(input: {name: "Acme"})', "company")
    if group == "m":
        return {name: ("mutation { " + doc + " }", None) for name, doc in MUTATIONS.items()}
    if group == "q":
        return {name: ("{ " + doc + " }", None) for name, doc in QUERIES.items()}
    if group == "c":
        return {
            name: ('{ customer(id: "' + customer + '") { ' + doc + " } }", None)
            for name, doc in CUSTOMER_FIELDS.items()
        }
    if group == "co":
        return {
            name: ('{ company(id: "' + company + '") { ' + doc + " } }", None)
            for name, doc in COMPANY_FIELDS.items()
        }
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    return {name: (doc, viewer) for name, doc in FOR_A_VIEWER.items()}


@pytest.mark.parametrize("group", ["m", "q", "c", "co", "v"])
def test_refused_requests_answer_as_recorded(api: Api, group: str) -> None:
    answers = {
        f"{group} {name}": _answer(api.query(document, token))
        for name, (document, token) in _requests(api, group).items()
    }
    assert answers == {key: RECORDED[key] for key in answers}
    assert len(answers) == sum(key.split(" ", 1)[0] == group for key in RECORDED)
