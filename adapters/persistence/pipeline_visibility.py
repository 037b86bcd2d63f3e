"""Record-level visibility of deals, leads and tasks as a condition of the query itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_

from domain.access.visibility import Visibility


def visible_rows(
    visibility: Visibility, owner: ColumnElement[Any], record_id: ColumnElement[Any]
) -> ColumnElement[bool] | None:
    """The rows ``visibility`` admits: owned by one of its owners or shared by id.

    ``None`` when it admits every row, so an unrestricted actor's query is unchanged; an
    actor who owns nothing and was shared nothing gets ``false``.
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
    """``visible_rows`` as a list to splat into ``where``: empty when unrestricted."""
    condition = visible_rows(visibility, owner, record_id)
    return [] if condition is None else [condition]
