"""What customers and companies share as records that clients get by id and list.

Both carry custom fields, both lists page by keyset in an order by a built-in field or
by a custom field, and both readers answer the same three questions. Each kind of record
names its own filter, order and view; this module holds what works for every kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

from attrs import evolve, field, frozen

from application.custom_fields.criteria import (
    FieldCondition,
    FieldSort,
    definitions_by_key,
    read_sort_value,
    resolve_conditions,
    resolve_sort,
    sort_value,
)
from application.custom_fields.ports import CustomFieldDefinitionReader
from application.custom_fields.views import CustomFieldDefinitionView
from application.field_security import camel, custom_field, require_readable
from application.pagination import (
    KeysetOrder,
    Page,
    PageRequest,
    SortKey,
    SortValue,
    keyset_page,
    read_text,
    read_time,
)
from application.principal import Principal
from domain.access.roles import Permission, Resource
from domain.access.visibility import Visibility
from domain.custom_fields import CustomValue, ObjectType


class RecordView(Protocol):
    """A read model with an id and custom field values."""

    @property
    def id(self) -> str: ...

    @property
    def custom_fields(self) -> Mapping[str, CustomValue]: ...


class RecordFilter(Protocol):
    """The conditions every record list takes besides its own."""

    @property
    def search(self) -> str | None: ...

    @property
    def owner_ids(self) -> frozenset[str] | None: ...

    @property
    def include_archived(self) -> bool: ...

    @property
    def custom_fields(self) -> tuple[FieldCondition, ...]: ...


V = TypeVar("V", bound=RecordView)
V_contra = TypeVar("V_contra", contravariant=True)
V_co = TypeVar("V_co", covariant=True)
F = TypeVar("F", bound=RecordFilter)
F_contra = TypeVar("F_contra", contravariant=True)
E_co = TypeVar("E_co", covariant=True)


class OrderField(Protocol[V_contra]):
    """A built-in field that a list of records can be ordered by."""

    @property
    def value(self) -> str: ...

    @property
    def is_time(self) -> bool: ...

    def key_of(self, view: V_contra) -> SortKey: ...


class RecordOrder(KeysetOrder[V_contra], Protocol[V_contra, E_co]):
    """An order of a record list as reader adapters read it: by ``field`` (an ``E_co``),
    or by ``custom_field`` when that is given."""

    @property
    def field(self) -> E_co: ...

    @property
    def descending(self) -> bool: ...

    @property
    def custom_field(self) -> FieldSort | None: ...


Ord = TypeVar("Ord", bound=RecordOrder[Any, object])
Ord_contra = TypeVar("Ord_contra", contravariant=True)


class FieldOrCustomFieldOrder(Generic[V]):
    """The name, sort keys and cursor values of an order by a built-in field or, when
    ``custom_field`` is given, by a custom field.

    Mixed into each kind's attrs order class, which declares the three attributes.
    """

    __slots__ = ()

    field: OrderField[V]
    descending: bool
    custom_field: FieldSort | None

    @property
    def name(self) -> str:
        by = f"custom_fields.{self.custom_field.key}" if self.custom_field else self.field.value
        return f"{by}:{'desc' if self.descending else 'asc'}"

    def key_of(self, view: V) -> SortKey:
        """The sort key of ``view``; every reader adapter orders by exactly this."""
        if self.custom_field is not None:
            return SortKey(sort_value(view.custom_fields, self.custom_field), view.id)
        return self.field.key_of(view)

    def read_cursor_value(self, raw: object) -> SortValue:
        if self.custom_field is not None and self.custom_field.field_type is not None:
            return read_sort_value(self.custom_field.field_type, raw)
        return read_time(raw) if self.field.is_time else read_text(raw)


class RecordReader(Protocol[F_contra, Ord_contra, V_co]):
    """Read-only queries over one kind of record, outside any unit of work."""

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, V_co]:
        """The records with these ids that ``visible`` admits; others are absent."""
        ...

    def count(self, where: F_contra, *, visible: Visibility) -> int: ...

    def slice(
        self,
        where: F_contra,
        order: Ord_contra,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[V_co]:
        """Up to ``limit`` records strictly between the keys, walking from the end if asked.

        Walking from the end yields the last items first, so the caller reverses them.
        """
        ...


class ViewsById(Protocol[V_co]):
    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, V_co]: ...


@frozen
class ListGuards:
    """Which fields of a kind of record each filter condition, order and search reads, so a
    list refuses them for an actor who may not read those fields (they would leak them)."""

    resource: Resource
    search: tuple[str, ...] = ()
    """Every field a text search matches on."""
    conditions: Mapping[str, str] = field(factory=dict)
    """Filter attribute → the field it compares."""
    orders: Mapping[str, tuple[str, ...]] = field(factory=dict)
    """Order field value → the fields it sorts by."""

    def require_readable(
        self, actor: Principal, where: RecordFilter, order: RecordOrder[Any, object] | None
    ) -> None:
        if not actor.role.restricted_fields(self.resource):
            return
        if where.search:
            require_readable(actor, self.resource, self.search, at="filter.search")
        for name, field_name in self.conditions.items():
            if getattr(where, name, None) is not None:
                require_readable(actor, self.resource, [field_name], at=f"filter.{camel(name)}")
        for condition in where.custom_fields:
            require_readable(
                actor,
                self.resource,
                [custom_field(condition.key)],
                at=f"filter.customFields.{condition.key}",
            )
        if order is None:
            return
        if order.custom_field is not None:
            require_readable(
                actor, self.resource, [custom_field(order.custom_field.key)], at="orderBy"
            )
        else:
            by = str(getattr(order.field, "value", order.field))
            require_readable(actor, self.resource, self.orders.get(by, (by,)), at="orderBy")


@frozen
class GetRecords(Generic[V]):
    """Records by id, for lookups and DataLoaders; unknown ids are simply absent."""

    reader: ViewsById[V]
    read_permission: ClassVar[Permission]
    resource: ClassVar[Resource]

    def __call__(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, V]:
        actor.require(self.read_permission)
        return self.reader.get_many(ids, visible=actor.visibility(self.resource))


@frozen
class ListRecords(Generic[F, Ord, V]):
    """Count records, or page through them by keyset, once custom fields have their types."""

    reader: RecordReader[F, Ord, V]
    definitions: CustomFieldDefinitionReader
    read_permission: ClassVar[Permission]
    object_type: ClassVar[ObjectType]
    resource: ClassVar[Resource]
    guards: ClassVar[ListGuards]

    def __call__(self, actor: Principal, where: F, order: Ord, page: PageRequest) -> Page[V]:
        actor.require(self.read_permission)
        self.guards.require_readable(actor, where, order)
        visible = actor.visibility(self.resource)
        # Plain lists read no definitions.
        if where.custom_fields or order.custom_field is not None:
            definitions = self._definitions()
            where = _typed_conditions(where, definitions)
            sort = order.custom_field and resolve_sort(order.custom_field, definitions)
            order = _evolved(order, custom_field=sort)
        return keyset_page(page, order, partial(self.reader.slice, where, order, visible=visible))

    def count(self, actor: Principal, where: F) -> int:
        actor.require(self.read_permission)
        self.guards.require_readable(actor, where, None)
        if where.custom_fields:
            where = _typed_conditions(where, self._definitions())
        return self.reader.count(where, visible=actor.visibility(self.resource))

    def _definitions(self) -> Mapping[str, CustomFieldDefinitionView]:
        return definitions_by_key(self.definitions.for_object(self.object_type))


def _typed_conditions(where: F, definitions: Mapping[str, CustomFieldDefinitionView]) -> F:
    return _evolved(where, custom_fields=resolve_conditions(where.custom_fields, definitions))


T = TypeVar("T")


def _evolved(record: T, **changes: object) -> T:
    """``attrs.evolve`` for a filter or an order of any kind of record.

    Each of them is an attrs class, but mypy's attrs plugin only accepts ``evolve`` on a
    type it knows to be one, not on a type variable bound to a protocol.
    """
    changed: T = evolve(cast(Any, record), **changes)
    return changed
