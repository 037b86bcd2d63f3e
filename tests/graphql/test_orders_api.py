from typing import Any

from adapters.graphql.relay import to_global_id
from tests.graphql.conftest import Api
from tests.graphql.test_customers_api import CREATE

RECORD = """
mutation($input: RecordOrderInput!) {
  recordOrder(input: $input) {
    order { id status currency total refunded netTotal lines { sku quantity unitPrice total } customer { email } }
    userErrors { field message code }
  }
}"""
REFUND = """
mutation($input: RefundOrderInput!) {
  refundOrder(input: $input) { order { status refunded netTotal version } userErrors { field code } }
}"""
ORDERS = """
query($first: Int, $after: String) {
  customers(first: 50) {
    edges { node { email orders(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { total placedAt } } } } }
  }
}"""


def customer(api: Api, email: str) -> str:
    payload = api.data(CREATE, input={"email": email})["createCustomer"]
    customer_id: str = payload["customer"]["id"]
    return customer_id


def record(api: Api, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.data(RECORD, input=fields)["recordOrder"]
    return result


def test_record_and_refund_an_order(api: Api) -> None:
    customer_id = customer(api, "ada@example.com")
    payload = record(
        api,
        customerId=customer_id,
        placedAt="2026-03-01T10:00:00Z",
        currency="eur",
        paid=True,
        lines=[
            {"sku": "a", "name": "Album", "quantity": 2, "unitPrice": "9.99"},
            {"sku": "b", "name": "Booklet", "quantity": 1, "unitPrice": "0.02"},
        ],
    )
    assert payload["userErrors"] == []
    order = payload["order"]
    assert (order["status"], order["currency"], order["total"], order["netTotal"]) == (
        "PAID",
        "EUR",
        "20.00",
        "20.00",
    )
    assert order["lines"][0] == {"sku": "a", "quantity": 2, "unitPrice": "9.99", "total": "19.98"}
    assert order["customer"] == {"email": "ada@example.com"}

    refunded = api.data(REFUND, input={"id": order["id"], "amount": "5.00", "reason": "late"})
    assert refunded["refundOrder"]["order"] == {
        "status": "PAID",
        "refunded": "5.00",
        "netTotal": "15.00",
        "version": 2,
    }
    too_much = api.data(REFUND, input={"id": order["id"], "amount": "15.01"})
    assert too_much["refundOrder"]["userErrors"] == [{"field": ["amount"], "code": "INVALID"}]


def test_bad_orders_are_user_errors(api: Api) -> None:
    customer_id = customer(api, "ada@example.com")
    base = {"customerId": customer_id, "placedAt": "2026-03-01T10:00:00Z", "currency": "USD"}
    cases = [
        ({"currency": "XYZ"}, ["currency"]),
        (
            {"lines": [{"sku": "a", "name": "A", "quantity": -1, "unitPrice": "1.00"}]},
            ["lines", "0", "quantity"],
        ),
        (
            {"lines": [{"sku": "a", "name": "A", "quantity": 1, "unitPrice": "1.001"}]},
            ["lines", "0", "unitPrice"],
        ),
        ({"total": "-5.00"}, ["total"]),
        ({"customerId": "bogus"}, ["customerId"]),
    ]
    for change, field in cases:
        payload = record(api, **{**base, **change})
        assert payload["order"] is None, change
        assert payload["userErrors"][0]["field"] == field, change
    unknown = record(api, **{**base, "customerId": customer_id[:-2] + "xx"})
    assert unknown["userErrors"][0]["code"] in ("NOT_FOUND", "INVALID_ID")


def test_orders_of_many_customers_load_in_constant_statements(api: Api) -> None:
    for number in range(12):
        customer_id = customer(api, f"c{number}@example.com")
        for day in range(1, 4):
            record(
                api,
                customerId=customer_id,
                placedAt=f"2026-03-0{day}T10:00:00Z",
                currency="USD",
                total=f"{day}.00",
            )

    def selects(**variables: Any) -> tuple[int, dict[str, Any]]:
        api.statements.clear()
        data = api.data(ORDERS, **variables)
        return sum(s.startswith("SELECT") for s in api.statements), data

    count, data = selects(first=2)
    edges = data["customers"]["edges"]
    assert len(edges) == 12
    first = edges[0]["node"]["orders"]
    assert first["totalCount"] == 3
    assert [e["node"]["total"] for e in first["edges"]] == ["3.00", "2.00"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert count <= 4  # customers, their total count, newest orders, order counts


def test_an_order_cursor_without_a_time_is_a_typed_query_error(api: Api) -> None:
    customer(api, "ada@example.com")
    forged = to_global_id("OrderCursor", "yesterday|o1")
    body = api.query(ORDERS, first=2, after=forged)
    assert [e["extensions"] for e in body["errors"]] == [{"code": "INVALID", "field": "after"}]
