from typing import Any

from application.activities.bundle import Activities
from application.customers.bundle import Customers
from tests.graphql.conftest import Api

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String,
      $filter: CustomerFilter, $orderBy: CustomerOrder) {
  customers(first: $first, after: $after, last: $last, before: $before,
            filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id firstName lastName email owner { name } } }
  }
}"""


def _seed(api: Api, count: int) -> None:
    create = api.container.use(Customers).create
    from application.customers.commands import NewCustomer
    from application.principal import Principal

    for number in range(count):
        create(
            Principal.system(),
            NewCustomer(
                first_name=f"Name{number:02d}", last_name="Test", email=f"c{number}@example.com"
            ),
        )


def page(api: Api, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.data(PAGE, **variables)["customers"]
    return result


def test_pages_forward_then_backward(api: Api) -> None:
    _seed(api, 12)
    order = {"field": "NAME", "direction": "DESC"}
    seen: list[str] = []
    after = None
    while True:
        result = page(api, first=5, after=after, orderBy=order)
        assert result["totalCount"] == 12
        seen += [edge["node"]["firstName"] for edge in result["edges"]]
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    assert seen == [f"Name{n:02d}" for n in reversed(range(12))]

    last_page = page(api, last=5, orderBy=order)
    assert [e["node"]["firstName"] for e in last_page["edges"]] == [
        f"Name{n:02d}" for n in reversed(range(5))
    ]
    assert last_page["pageInfo"]["hasPreviousPage"] is True
    before = page(api, last=3, before=last_page["pageInfo"]["startCursor"], orderBy=order)
    assert [e["node"]["firstName"] for e in before["edges"]] == ["Name07", "Name06", "Name05"]


def test_filter_narrows_the_list_and_the_count(api: Api) -> None:
    _seed(api, 12)
    result = page(api, first=20, filter={"search": "name1"})
    assert result["totalCount"] == 2
    assert {e["node"]["email"] for e in result["edges"]} == {"c10@example.com", "c11@example.com"}


def test_bad_cursor_and_page_size_are_errors_with_codes(api: Api) -> None:
    body = api.query(PAGE, first=5, after="nonsense")
    assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": "after"}
    body = api.query(PAGE, first=1000)
    assert body["errors"][0]["extensions"]["field"] == "first"


def test_list_runs_the_same_number_of_statements_whatever_its_size(api: Api) -> None:
    _seed(api, 60)

    def statements_for(size: int) -> int:
        api.statements.clear()
        assert len(page(api, first=size)["edges"]) == size
        return sum(statement.startswith("SELECT") for statement in api.statements)

    statements_for(1)  # the first request also checks the API key
    small, large = statements_for(5), statements_for(50)
    assert small == large
    assert large == 3  # the page, the total count and the owners: one statement each


def test_timelines_of_a_list_load_in_constant_statements(api: Api) -> None:
    from application.activities.commands import NewActivity
    from application.principal import Principal
    from domain.activities import ActivityKind

    _seed(api, 12)
    log = api.container.use(Activities).log
    ids = api.container.use(Customers).list
    from application.customers.views import CustomerFilter, CustomerOrder
    from application.pagination import PageRequest

    page = ids(Principal.system(), CustomerFilter(), CustomerOrder(), PageRequest(first=12))
    for edge in page.edges:
        for number in range(3):
            log(
                Principal.system(),
                NewActivity(
                    customer_id=edge.node.id, kind=ActivityKind.NOTE, body=f"note {number}"
                ),
            )
    query = "query($n: Int) { customers(first: $n) { edges { node { timeline(first: 2) { edges { node { kind title } } } } } } }"

    def selects(size: int) -> int:
        api.statements.clear()
        data = api.data(query, n=size)
        assert all(len(e["node"]["timeline"]["edges"]) == 2 for e in data["customers"]["edges"])
        return sum(s.startswith("SELECT") for s in api.statements)

    selects(1)
    assert selects(3) == selects(12) == 2  # the customers, and every first timeline page

    query = (
        "query($n: Int) { customers(first: $n) { edges { node { timeline(first: 2) { totalCount"
        " edges { node { subject { id } ... on ActivityTimelineEntry { activity { id } } } } } } } } }"
    )
    selects(1)
    # the customers, the first pages, their counts, and every activity behind them
    assert selects(3) == selects(12) == 4


COMPANIES = """
query($filter: CompanyFilter) { companies(first: 5, filter: $filter) { totalCount } }
"""


def test_an_over_long_or_control_character_search_is_a_typed_query_error(api: Api) -> None:
    _seed(api, 3)
    api.data('mutation { createCompany(input: {name: "Acme"}) { company { id } } }')
    for search, code in (
        ("x" * 100_000, "TOO_LONG"),
        ("\u0000", "INVALID"),
        ("a\u0007", "INVALID"),
    ):
        for document in (PAGE, COMPANIES):
            body = api.query(document, first=5, filter={"search": search})
            assert body["data"] is None
            assert [e["extensions"] for e in body["errors"]] == [
                {"code": code, "field": "filter.search"}
            ]
