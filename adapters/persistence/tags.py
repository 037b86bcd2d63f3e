"""Tags in SQL: Core statements, set-based, in the unit of work's transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam, delete, func, insert, select, update

from adapters.persistence.integrity import conflicts_as_taken
from adapters.persistence.keyset import walking_order, window
from adapters.persistence.tables import auto_tag_rules, customer_tags, tag_history, tags
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.upserts import insert_for
from application.pagination import SortKey
from application.tags.conditions import AutoTagRule, RuleFilter, condition_from_json
from application.tags.views import TagFilter, TagOrder, TagSortField, TagView
from domain.events import DomainEvent
from domain.tags import Colour, Tag, TagChange
from domain.tags.tag import name_key

_TAG_COLUMNS = (
    tags.c.id,
    tags.c.name,
    tags.c.colour,
    tags.c.category,
    tags.c.description,
    tags.c.created_at,
    tags.c.version,
)
_BY_NAME = (tags.c.name_key, tags.c.id)
_HISTORY_COLUMNS = (
    tag_history.c.id,
    tag_history.c.customer_id,
    tag_history.c.tag_id,
    tags.c.name.label("tag_name"),
    tag_history.c.added,
    tag_history.c.occurred_at,
    tag_history.c.actor_id,
    tag_history.c.rule_id,
)
# Long id lists go in chunks, under SQLite's limit on bound parameters.
_CHUNK = 5_000


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _tag_views(rows: Iterable[Any]) -> dict[str, TagView]:
    return {row.id: TagView(*row) for row in rows}


class SqlTags:
    """``uow.tags``: a batch of changes costs a few statements, whatever its size."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session
        # Changes of customers' tags are no aggregate's: their events are kept here.
        self.events: list[DomainEvent] = []
        transaction.saw(self)

    def add(self, tag: Tag) -> None:
        with conflicts_as_taken():
            self._session.execute(
                insert(tags).values(
                    id=tag.id,
                    name=tag.name,
                    name_key=tag.name_key,
                    colour=str(tag.colour),
                    category=tag.category,
                    description=tag.description,
                    created_at=tag.created_at,
                    created_by=tag.created_by,
                    version=tag.version,
                )
            )
        self.events.extend(tag.events)
        tag.events.clear()

    def get(self, tag_id: str) -> Tag | None:
        row = self._session.execute(select(tags).where(tags.c.id == tag_id)).first()
        if row is None:
            return None
        return Tag(
            id=row.id,
            name=row.name,
            colour=Colour(row.colour),
            category=row.category,
            description=row.description,
            created_at=row.created_at,
            created_by=row.created_by,
            version=row.version,
        )

    def update(self, tag: Tag) -> None:
        with conflicts_as_taken():
            self._session.execute(
                update(tags)
                .where(tags.c.id == tag.id)
                .values(
                    name=tag.name,
                    name_key=tag.name_key,
                    colour=str(tag.colour),
                    category=tag.category,
                    description=tag.description,
                    version=tag.version,
                )
            )
        self.events.extend(tag.events)
        tag.events.clear()

    def name_taken(self, name: str) -> bool:
        query = select(tags.c.id).where(tags.c.name_key == name_key(name)).limit(1)
        return self._session.execute(query).first() is not None

    def get_many(self, ids: Collection[str]) -> Mapping[str, TagView]:
        if not ids:
            return {}
        query = select(*_TAG_COLUMNS).where(tags.c.id.in_(sorted(ids)))
        return _tag_views(self._session.execute(query))

    def assignments(
        self, customer_ids: Collection[str], tag_ids: Collection[str]
    ) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        wanted_tags = sorted(tag_ids)
        for chunk in _chunks(sorted(customer_ids)):
            query = select(customer_tags.c.customer_id, customer_tags.c.tag_id).where(
                customer_tags.c.customer_id.in_(chunk), customer_tags.c.tag_id.in_(wanted_tags)
            )
            found.update((row.customer_id, row.tag_id) for row in self._session.execute(query))
        return found

    def tagged_with(self, tag_id: str, *, rule_id: str | None = None) -> set[str]:
        query = select(customer_tags.c.customer_id).where(customer_tags.c.tag_id == tag_id)
        if rule_id is not None:
            query = query.where(customer_tags.c.rule_id == rule_id)
        return set(self._session.scalars(query))

    def apply(self, changes: Sequence[TagChange]) -> Sequence[TagChange]:
        made = self._add([c for c in changes if c.added])
        made |= self._remove([c for c in changes if not c.added])
        applied = [change for change in changes if change.id in made]
        if applied:
            self._session.execute(insert(tag_history), [_history_row(c) for c in applied])
            self.events.extend(change.event() for change in applied)
        return applied

    def _add(self, changes: Sequence[TagChange]) -> set[str]:
        """The ids of the changes that tagged someone; a pair tagged meanwhile is skipped."""
        if not changes:
            return set()
        statement = (
            insert_for(self._session, customer_tags)
            .on_conflict_do_nothing(
                index_elements=[customer_tags.c.customer_id, customer_tags.c.tag_id]
            )
            .returning(customer_tags.c.customer_id, customer_tags.c.tag_id)
        )
        rows = [
            {
                "customer_id": c.customer_id,
                "tag_id": c.tag_id,
                "tagged_at": c.occurred_at,
                "tagged_by": c.actor_id,
                "rule_id": c.rule_id,
            }
            for c in changes
        ]
        inserted = {tuple(row) for row in self._session.execute(statement, rows)}
        return {c.id for c in changes if (c.customer_id, c.tag_id) in inserted}

    def _remove(self, changes: Sequence[TagChange]) -> set[str]:
        """The ids of the changes that untagged someone: one DELETE per tag and chunk."""
        by_tag: dict[str, list[TagChange]] = {}
        for change in changes:
            by_tag.setdefault(change.tag_id, []).append(change)
        made: set[str] = set()
        for tag_id, of_tag in sorted(by_tag.items()):
            for chunk in _chunks(of_tag):
                gone = set(
                    self._session.scalars(
                        delete(customer_tags)
                        .where(
                            customer_tags.c.tag_id == tag_id,
                            customer_tags.c.customer_id.in_([c.customer_id for c in chunk]),
                        )
                        .returning(customer_tags.c.customer_id)
                    )
                )
                made.update(c.id for c in chunk if c.customer_id in gone)
        return made

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        duplicates = sorted(set(duplicate_ids) - {survivor_id})
        if not duplicates:
            return 0
        moving = self._session.execute(
            select(customer_tags)
            .where(customer_tags.c.customer_id.in_(duplicates))
            .order_by(customer_tags.c.tagged_at, customer_tags.c.customer_id)
        ).all()
        self._session.execute(
            delete(customer_tags).where(customer_tags.c.customer_id.in_(duplicates))
        )
        earliest: dict[str, dict[str, Any]] = {}
        for row in moving:
            earliest.setdefault(row.tag_id, {**row._mapping, "customer_id": survivor_id})
        if earliest:
            self._session.execute(
                insert_for(self._session, customer_tags).on_conflict_do_nothing(
                    index_elements=[customer_tags.c.customer_id, customer_tags.c.tag_id]
                ),
                list(earliest.values()),
            )
        self._session.execute(
            update(tag_history)
            .where(tag_history.c.customer_id.in_(duplicates))
            .values(customer_id=survivor_id)
        )
        return len(moving)

    def add_rule(self, rule: AutoTagRule) -> None:
        self._session.execute(
            insert(auto_tag_rules).values(
                id=rule.id,
                tag_id=rule.tag_id,
                condition=rule.condition.to_json(),
                created_at=rule.created_at,
                created_by=rule.created_by,
                enabled=rule.enabled,
                version=rule.version,
            )
        )

    def update_rule(self, rule: AutoTagRule) -> None:
        self._session.execute(
            update(auto_tag_rules)
            .where(auto_tag_rules.c.id == rule.id)
            .values(
                tag_id=rule.tag_id,
                condition=rule.condition.to_json(),
                enabled=rule.enabled,
                version=rule.version,
            )
        )

    def disown(self, rule_id: str) -> None:
        self._session.execute(
            update(customer_tags).where(customer_tags.c.rule_id == rule_id).values(rule_id=None)
        )

    def remove_rule(self, rule_id: str) -> None:
        self._session.execute(
            update(customer_tags).where(customer_tags.c.rule_id == rule_id).values(rule_id=None)
        )
        self._session.execute(delete(auto_tag_rules).where(auto_tag_rules.c.id == rule_id))

    def rules(self) -> Sequence[AutoTagRule]:
        return [_rule(row) for row in self._session.execute(_RULES_OLDEST_FIRST)]


