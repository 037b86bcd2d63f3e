"""Record-level visibility as SQL: the condition every reader adds to its queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from adapters.persistence.tables import customers
from domain.access.visibility import Visibility


def visible_rows(
    visibility: Visibility, owner: ColumnElement[Any], record_id: ColumnElement[Any]
) -> ColumnElement[bool] | None:
    """``owner IN (...) OR id IN (...)``; ``None`` when every record is visible.

    An actor who owns nothing and has nothing shared sees no rows at all.
    """
    if visibility.owner_ids is None:
        return None
    admitted: list[ColumnElement[bool]] = []
    if visibility.owner_ids:
        admitted.append(owner.in_(sorted(visibility.owner_ids)))
    if visibility.shared_ids:
        admitted.append(record_id.in_(sorted(visibility.shared_ids)))
    if not admitted:
        return false()
    return or_(*admitted)


def visible_conditions(
    visibility: Visibility, owner: ColumnElement[Any], record_id: ColumnElement[Any]
) -> list[ColumnElement[bool]]:
    """``visible_rows`` as a list to splat into ``where(...)``: empty when unrestricted."""
    condition = visible_rows(visibility, owner, record_id)
    return [] if condition is None else [condition]


def of_visible_customers(
    visibility: Visibility, customer_id: ColumnElement[Any]
) -> list[ColumnElement[bool]]:
    """Conditions restricting records that belong to a customer (orders, activities,
    events, timeline entries, tags ...) to those of customers the actor may see."""
    # An alias, so the subquery never correlates with a query that joins the customers.
    seen = customers.alias("seen_customers")
    condition = visible_rows(visibility, seen.c.owner_id, seen.c.id)
    if condition is None:
        return []
    return [customer_id.in_(select(seen.c.id).where(condition))]
