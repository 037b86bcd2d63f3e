from typing import Any

from adapters.graphql.relay import to_global_id
from tests.graphql.conftest import Api
from tests.graphql.test_customers_api import CREATE

RECORD = """
mutation($input: RecordOrderInput!) {
  recordOrder(input: $input) {
    order {
      id status total { amount currency } refunded { amount } netTotal { amount }
      lines { sku quantity unitPrice { amount currency } total { amount } } customer { email }
    }
    userErrors { field message code }
  }
}"""
REFUND = """
mutation($input: RefundOrderInput!) {
  refundOrder(input: $input) {
    order { status refunded { amount } netTotal { amount } version } userErrors { field code }
  }
}"""
ORDERS = """
query($first: Int, $after: String) {
  customers(first: 50) {
    edges { node { email orders(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { total { amount } placedAt } } } } }
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
    assert (order["status"], order["total"], order["netTotal"]) == (
        "PAID",
        {"amount": "20.00", "currency": "EUR"},
        {"amount": "20.00"},
    )
    assert order["lines"][0] == {
        "sku": "a",
        "quantity": 2,
        "unitPrice": {"amount": "9.99", "currency": "EUR"},
        "total": {"amount": "19.98"},
    }
    assert order["customer"] == {"email": "ada@example.com"}

    refunded = api.data(REFUND, input={"id": order["id"], "amount": "5.00", "reason": "late"})
    assert refunded["refundOrder"]["order"] == {
        "status": "PAID",
        "refunded": {"amount": "5.00"},
        "netTotal": {"amount": "15.00"},
        "version": 2,
    }
    too_much = api.data(REFUND, input={"id": order["id"], "amount": "15.01"})
    assert too_much["refundOrder"]["userErrors"] == [{"field": ["amount"], "code": "INVALID"}]


def test_bad_orders_are_user_errors(api: Api) -> None:
    customer_id = customer(api, "ada@example.com")
    base = {"customerId": customer_id, "placedAt": "2026-03-01T10:00:00Z", "currency": "USD"}
    not_a_currency = api.query(RECORD, input={**base, "currency": "XYZ"})
    assert not_a_currency["data"] is None and "ISO 4217" in not_a_currency["errors"][0]["message"]
    cases = [
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
    assert [e["node"]["total"]["amount"] for e in first["edges"]] == ["3.00", "2.00"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert count <= 4  # customers, their total count, newest orders, order counts


def test_an_order_cursor_without_a_time_is_a_typed_query_error(api: Api) -> None:
    customer(api, "ada@example.com")
    forged = to_global_id("OrderCursor", "yesterday|o1")
    customer_id = customer(api, "bob@example.com")
    record(api, customerId=customer_id, placedAt="2026-03-01T10:00:00Z", currency="USD", total="1")
    body = api.query(ORDERS, first=2, after=forged)
    assert [e["extensions"] for e in body["errors"]] == [{"code": "INVALID", "field": "after"}]


PAGES = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
      $filter: OrderFilter, $orderBy: OrderOrder) {
  customer(id: $id) {
    orders(first: $first, after: $after, last: $last, before: $before,
           filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { node { externalId status total { amount currency } } }
    }
    orderStats {
      orderCount paidOrderCount firstOrderAt lastOrderAt
      lifetimeRevenue { amount currency } averageOrderValue { amount currency }
    }
  }
}"""
MARK_PAID = """
mutation($input: MarkOrderPaidInput!) {
  markOrderPaid(input: $input) { order { status } userErrors { code } }
}"""
CANCEL = """
mutation($input: CancelOrderInput!) {
  cancelOrder(input: $input) { order { status } userErrors { field code } }
}"""


def _seed_orders(api: Api) -> tuple[str, dict[str, str]]:
    ada = customer(api, "ada@example.com")
    ids = {}
    for external, day, total, currency, paid in (
        ("o1", 1, "30.00", "EUR", True),
        ("o2", 2, "5.00", "EUR", True),
        ("o3", 3, "100", "JPY", True),
        ("o4", 4, "12.00", "EUR", False),
        ("o5", 5, "1.00", "EUR", False),
    ):
        payload = record(
            api,
            customerId=ada,
            placedAt=f"2026-03-0{day}T10:00:00Z",
            currency=currency,
            total=total,
            paid=paid,
            externalId=external,
        )
        ids[external] = payload["order"]["id"]
    return ada, ids


