"""What the SQL readers of customers and companies share: lookups by id, counts and
keyset slices over one table, in Core."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Generic, TypeVar

from attrs import frozen
from sqlalchemy import (
    ColumnElement,
    Engine,
    Integer,
    Table,
    bindparam,
    func,
    select,
    union_all,
)

from adapters.persistence.custom_field_sql import CustomFieldSql
from adapters.persistence.keyset import named_window, walking_order, window, window_parameters
from adapters.persistence.visibility import visible_conditions
from application.pagination import SortKey
from application.records import RecordFilter, RecordOrder
from domain.access.visibility import Visibility

MAX_OWNER_BRANCHES = 64
"""Up to this many owners a restricted page is merged from one branch per owner."""
PAGE_SHAPES = 256
"""How many built pages of owners each reader keeps."""
SORT_KEY = "_sort_key"
SHARED_IDS = "shared_ids"
PAGE_LIMIT = "page_limit"

F = TypeVar("F", bound=RecordFilter)
E = TypeVar("E")
V = TypeVar("V")


@frozen
class _PageShape(Generic[E]):
    """What the statement of an unfiltered page of some owners' records depends on; the
    owners, shared ids, cursors and limit are its parameters."""

    field: E
    descending: bool
    from_end: bool
    include_archived: bool
    after: bool
    before: bool
    owners: int
    shared: bool


def _owner_parameter(index: int) -> str:
    return f"owner_{index}"


class SqlRecordReader(Generic[F, E, V]):
    """The reads every record list makes of its ``table``; each kind adds its own filter.

    ``columns`` are selected in the field order of the view that ``view`` builds from
    them, and ``sort_by`` gives the expression that each built-in order field sorts by.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        table: Table,
        columns: Sequence[ColumnElement[Any]],
        view: Callable[..., V],
        sort_by: Mapping[E, ColumnElement[Any]],
    ) -> None:
        self._engine = engine
        self._fields = CustomFieldSql(engine.dialect.name)
        self._table = table
        self._columns = columns
        self._view = view
        self._sort_by = sort_by
        self._by_id = select(*columns).where(table.c.id == bindparam("id"))
        self._by_ids = select(*columns).where(table.c.id.in_(bindparam("ids", expanding=True)))
        self._page_of_owners = lru_cache(maxsize=PAGE_SHAPES)(self._build_page_of_owners)

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, V]:
        wanted = list(ids)
        if not wanted:
            return {}
        # The common single lookup avoids re-rendering an expanding IN list.
        query, parameters = (
            (self._by_id, {"id": wanted[0]})
            if len(wanted) == 1
            else (self._by_ids, {"ids": wanted})
        )
        query = query.where(*self._visible(visible))
        with self._engine.connect() as connection:
            return {row.id: self._view(*row) for row in connection.execute(query, parameters)}

    def count(self, where: F, *, visible: Visibility) -> int:
        query = (
            select(func.count())
            .select_from(self._table)
            .where(*self._conditions(where), *self._visible(visible))
        )
        with self._engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def slice(
        self,
        where: F,
        order: RecordOrder[Any, E],
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[V]:
        table = self._table
        custom = order.custom_field
        owners = sorted(visible.owner_ids or ())
        restricted = visible.owner_ids is not None and 0 < len(owners) <= MAX_OWNER_BRANCHES
        shared = sorted(visible.shared_ids)
        if restricted and custom is None and not self._filtering(where):
            # The commonest restricted read, a page of a list with no filter, runs a
            # statement built once for its shape.
            shape = _PageShape(
                order.field,
                order.descending,
                from_end,
                where.include_archived,
                after is not None,
                before is not None,
                len(owners),
                bool(shared),
            )
            return self._run(
                self._page_of_owners(shape),
                {
                    **{_owner_parameter(i): owner for i, owner in enumerate(owners)},
                    **window_parameters(after, before),
                    **({SHARED_IDS: shared} if shared else {}),
                    PAGE_LIMIT: limit,
                },
            )
        conditions = self._conditions(where)
        if custom is not None and custom.field_type is not None:
            field_type = custom.field_type
            sort = self._fields.value(table.c.custom_fields, custom.key, field_type)
            conditions += window(
                sort,
                table.c.id,
                descending=order.descending,
                after=after,
                before=before,
                after_value=self._fields.operand(field_type, after.value) if after else None,
                before_value=(self._fields.operand(field_type, before.value) if before else None),
                nullable=True,
            )
        else:
            sort = self._sort_by[order.field]
            conditions += window(
                sort, table.c.id, descending=order.descending, after=after, before=before
            )

        def ordered(key: ColumnElement[Any], id_column: ColumnElement[str]) -> list[Any]:
            return walking_order(
                key,
                id_column,
                descending=order.descending,
                from_end=from_end,
                nullable=custom is not None,
            )

        if restricted:
            return self._run(
                self._merged_branches(conditions, sort, ordered, owners, shared or None, limit)
            )
        return self._run(
            select(*self._columns)
            .where(*conditions, *self._visible(visible))
            .order_by(*ordered(sort, table.c.id))
            .limit(limit)
        )

    def _run(self, query: Any, parameters: Mapping[str, object] | None = None) -> list[V]:
        with self._engine.connect() as connection:
            # Unpacking the row into the view is several times faster than reading each
            # field by name, on every row of every list.
            return [self._view(*row) for row in connection.execute(query, parameters)]

    def _build_page_of_owners(self, shape: _PageShape[E]) -> Any:
        """The merged page of ``shape``, every value a named parameter: built once per shape,
        since building a union of subqueries costs several times what running it does."""
        table = self._table
        sort = self._sort_by[shape.field]
        conditions: list[ColumnElement[bool]] = (
            [] if shape.include_archived else [table.c.archived_at.is_(None)]
        )
        conditions += named_window(
            sort,
            table.c.id,
            descending=shape.descending,
            after=shape.after,
            before=shape.before,
        )

        def ordered(key: ColumnElement[Any], id_column: ColumnElement[str]) -> list[Any]:
            return walking_order(
                key, id_column, descending=shape.descending, from_end=shape.from_end
            )

        return self._merged_branches(
            conditions,
            sort,
            ordered,
            [
                bindparam(_owner_parameter(i), type_=table.c.owner_id.type)
                for i in range(shape.owners)
            ],
            bindparam(SHARED_IDS, expanding=True, type_=table.c.id.type) if shape.shared else None,
            bindparam(PAGE_LIMIT, type_=Integer()),
        )

    def _merged_branches(
        self,
        conditions: list[ColumnElement[bool]],
        sort: ColumnElement[Any],
        ordered: Callable[[ColumnElement[Any], ColumnElement[str]], list[Any]],
        owners: Sequence[Any],
        shared: Any,
        limit: Any,
    ) -> Any:
        """One ordered, limited branch per owner and one for the ``shared`` ids, merged.

        Each owner's branch walks its range of the ``(owner_id, <order>)`` index and stops at
        ``limit``, so a page costs what the caller's own rows cost however rare they are,
        where one ``owner_id IN (...)`` condition walks the whole order and skips the rest.
        The branches carry only the id and the sort key, and the page's rows are read once
        by id: narrow subqueries are cheaper to build and to merge.
        """
        table = self._table

        def branch(*where: ColumnElement[bool]) -> Any:
            inner = (
                select(table.c.id, sort.label(SORT_KEY))
                .where(*conditions, *where)
                .order_by(*ordered(sort, table.c.id))
                .limit(limit)
            )
            return select(inner.subquery())

        branches = [branch(table.c.owner_id == owner) for owner in owners]
        if shared is not None:
            branches.append(
                branch(
                    table.c.id.in_(shared),
                    table.c.owner_id.is_(None) | table.c.owner_id.not_in(owners),
                )
            )
        merged = union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
        return (
            select(*self._columns)
            .join_from(table, merged, table.c.id == merged.c.id)
            .order_by(*ordered(merged.c[SORT_KEY], merged.c.id))
            .limit(limit)
        )

    def _visible(self, visible: Visibility) -> list[ColumnElement[bool]]:
        """The rows ``visible`` admits, by owner or by a share of the row's id."""
        return visible_conditions(visible, self._table.c.owner_id, self._table.c.id)

    def _conditions(self, where: F) -> list[ColumnElement[bool]]:
        archived = [] if where.include_archived else [self._table.c.archived_at.is_(None)]
        return [*archived, *self._filtering(where)]

    def _filtering(self, where: F) -> list[ColumnElement[bool]]:
        """The conditions of ``where`` besides leaving archived records out."""
        table = self._table
        conditions: list[ColumnElement[bool]] = []
        if where.owner_ids is not None:
            conditions.append(table.c.owner_id.in_(sorted(where.owner_ids)))
        if where.search:
            conditions.append(
                table.c.search_text.contains(where.search.casefold(), autoescape=True)
            )
        conditions += self._filter_conditions(where)
        conditions += (
            self._fields.condition(table.c.custom_fields, condition)
            for condition in where.custom_fields
        )
        return conditions

    def _filter_conditions(self, where: F) -> list[ColumnElement[bool]]:
        """The conditions on the fields of this kind's own filter."""
        raise NotImplementedError
