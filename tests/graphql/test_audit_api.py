"""The audit log through the API: what mutations and refused logins record, and who reads it."""

from __future__ import annotations

from typing import Any

from adapters.graphql.relay import to_global_id
from adapters.graphql.schema import build_schema
from application.access.bundle import Access
from application.principal import Principal
from domain.access.roles import Role
from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id version } userErrors { field code } }
}"""
UPDATE = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customer { id version } userErrors { field code } }
}"""
LOG = """
query($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id occurredAt actorKind actor { email } apiKeyId requestId operation outcome errorCodes
      objectType objectId events changes { field before after }
    } }
  }
}"""


def _log(api: Api, **variables: Any) -> list[dict[str, Any]]:
    data = api.data(LOG, **variables)["auditLog"]
    return [edge["node"] for edge in data["edges"]]


def _create(api: Api, **fields: Any) -> dict[str, Any]:
    payload = api.data(CREATE, input=fields)["createCustomer"]
    assert payload["userErrors"] == []
    customer: dict[str, Any] = payload["customer"]
    return customer


def test_a_mutation_records_before_and_after_of_what_it_changed(api: Api) -> None:
    created = _create(api, firstName="Ada", lastName="Lovelace")
    response = api.client.post(
        "/graphql",
        json={
            "query": UPDATE,
            "variables": {"input": {"id": created["id"], "version": 1, "lastName": "King"}},
        },
        headers={"Authorization": f"Bearer {api.token}", "X-Request-Id": "req-42"},
    )
    assert response.headers["x-request-id"] == "req-42"
    assert response.json()["data"]["updateCustomer"]["userErrors"] == []
    update, creation = _log(api, filter={"objectId": created["id"]})
    assert update["operation"] == "updateCustomer"
    assert (update["outcome"], update["actorKind"], update["requestId"]) == (
        "SUCCEEDED",
        "USER",
        "req-42",
    )
    assert update["actor"] == {"email": "admin@example.com"}
    assert update["objectId"] == created["id"]
    assert update["objectType"] == "Customer"
    assert {"field": "lastName", "before": "Lovelace", "after": "King"} in update["changes"]
    assert (creation["operation"], creation["changes"]) == ("createCustomer", [])
    assert creation["events"] == ["rapport.customer.created.v1"]
    assert creation["requestId"] and creation["requestId"] != "req-42"


def test_a_refused_mutation_is_recorded_as_refused_with_its_codes(api: Api) -> None:
    created = _create(api, firstName="Ada")
    _create_payload = api.data(UPDATE, input={"id": created["id"], "version": 7, "lastName": "X"})
    assert _create_payload["updateCustomer"]["userErrors"][0]["code"] == "STALE_VERSION"
    (refused,) = _log(api, filter={"operation": "updateCustomer"})
    assert (refused["outcome"], refused["errorCodes"], refused["changes"]) == (
        "REFUSED",
        ["STALE_VERSION"],
        [],
    )
    assert refused["objectId"] == created["id"]


def test_a_forbidden_attempt_is_recorded(api: Api) -> None:
    token = api.key(Role.ANALYST, "viewer@example.com")
    payload = api.data(CREATE, token=token, input={"firstName": "Ada"})["createCustomer"]
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    (entry,) = _log(api, filter={"operation": "createCustomer"})
    assert (entry["outcome"], entry["errorCodes"], entry["actor"]) == (
        "REFUSED",
        ["FORBIDDEN"],
        {"email": "viewer@example.com"},
    )
    assert entry["objectId"] is None


def test_an_unknown_key_is_a_failed_login(api: Api) -> None:
    response = api.client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": "Bearer rpk_nosuchkey_secret", "X-Request-Id": "req-9"},
    )
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "req-9"
    (entry,) = _log(api, filter={"operation": "login_failed"})
    assert (entry["outcome"], entry["actorKind"], entry["actor"], entry["requestId"]) == (
        "REFUSED",
        "ANONYMOUS",
        None,
        "req-9",
    )
    assert (entry["errorCodes"], entry["apiKeyId"]) == (["UNKNOWN"], "nosuchkey")


def test_a_revoked_key_is_a_failed_login_with_its_reason(api: Api) -> None:
    token = api.key(Role.SALES_REP, "gone@example.com")
    key_id = token.split("_")[1]
    api.container.use(Access).revoke_api_key(Principal.system(), key_id)
    response = api.client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    (entry,) = _log(api, filter={"operation": "login_failed"})
    assert (entry["errorCodes"], entry["apiKeyId"]) == (["REVOKED"], key_id)


def test_a_request_without_a_key_is_a_failed_login(api: Api) -> None:
    response = api.client.post("/graphql", json={"query": "{ viewer { id } }"})
    assert response.status_code == 401
    (entry,) = _log(api, filter={"operation": "login_failed"})
    assert entry["errorCodes"] == ["MISSING_CREDENTIAL"]


def test_only_admins_read_the_log(api: Api) -> None:
    _create(api, firstName="Ada")
    token = api.key(Role.SALES_MANAGER, "manager@example.com")
    body = api.query(LOG, token=token)
    assert body["data"] is None or body["data"]["auditLog"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    (refusal,) = _log(api, filter={"operation": "auditLog"})
    assert (refusal["outcome"], refusal["errorCodes"], refusal["actor"]) == (
        "REFUSED",
        ["FORBIDDEN"],
        {"email": "manager@example.com"},
    )


def test_the_log_filters_by_user_and_pages_newest_first(api: Api) -> None:
    for name in ("Ada", "Grace", "Linus"):
        _create(api, firstName=name)
    agent = api.key(Role.SALES_REP, "agent@example.com")
    api.data(CREATE, token=agent, input={"firstName": "Margaret"})
    admin_id = api.data("{ viewer { id } }")["viewer"]["id"]
    data = api.data(LOG, filter={"actorId": admin_id}, first=2)["auditLog"]
    assert data["totalCount"] == 3
    assert data["pageInfo"]["hasNextPage"]
    rest = _log(api, filter={"actorId": admin_id}, after=data["pageInfo"]["endCursor"])
    assert len(rest) == 1
    times = [n["node"]["occurredAt"] for n in data["edges"]] + [rest[0]["occurredAt"]]
    assert times == sorted(times, reverse=True)


def test_a_malformed_filter_id_is_refused(api: Api) -> None:
    body = api.query(LOG, filter={"actorId": to_global_id("Customer", "c-1")})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"


def test_no_mutation_writes_the_audit_log() -> None:
    mutation = build_schema()._schema.mutation_type
    assert mutation is not None and mutation.fields
    assert [name for name in mutation.fields if "audit" in name.lower()] == []


def test_a_request_id_that_is_not_a_plain_token_is_replaced(api: Api) -> None:
    response = api.client.get("/health", headers={"X-Request-Id": "two words\r"})
    answered = response.headers["x-request-id"]
    assert answered != "two words" and len(answered) == 32
    assert api.client.get("/health").headers["x-request-id"] != answered
