"""The values a template renders with: every variable as text, empty when missing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from application.campaigns.template_context import render_context
from application.companies.views import CompanyView
from application.customers.views import CustomerView
from application.orders.views import OrderView
from domain.campaigns.templates import TEMPLATE_VARIABLES

AT = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)


def _customer(**fields: object) -> CustomerView:
    values: dict[str, object] = {
        "id": "c-1",
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann@example.com",
        "phone": None,
        "custom_fields": {"plan": "gold", "seats": 12, "vip": True, "tags": ["a", "b"]},
        "owner_id": "u-1",
        "created_at": AT,
        "updated_at": AT,
        "archived_at": None,
        "version": 1,
        "company_id": "co-1",
        **fields,
    }
    return CustomerView(**values)  # type: ignore[arg-type]


def test_every_variable_has_a_value_even_for_nobody() -> None:
    context = render_context(None)
    assert set(context) == TEMPLATE_VARIABLES
    assert set(context.values()) == {""}


def test_values_come_from_the_customer_their_company_and_last_order() -> None:
    company = CompanyView(
        id="co-1",
        name="Acme",
        domain=None,
        industry=None,
        size=None,
        address=None,
        custom_fields={},
        owner_id="u-1",
        created_at=AT,
        updated_at=AT,
        archived_at=None,
        version=1,
    )
    order = OrderView(
        id="o-1",
        customer_id="c-1",
        external_id=None,
        placed_at=AT,
        status="paid",
        currency="EUR",
        total=Decimal("120.50"),
        refunded=Decimal("0"),
        lines=(),
        created_at=AT,
        updated_at=AT,
        version=1,
    )
    context = render_context(
        _customer(), company=company, last_order=order, unsubscribe_url="https://u.example/x"
    )
    assert context == {
        "customer.first_name": "Ann",
        "customer.last_name": "Lee",
        "customer.display_name": "Ann Lee",
        "customer.email": "ann@example.com",
        "company.name": "Acme",
        "last_order.total": "120.50 EUR",
        "last_order.placed_at": "2026-03-01",
        "unsubscribe_url": "https://u.example/x",
        "customer.custom.plan": "gold",
        "customer.custom.seats": "12",
        "customer.custom.vip": "yes",
        "customer.custom.tags": "a, b",
    }
