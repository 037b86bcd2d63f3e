from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.customers.commands import NewCustomer
from application.customers.views import CustomerFilter, CustomerOrder, CustomerOrderField
from application.errors import InvalidInput
from application.pagination import MAX_PAGE_SIZE, PageRequest
from application.principal import Principal
from tests.application.conftest import App


def _fill(app: App, agent: Principal, count: int) -> list[str]:
    ids = []
    for number in range(count):
        app.clock.advance(timedelta(seconds=number % 3))  # some equal timestamps
        view = app.customers.create(agent, NewCustomer(first_name=f"N{number % 4}", last_name="X"))
        ids.append(view.id)
    return ids


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(min_value=1, max_value=8),
    field=st.sampled_from(list(CustomerOrderField)),
    descending=st.booleans(),
)
def test_paging_forward_and_backward_visits_each_customer_once(
    app: App, agent: Principal, size: int, field: CustomerOrderField, descending: bool
) -> None:
    if app.customers.list.count(agent, CustomerFilter()) == 0:
        _fill(app, agent, 17)
    order = CustomerOrder(field, descending)
    forward: list[str] = []
    after = None
    while True:
        page = app.customers.list(
            agent, CustomerFilter(), order, PageRequest(first=size, after=after)
        )
        forward.extend(edge.node.id for edge in page.edges)
        assert page.has_previous_page == (after is not None)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(forward) == len(set(forward)) == 17

    backward: list[str] = []
    before = None
    while True:
        page = app.customers.list(
            agent, CustomerFilter(), order, PageRequest(last=size, before=before)
        )
        backward[:0] = [edge.node.id for edge in page.edges]
        if not page.has_previous_page:
            break
        before = page.start_cursor
    assert backward == forward


def test_cursor_of_another_ordering_is_refused(app: App, agent: Principal) -> None:
    _fill(app, agent, 3)
    page = app.customers.list(agent, CustomerFilter(), CustomerOrder(), PageRequest(first=1))
    by_name = CustomerOrder(CustomerOrderField.NAME)
    with pytest.raises(InvalidInput) as caught:
        app.customers.list(
            agent, CustomerFilter(), by_name, PageRequest(first=1, after=page.end_cursor)
        )
    assert caught.value.problems[0].field == "after"


@pytest.mark.parametrize("cursor", ["garbage", "", "W10", "eyJ9"])
def test_malformed_cursor_is_refused(app: App, agent: Principal, cursor: str) -> None:
    with pytest.raises(InvalidInput):
        app.customers.list(
            agent, CustomerFilter(), CustomerOrder(), PageRequest(first=1, after=cursor or "x")
        )


@pytest.mark.parametrize(
    "request_",
    [PageRequest(first=MAX_PAGE_SIZE + 1), PageRequest(first=-1), PageRequest(first=1, last=1)],
)
def test_page_size_is_bounded(app: App, agent: Principal, request_: PageRequest) -> None:
    with pytest.raises(InvalidInput):
        app.customers.list(agent, CustomerFilter(), CustomerOrder(), request_)
