"""Templates through the API: refused with the line when saved, previewed for a customer."""

from __future__ import annotations

from typing import Any

from adapters.graphql.relay import from_global_id
from application.campaigns.templates import Templates
from application.principal import Principal
from domain.access.roles import Role
from domain.custom_fields import FieldType
from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateTemplateInput!) {
  createTemplate(input: $input) {
    template { id name channel version }
    userErrors { field code line message }
  }
}
"""
UPDATE = """
mutation($input: UpdateTemplateInput!) {
  updateTemplate(input: $input) {
    template { id version text }
    userErrors { field code line }
  }
}
"""
PREVIEW = """
query($templateId: ID!, $customerId: ID!) {
  previewTemplate(templateId: $templateId, customerId: $customerId) {
    subject html text version
  }
}
"""


def _create(api: Api, token: str | None = None, **fields: Any) -> dict[str, Any]:
    given = {"name": "Welcome", "channel": "EMAIL", "subject": "Hi", "text": "Hello", **fields}
    payload: dict[str, Any] = api.data(CREATE, token, input=given)["createTemplate"]
    return payload


def _customer(api: Api, **fields: Any) -> str:
    created = api.data(
        "mutation($input: CreateCustomerInput!) "
        "{ createCustomer(input: $input) { customer { id } userErrors { code } } }",
        input=fields,
    )["createCustomer"]
    assert created["userErrors"] == []
    return str(created["customer"]["id"])


def test_a_template_with_errors_is_refused_with_their_lines(api: Api) -> None:
    payload = _create(
        api,
        subject="Hi {{ customer.first_name }",
        text="Hello\n{{ customer.custom.nope }}\n{{ customer.__class__ }}",
    )
    assert payload["template"] is None
    found = [(e["field"], e["code"], e["line"]) for e in payload["userErrors"]]
    assert found == [
        (["subject"], "TEMPLATE_SYNTAX", 1),
        (["text"], "UNKNOWN_VARIABLE", 2),
        (["text"], "UNSAFE_TEMPLATE", 3),
    ]
    assert api.data("{ templates(first: 5) { totalCount } }")["templates"]["totalCount"] == 0


def test_a_custom_field_may_be_used_once_it_is_defined(api: Api) -> None:
    source = "Your plan: {{ customer.custom.plan }}"
    assert _create(api, text=source)["userErrors"][0]["code"] == "UNKNOWN_VARIABLE"
    api.define("plan", FieldType.TEXT)
    assert _create(api, text=source)["userErrors"] == []


def test_names_are_unique_and_channels_have_their_rules(api: Api) -> None:
    assert _create(api)["userErrors"] == []
    assert [e["code"] for e in _create(api, name="WELCOME")["userErrors"]] == ["TAKEN"]
    sms = _create(api, name="Reminder", channel="SMS", subject="Hi", text="x")
    assert [(e["field"], e["code"]) for e in sms["userErrors"]] == [(["subject"], "INVALID")]


def test_preview_renders_for_the_customer_with_their_values_escaped(api: Api) -> None:
    company = api.data(
        "mutation($input: CreateCompanyInput!) { createCompany(input: $input) { company { id } } }",
        input={"name": "Acme & Sons"},
    )["createCompany"]["company"]["id"]
    customer = _customer(
        api, firstName="<script>alert(1)</script>", email="ann@example.com", companyId=company
    )
    template = _create(
        api,
        subject="Hi {{ customer.first_name }}",
        html="<p>Hi {{ customer.first_name }} of {{ company.name }}</p>"
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
        text="Hi {{ customer.first_name }}{% if last_order.total %}, thanks{% endif %}.",
    )["template"]["id"]
    preview = api.data(PREVIEW, templateId=template, customerId=customer)["previewTemplate"]
    assert preview == {
        "subject": "Hi <script>alert(1)</script>",
        "html": "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; of Acme &amp; Sons</p>"
        '<a href="#unsubscribe">Unsubscribe</a>',
        "text": "Hi <script>alert(1)</script>.",
        "version": 1,
    }


def test_a_customer_the_caller_may_not_see_is_not_found(api: Api) -> None:
    customer = _customer(api, firstName="Ann")
    template = _create(api)["template"]["id"]
    rep = api.key(Role.SALES_REP, "rep@example.com")
    body = api.query(PREVIEW, rep, templateId=template, customerId=customer)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["extensions"]["field"] == "customerId"


def test_an_update_is_a_new_version_and_old_versions_still_render(api: Api) -> None:
    template = _create(api, text="First {{ customer.first_name }}")["template"]
    stale = api.data(UPDATE, input={"id": template["id"], "version": 5, "text": "x"})
    assert [e["code"] for e in stale["updateTemplate"]["userErrors"]] == ["STALE_VERSION"]
    updated = api.data(
        UPDATE,
        input={"id": template["id"], "version": 1, "text": "Second {{ customer.last_name }}"},
    )["updateTemplate"]
    assert updated["template"]["version"] == 2 and updated["userErrors"] == []
    wrong = api.data(
        UPDATE,
        input={"id": template["id"], "version": 2, "text": "ok\n{% for x in y %}{% endfor %}"},
    )["updateTemplate"]
    assert [(e["code"], e["line"]) for e in wrong["userErrors"]] == [("UNSAFE_TEMPLATE", 2)]
    render = api.container.use(Templates).render
    context = {"customer.first_name": "Ann", "customer.last_name": "Lee"}
    _, local = from_global_id(template["id"])
    assert render(Principal.system(), local, 1, context).text == "First Ann"
    assert render(Principal.system(), local, 2, context).text == "Second Lee"


def test_archived_templates_leave_the_list(api: Api) -> None:
    template = _create(api)["template"]["id"]
    archived = api.data(
        "mutation($input: ArchiveTemplateInput!) "
        "{ archiveTemplate(input: $input) { template { archivedAt version } userErrors { code } } }",
        input={"id": template},
    )["archiveTemplate"]
    assert archived["template"]["archivedAt"] is not None
    listed = api.data(
        "{ active: templates(first: 5) { totalCount } "
        "every: templates(first: 5, includeArchived: true) { edges { node { id } } } }"
    )
    assert listed["active"]["totalCount"] == 0
    assert [edge["node"]["id"] for edge in listed["every"]["edges"]] == [template]


def test_an_analyst_reads_templates_but_may_not_save_one(api: Api) -> None:
    analyst = api.key(Role.ANALYST, "analyst@example.com")
    refused = _create(api, analyst)
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    assert _create(api)["userErrors"] == []
    found = api.data("{ templates(first: 5) { edges { node { name } } } }", analyst)
    assert found["templates"]["edges"] == [{"node": {"name": "Welcome"}}]