def _history_row(change: TagChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "customer_id": change.customer_id,
        "tag_id": change.tag_id,
        "added": change.added,
        "occurred_at": change.occurred_at,
        "actor_id": change.actor_id,
        "rule_id": change.rule_id,
    }


_RULES_OLDEST_FIRST = select(auto_tag_rules).order_by(
    auto_tag_rules.c.created_at, auto_tag_rules.c.id
)


def _rule(row: Any) -> AutoTagRule:
    return AutoTagRule(
        id=row.id,
        tag_id=row.tag_id,
        condition=condition_from_json(row.condition),
        created_at=row.created_at,
        created_by=row.created_by,
        enabled=row.enabled,
        version=row.version,
    )


def _admitted(filter: TagFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filter.categories is not None:
        conditions.append(tags.c.category.in_(sorted(filter.categories)))
    if filter.name_contains:
        conditions.append(tags.c.name_key.contains(name_key(filter.name_contains), autoescape=True))
    return conditions


def _rules_admitted(filter: RuleFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filter.tag_ids is not None:
        conditions.append(auto_tag_rules.c.tag_id.in_(sorted(filter.tag_ids)))
    if filter.enabled is not None:
        conditions.append(auto_tag_rules.c.enabled.is_(filter.enabled))
    return conditions


class SqlTagReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def slice(
        self,
        filter: TagFilter,
        order: TagOrder,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[TagView]:
        sort = tags.c.created_at if order.field is TagSortField.CREATED_AT else tags.c.name_key
        query = (
            select(*_TAG_COLUMNS)
            .where(
                *_admitted(filter),
                *window(sort, tags.c.id, descending=order.descending, after=after, before=before),
            )
            .order_by(
                *walking_order(sort, tags.c.id, descending=order.descending, from_end=from_end)
            )
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return list(_tag_views(connection.execute(query)).values())

    def count(self, filter: TagFilter) -> int:
        query = select(func.count()).select_from(tags).where(*_admitted(filter))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def rules(self) -> Sequence[AutoTagRule]:
        with self._engine.connect() as connection:
            return [_rule(row) for row in connection.execute(_RULES_OLDEST_FIRST)]

    def rule_slice(
        self,
        filter: RuleFilter,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[AutoTagRule]:
        sort, key = auto_tag_rules.c.created_at, auto_tag_rules.c.id
        query = (
            select(auto_tag_rules)
            .where(
                *_rules_admitted(filter),
                *window(sort, key, descending=False, after=after, before=before),
            )
            .order_by(*walking_order(sort, key, descending=False, from_end=from_end))
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_rule(row) for row in connection.execute(query)]

    def rule_count(self, filter: RuleFilter) -> int:
        query = select(func.count()).select_from(auto_tag_rules).where(*_rules_admitted(filter))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def rules_by_id(self, ids: Collection[str]) -> Mapping[str, AutoTagRule]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = select(auto_tag_rules).where(auto_tag_rules.c.id.in_(wanted))
        with self._engine.connect() as connection:
            return {row.id: _rule(row) for row in connection.execute(query)}

    def all(self) -> Sequence[TagView]:
        query = select(*_TAG_COLUMNS).order_by(*_BY_NAME)
        with self._engine.connect() as connection:
            return list(_tag_views(connection.execute(query)).values())

    def get_many(self, ids: Iterable[str]) -> Mapping[str, TagView]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = select(*_TAG_COLUMNS).where(tags.c.id.in_(bindparam("ids", expanding=True)))
        with self._engine.connect() as connection:
            return _tag_views(connection.execute(query, {"ids": wanted}))

    def tags_of(self, customer_ids: Iterable[str]) -> Mapping[str, Sequence[TagView]]:
        wanted = sorted(set(customer_ids))
        if not wanted:
            return {}
        query = (
            select(customer_tags.c.customer_id, *_TAG_COLUMNS)
            .join_from(customer_tags, tags, customer_tags.c.tag_id == tags.c.id)
            .where(customer_tags.c.customer_id.in_(bindparam("ids", expanding=True)))
            .order_by(customer_tags.c.customer_id, *_BY_NAME)
        )
        found: dict[str, list[TagView]] = {}
        with self._engine.connect() as connection:
            for row in connection.execute(query, {"ids": wanted}):
                found.setdefault(row[0], []).append(TagView(*row[1:]))
        return found

    def history(self, customer_id: str) -> Sequence[TagChange]:
        query = (
            select(*_HISTORY_COLUMNS)
            .join_from(tag_history, tags, tag_history.c.tag_id == tags.c.id)
            .where(tag_history.c.customer_id == customer_id)
            .order_by(tag_history.c.occurred_at.desc(), tag_history.c.id.desc())
        )
        with self._engine.connect() as connection:
            return [TagChange(**row._mapping) for row in connection.execute(query)]

    def history_counts(self, customer_ids: Collection[str]) -> Mapping[str, int]:
        wanted = sorted(set(customer_ids))
        if not wanted:
            return {}
        query = (
            select(tag_history.c.customer_id, func.count())
            .where(tag_history.c.customer_id.in_(bindparam("ids", expanding=True)))
            .group_by(tag_history.c.customer_id)
        )
        with self._engine.connect() as connection:
            return {row[0]: int(row[1]) for row in connection.execute(query, {"ids": wanted})}

    def newest_history(
        self, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[TagChange]]:
        wanted = sorted(set(customer_ids))
        found: dict[str, list[TagChange]] = {customer_id: [] for customer_id in wanted}
        if not wanted or limit <= 0:
            return found
        position = (
            func.row_number()
            .over(
                partition_by=tag_history.c.customer_id,
                order_by=(tag_history.c.occurred_at.desc(), tag_history.c.id.desc()),
            )
            .label("position")
        )
        ranked = (
            select(*_HISTORY_COLUMNS, position)
            .join_from(tag_history, tags, tag_history.c.tag_id == tags.c.id)
            .where(tag_history.c.customer_id.in_(bindparam("ids", expanding=True)))
            .subquery()
        )
        query = (
            select(*(ranked.c[column.name] for column in _HISTORY_COLUMNS))
            .where(ranked.c.position <= limit)
            .order_by(ranked.c.customer_id, ranked.c.position)
        )
        with self._engine.connect() as connection:
            for row in connection.execute(query, {"ids": wanted}):
                found[row.customer_id].append(TagChange(**row._mapping))
        return found
