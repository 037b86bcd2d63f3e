"""Keyset pagination in SQL: the page window and walking order over a sort key and the id.

Sort keys that may be missing (custom fields) put missing values last in either
direction, as the in-memory adapter does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, bindparam, or_, tuple_

from application.pagination import SortKey


def bound(column: ColumnElement[Any], value: object) -> ColumnElement[Any]:
    return bindparam(None, value, type_=column.type)


def window(
    sort: ColumnElement[Any],
    id_column: ColumnElement[str],
    *,
    descending: bool,
    after: SortKey | None,
    before: SortKey | None,
    after_value: ColumnElement[Any] | None = None,
    before_value: ColumnElement[Any] | None = None,
    nullable: bool = False,
) -> list[ColumnElement[bool]]:
    """Conditions for the rows strictly between ``after`` and ``before``.

    ``after_value`` and ``before_value`` bind the keys' values where the sort expression's
    own type would not (custom fields).
    """
    conditions: list[ColumnElement[bool]] = []
    if after is not None:
        value = after_value if after_value is not None else bound(sort, after.value)
        conditions.append(
            _later(sort, id_column, value, after, descending=descending, nullable=nullable)
        )
    if before is not None:
        value = before_value if before_value is not None else bound(sort, before.value)
        conditions.append(
            _earlier(sort, id_column, value, before, descending=descending, nullable=nullable)
        )
    return conditions


AFTER_VALUE, AFTER_ID = "after_value", "after_id"
BEFORE_VALUE, BEFORE_ID = "before_value", "before_id"


def named_window(
    sort: ColumnElement[Any],
    id_column: ColumnElement[str],
    *,
    descending: bool,
    after: bool,
    before: bool,
) -> list[ColumnElement[bool]]:
    """``window`` over a sort key that is never missing, with the keys as named parameters
    (see ``window_parameters``): for statements built once and run with many keys."""
    conditions: list[ColumnElement[bool]] = []
    position = tuple_(sort, id_column)
    if after:
        later = tuple_(
            bindparam(AFTER_VALUE, type_=sort.type), bindparam(AFTER_ID, type_=id_column.type)
        )
        conditions.append(position < later if descending else position > later)
    if before:
        earlier = tuple_(
            bindparam(BEFORE_VALUE, type_=sort.type), bindparam(BEFORE_ID, type_=id_column.type)
        )
        conditions.append(position > earlier if descending else position < earlier)
    return conditions


def window_parameters(after: SortKey | None, before: SortKey | None) -> dict[str, object]:
    """The values of ``named_window``'s parameters."""
    parameters: dict[str, object] = {}
    if after is not None:
        parameters.update({AFTER_VALUE: after.value, AFTER_ID: after.id})
    if before is not None:
        parameters.update({BEFORE_VALUE: before.value, BEFORE_ID: before.id})
    return parameters


def _later(
    sort: ColumnElement[Any],
    id_column: ColumnElement[str],
    value: ColumnElement[Any],
    key: SortKey,
    *,
    descending: bool,
    nullable: bool,
) -> ColumnElement[bool]:
    key_id = bound(id_column, key.id)
    if not nullable:
        position, limit = tuple_(sort, id_column), tuple_(value, key_id)
        return position < limit if descending else position > limit
    later_id = id_column < key_id if descending else id_column > key_id
    if key.value is None:
        return and_(sort.is_(None), later_id)
    later = sort < value if descending else sort > value
    return or_(sort.is_(None), later, and_(sort == value, later_id))


def _earlier(
    sort: ColumnElement[Any],
    id_column: ColumnElement[str],
    value: ColumnElement[Any],
    key: SortKey,
    *,
    descending: bool,
    nullable: bool,
) -> ColumnElement[bool]:
    key_id = bound(id_column, key.id)
    if not nullable:
        position, limit = tuple_(sort, id_column), tuple_(value, key_id)
        return position > limit if descending else position < limit
    earlier_id = id_column > key_id if descending else id_column < key_id
    if key.value is None:
        return or_(sort.is_not(None), and_(sort.is_(None), earlier_id))
    earlier = sort > value if descending else sort < value
    return and_(sort.is_not(None), or_(earlier, and_(sort == value, earlier_id)))


def walking_order(
    sort: ColumnElement[Any],
    id_column: ColumnElement[str],
    *,
    descending: bool,
    from_end: bool,
    nullable: bool = False,
) -> list[UnaryExpression[Any]]:
    """ORDER BY for walking the list forward, or from its end when ``from_end``."""
    walk_descending = descending != from_end
    ordering = [sort.desc(), id_column.desc()] if walk_descending else [sort.asc(), id_column.asc()]
    if nullable:
        # Missing values come last in the list, so first when walking from its end.
        ordering[0] = ordering[0].nulls_first() if from_end else ordering[0].nulls_last()
    return ordering