def test_orders_filter_sort_and_page_both_ways(api: Api) -> None:
    ada, ids = _seed_orders(api)
    api.data(REFUND, input={"id": ids["o1"], "amount": "10.00"})
    cancelled = api.data(CANCEL, input={"id": ids["o5"]})["cancelOrder"]
    assert cancelled == {"order": {"status": "CANCELLED"}, "userErrors": []}
    marked = api.data(MARK_PAID, input={"id": ids["o2"]})["markOrderPaid"]
    assert marked["userErrors"] == [{"code": "INVALID"}]  # paid already
    by_total = api.data(PAGES, id=ada, orderBy={"field": "TOTAL", "direction": "ASC"}, first=3)
    orders = by_total["customer"]["orders"]
    assert [e["node"]["externalId"] for e in orders["edges"]] == ["o5", "o2", "o4"]
    assert orders["totalCount"] == 5
    rest = api.data(
        PAGES,
        id=ada,
        orderBy={"field": "TOTAL", "direction": "ASC"},
        first=3,
        after=orders["pageInfo"]["endCursor"],
    )["customer"]["orders"]
    assert [e["node"]["externalId"] for e in rest["edges"]] == ["o1", "o3"]
    newest_two_back = api.data(PAGES, id=ada, last=2)["customer"]["orders"]
    assert [e["node"]["externalId"] for e in newest_two_back["edges"]] == ["o2", "o1"]
    assert newest_two_back["pageInfo"]["hasPreviousPage"] is True
    paid = api.data(
        PAGES, id=ada, filter={"statuses": ["PAID"], "placedBefore": "2026-03-03T10:00:00Z"}
    )["customer"]["orders"]
    assert [e["node"]["externalId"] for e in paid["edges"]] == ["o2", "o1"]
    assert paid["totalCount"] == 2


def test_order_stats_sum_paid_minus_refunded_per_currency(api: Api) -> None:
    ada, ids = _seed_orders(api)
    api.data(REFUND, input={"id": ids["o1"], "amount": "10.00"})
    api.data(CANCEL, input={"id": ids["o5"]})
    stats = api.data(PAGES, id=ada)["customer"]["orderStats"]
    assert stats == {
        "orderCount": 4,
        "paidOrderCount": 3,
        "firstOrderAt": "2026-03-01T10:00:00+00:00",
        "lastOrderAt": "2026-03-04T10:00:00+00:00",
        "lifetimeRevenue": [
            {"amount": "25.00", "currency": "EUR"},
            {"amount": "100", "currency": "JPY"},
        ],
        "averageOrderValue": [
            {"amount": "12.50", "currency": "EUR"},
            {"amount": "100", "currency": "JPY"},
        ],
    }


def test_order_stats_of_a_list_load_in_constant_statements(api: Api) -> None:
    for number in range(12):
        customer_id = customer(api, f"c{number}@example.com")
        record(
            api,
            customerId=customer_id,
            placedAt="2026-03-01T10:00:00Z",
            currency="USD",
            total="1",
            paid=True,
        )
    query = (
        "query($n: Int) { customers(first: $n) { edges { node { "
        "orderStats { orderCount lifetimeRevenue { amount } } "
        "company { orderStats { orderCount } } } } } }"
    )

    def selects(size: int) -> int:
        api.statements.clear()
        data = api.data(query, n=size)
        assert all(e["node"]["orderStats"]["orderCount"] == 1 for e in data["customers"]["edges"])
        return sum(s.startswith("SELECT") for s in api.statements)

    selects(1)
    assert selects(3) == selects(12) == 2  # the customers, and every summary


def test_orders_of_a_list_of_companies_load_in_constant_statements(api: Api) -> None:
    for number in range(6):
        company = api.data(
            "mutation($input: CreateCompanyInput!) { createCompany(input: $input) { company { id } } }",
            input={"name": f"Co {number}"},
        )["createCompany"]["company"]["id"]
        person = api.data(CREATE, input={"email": f"p{number}@example.com", "companyId": company})
        customer_id = person["createCustomer"]["customer"]["id"]
        for day in range(1, 4):
            record(
                api,
                customerId=customer_id,
                placedAt=f"2026-03-0{day}T10:00:00Z",
                currency="USD",
                total=f"{day}.00",
            )
    query = (
        "query($n: Int) { companies(first: $n) { edges { node { "
        "orders(first: 2) { totalCount edges { node { total { amount } } } } "
        "orderStats { orderCount } } } } }"
    )

    def selects(size: int) -> tuple[int, dict[str, Any]]:
        api.statements.clear()
        data = api.data(query, n=size)
        return sum(s.startswith("SELECT") for s in api.statements), data

    selects(1)
    small, data = selects(2)
    large, _ = selects(6)
    orders = data["companies"]["edges"][0]["node"]["orders"]
    assert orders["totalCount"] == 3
    assert [e["node"]["total"]["amount"] for e in orders["edges"]] == ["3.00", "2.00"]
    assert small == large == 4  # companies, first pages, counts, summaries
