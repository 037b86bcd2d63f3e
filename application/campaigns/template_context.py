"""The values a template is rendered with, from a customer, their company and last order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from attrs import evolve, frozen

from application.campaigns.template_ports import RenderContext
from application.companies.ports import CompanyReader
from application.companies.views import CompanyView
from application.customers.ports import CustomerReader
from application.customers.views import CustomerView
from application.field_security import custom_field, readable_text
from application.orders.ports import OrderReader
from application.orders.views import OrderView
from application.principal import Principal
from domain.access.roles import Resource
from domain.campaigns.templates import CUSTOM_FIELD_PREFIX
from domain.custom_fields import CustomValue


def _text(value: CustomValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def render_context(
    customer: CustomerView | None,
    *,
    company: CompanyView | None = None,
    last_order: OrderView | None = None,
    unsubscribe_url: str | None = None,
) -> RenderContext:
    """Every value a template may name, as text; what is missing is an empty string, so a
    template renders whatever the customer lacks.

    ``last_order.total`` is the amount and its currency (``120.00 EUR``);
    ``last_order.placed_at`` the day it was placed (``2026-03-01``, UTC).
    """
    values: dict[str, str] = {
        "customer.first_name": customer.first_name if customer else "",
        "customer.last_name": customer.last_name if customer else "",
        "customer.display_name": customer.display_name if customer else "",
        "customer.email": (customer.email or "") if customer else "",
        "company.name": company.name if company else "",
        "last_order.total": f"{last_order.total} {last_order.currency}" if last_order else "",
        "last_order.placed_at": _day(last_order.placed_at) if last_order else "",
        "unsubscribe_url": unsubscribe_url or "",
    }
    for key, value in (customer.custom_fields if customer else {}).items():
        values[f"{CUSTOM_FIELD_PREFIX}{key}"] = _text(value)
    return values


def _day(at: datetime | date) -> str:
    return at.date().isoformat() if isinstance(at, datetime) else at.isoformat()


@frozen
class PreviewFacts:
    customer: CustomerView
    company: CompanyView | None
    last_order: OrderView | None


def _as_readable(actor: Principal, customer: CustomerView) -> CustomerView:
    """The customer with what the actor's role may not read masked or left out: a preview
    shows nobody more of a customer than their record does."""
    custom: Mapping[str, CustomValue] = {
        key: value
        for key, value in customer.custom_fields.items()
        if actor.sees_field(Resource.CUSTOMERS, custom_field(key))
    }
    return evolve(
        customer,
        first_name=readable_text(actor, Resource.CUSTOMERS, "first_name", customer.first_name)
        or "",
        last_name=readable_text(actor, Resource.CUSTOMERS, "last_name", customer.last_name) or "",
        email=readable_text(actor, Resource.CUSTOMERS, "email", customer.email),
        phone=readable_text(actor, Resource.CUSTOMERS, "phone", customer.phone),
        custom_fields=custom,
    )


@frozen
class PreviewFactsReader:
    """What a preview renders, read as ``actor`` may see it: an invisible customer is
    ``None``, an invisible company or order is simply missing."""

    customers: CustomerReader
    companies: CompanyReader
    orders: OrderReader

    def __call__(self, actor: Principal, customer_id: str) -> PreviewFacts | None:
        found = self.customers.get_many([customer_id], visible=actor.visibility(Resource.CUSTOMERS))
        customer = found.get(customer_id)
        if customer is None:
            return None
        company = None
        if customer.company_id is not None:
            companies = self.companies.get_many(
                [customer.company_id], visible=actor.visibility(Resource.COMPANIES)
            )
            company = companies.get(customer.company_id)
        orders = self.orders.newest_of_customers(
            [customer.id], 1, visible=actor.visibility(Resource.CUSTOMERS)
        ).get(customer.id, ())
        return PreviewFacts(
            customer=_as_readable(actor, customer),
            company=company,
            last_order=orders[0] if orders else None,
        )
