"""Lifecycle stages in SQL: stages and history written by hand, read with Core."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from adapters.persistence.tables import (
    customer_stages,
    lifecycle_rules,
    lifecycle_tracks,
    stage_changes,
)
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.upserts import insert_for
from application.errors import StaleVersion
from application.lifecycle.views import StageView
from application.pagination import SortKey
from domain.lifecycle import (
    CustomerLifecycle,
    LifecycleCatalogue,
    RuleTrigger,
    Stage,
    StageAssignment,
    StageChange,
    StageRule,
    Track,
)

CHUNK = 5000
INSERT_CHUNK = 1000
_HISTORY_COLUMNS = (
    stage_changes.c.id,
    stage_changes.c.customer_id,
    stage_changes.c.track,
    stage_changes.c.from_stage,
    stage_changes.c.to_stage,
    stage_changes.c.changed_at,
    stage_changes.c.actor_id,
    stage_changes.c.reason,
    stage_changes.c.rule,
    stage_changes.c.override,
    stage_changes.c.previous_entered_at,
)


def load_catalogue(connection: Connection | Session) -> LifecycleCatalogue:
    tracks = [
        Track(
            key=row.key,
            label=row.label,
            stages=tuple(Stage(stage["key"], stage["label"]) for stage in row.stages),
            transitions=frozenset((source, target) for source, target in row.transitions),
            position=row.position,
            version=row.version,
        )
        for row in connection.execute(select(lifecycle_tracks))
    ]
    rules = [
        StageRule(
            key=row.key,
            track=row.track,
            trigger=RuleTrigger(row.trigger_type),
            to_stage=row.to_stage,
            from_stages=frozenset(row.from_stages) if row.from_stages is not None else None,
            days=row.days,
            priority=row.priority,
            enabled=row.enabled,
            version=row.version,
        )
        for row in connection.execute(select(lifecycle_rules))
    ]
    return LifecycleCatalogue.of(tracks, rules)


def track_row(track: Track) -> dict[str, Any]:
    return {
        "key": track.key,
        "label": track.label,
        "position": track.position,
        "stages": [{"key": stage.key, "label": stage.label} for stage in track.stages],
        "transitions": [list(move) for move in sorted(track.transitions)],
        "version": track.version,
    }


def rule_row(rule: StageRule) -> dict[str, Any]:
    return {
        "key": rule.key,
        "track": rule.track,
        "trigger_type": rule.trigger.value,
        "to_stage": rule.to_stage,
        "from_stages": sorted(rule.from_stages) if rule.from_stages is not None else None,
        "days": rule.days,
        "priority": rule.priority,
        "enabled": rule.enabled,
        "version": rule.version,
    }


def change_row(change: StageChange) -> dict[str, Any]:
    return {column.name: getattr(change, column.name) for column in _HISTORY_COLUMNS}


def _stages_of(
    connection: Connection | Session, customer_ids: Sequence[str]
) -> dict[str, dict[str, StageAssignment]]:
    found: dict[str, dict[str, StageAssignment]] = {cid: {} for cid in customer_ids}
    for start in range(0, len(customer_ids), CHUNK):
        query = select(customer_stages).where(
            customer_stages.c.customer_id.in_(customer_ids[start : start + CHUNK])
        )
        for row in connection.execute(query):
            found[row.customer_id][row.track] = StageAssignment(row.stage, row.entered_at)
    return found


class SqlLifecycleRepository:
    """Tracks what it hands out; ``flush`` writes stages (checked against what was loaded,
    so a concurrent change is a ``StaleVersion``) and appends the new history."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self.seen: dict[str, CustomerLifecycle] = {}
        self._loaded: dict[str, dict[str, StageAssignment]] = {}
        self._catalogue: LifecycleCatalogue | None = None
        transaction.writes(self)

    def catalogue(self) -> LifecycleCatalogue:
        if self._catalogue is None:
            self._catalogue = load_catalogue(self._session)
        return self._catalogue

    def save_track(self, track: Track) -> None:
        self._upsert(lifecycle_tracks, track_row(track))

    def save_rule(self, rule: StageRule) -> None:
        self._upsert(lifecycle_rules, rule_row(rule))

    def _upsert(self, table: Table, row: dict[str, Any]) -> None:
        insert = insert_for(self._session, table)
        self._session.execute(
            insert.values(row).on_conflict_do_update(
                index_elements=[table.c.key],
                set_={name: insert.excluded[name] for name in row if name != "key"},
            )
        )
        self._catalogue = None

    def stages_in_use(self, track: str) -> set[str]:
        query = select(customer_stages.c.stage).where(customer_stages.c.track == track).distinct()
        return set(self._session.scalars(query))

    def get_many(self, customer_ids: Collection[str]) -> Mapping[str, CustomerLifecycle]:
        missing = [cid for cid in dict.fromkeys(customer_ids) if cid not in self.seen]
        if missing:
            for customer_id, stages in _stages_of(self._session, missing).items():
                self._loaded[customer_id] = dict(stages)
                lifecycle = CustomerLifecycle(customer_id, stages)
                self.seen[customer_id] = self._transaction.saw(lifecycle)
        return {customer_id: self.seen[customer_id] for customer_id in customer_ids}

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        duplicates = sorted(set(duplicate_ids) - {survivor_id})
        if not duplicates:
            return 0
        loaded = self.get_many([survivor_id, *duplicates])
        loaded[survivor_id].absorb(loaded[d] for d in duplicates)
        self.flush()
        result = self._session.execute(
            update(stage_changes)
            .where(stage_changes.c.customer_id.in_(duplicates))
            .values(customer_id=survivor_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def flush(self) -> None:
        # Customers added in this transaction must be there before their stages.
        self._session.flush()
        entered: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for customer_id, lifecycle in self.seen.items():
            loaded = self._loaded[customer_id]
            if lifecycle.stages != loaded:
                self._rewrite_stages(customer_id, loaded, lifecycle.stages)
                entered.extend(
                    {"customer_id": customer_id, "track": track, **_assignment(now)}
                    for track, now in lifecycle.stages.items()
                    if track not in loaded
                )
                self._loaded[customer_id] = dict(lifecycle.stages)
            changes.extend(change_row(change) for change in lifecycle.changes)
            lifecycle.changes.clear()
        for start in range(0, len(entered), INSERT_CHUNK):
            rows = entered[start : start + INSERT_CHUNK]
            upsert = (
                insert_for(self._session, customer_stages)
                .values(rows)
                .on_conflict_do_nothing()
                .returning(customer_stages.c.track)
            )
            # A row missing: another transaction put that customer on that track first.
            if len(self._session.execute(upsert).all()) != len(rows):
                raise StaleVersion()
        if changes:
            self._session.execute(insert(stage_changes), changes)

    def _rewrite_stages(
        self,
        customer_id: str,
        loaded: Mapping[str, StageAssignment],
        current: Mapping[str, StageAssignment],
    ) -> None:
        """Update or delete the stages loaded, each only if still as loaded."""
        for track, was in loaded.items():
            now = current.get(track)
            if now == was:
                continue
            same_row = and_(
                customer_stages.c.customer_id == customer_id,
                customer_stages.c.track == track,
                customer_stages.c.stage == was.stage,
                customer_stages.c.entered_at == was.entered_at,
            )
            statement = (
                delete(customer_stages).where(same_row)
                if now is None
                else update(customer_stages).where(same_row).values(**_assignment(now))
            )
            if self._session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion()


def _assignment(assignment: StageAssignment) -> dict[str, Any]:
    return {"stage": assignment.stage, "entered_at": assignment.entered_at}


class SqlLifecycleReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def catalogue(self) -> LifecycleCatalogue:
        with self._engine.connect() as connection:
            return load_catalogue(connection)

    def stages_of(self, customer_ids: Collection[str]) -> Mapping[str, Sequence[StageView]]:
        wanted = list(dict.fromkeys(customer_ids))
        with self._engine.connect() as connection:
            found = _stages_of(connection, wanted)
        return {
            customer_id: [
                StageView(customer_id, track, assignment.stage, assignment.entered_at)
                for track, assignment in sorted(found[customer_id].items())
            ]
            for customer_id in wanted
        }

    def history(
        self,
        customer_id: str,
        *,
        after: SortKey | None,
        limit: int,
        before: SortKey | None = None,
        oldest_first: bool = False,
    ) -> Sequence[StageChange]:
        position = tuple_(stage_changes.c.changed_at, stage_changes.c.id)

        def bound(key: SortKey) -> Any:
            return tuple_(
                bindparam(None, key.value, type_=stage_changes.c.changed_at.type),
                bindparam(None, key.id, type_=stage_changes.c.id.type),
            )

        query = select(*_HISTORY_COLUMNS).where(stage_changes.c.customer_id == customer_id)
        if after is not None:
            query = query.where(position < bound(after))
        if before is not None:
            query = query.where(position > bound(before))
        if oldest_first:
            query = query.order_by(stage_changes.c.changed_at, stage_changes.c.id)
        else:
            query = query.order_by(stage_changes.c.changed_at.desc(), stage_changes.c.id.desc())
        with self._engine.connect() as connection:
            rows = connection.execute(query.limit(limit))
            return [StageChange(**row._mapping) for row in rows]

    def history_counts(self, customer_ids: Collection[str]) -> Mapping[str, int]:
        wanted = sorted(set(customer_ids))
        if not wanted:
            return {}
        query = (
            select(stage_changes.c.customer_id, func.count())
            .where(stage_changes.c.customer_id.in_(bindparam("ids", expanding=True)))
            .group_by(stage_changes.c.customer_id)
        )
        with self._engine.connect() as connection:
            return {row[0]: int(row[1]) for row in connection.execute(query, {"ids": wanted})}

    def newest_of(
        self, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[StageChange]]:
        wanted = sorted(set(customer_ids))
        found: dict[str, list[StageChange]] = {customer_id: [] for customer_id in wanted}
        if not wanted or limit <= 0:
            return found
        position = (
            func.row_number()
            .over(
                partition_by=stage_changes.c.customer_id,
                order_by=(stage_changes.c.changed_at.desc(), stage_changes.c.id.desc()),
            )
            .label("position")
        )
        ranked = (
            select(*_HISTORY_COLUMNS, position)
            .where(stage_changes.c.customer_id.in_(bindparam("ids", expanding=True)))
            .subquery()
        )
        query = (
            select(*(ranked.c[column.name] for column in _HISTORY_COLUMNS))
            .where(ranked.c.position <= limit)
            .order_by(ranked.c.customer_id, ranked.c.position)
        )
        with self._engine.connect() as connection:
            for row in connection.execute(query, {"ids": wanted}):
                found[row.customer_id].append(StageChange(**row._mapping))
        return found
