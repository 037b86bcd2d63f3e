"""Message templates on SQL: ``uow.templates`` in the unit of work's session, every version
kept for the messages made from it, and the reader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Engine,
    Row,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from adapters.persistence.keyset import walking_order, window
from adapters.persistence.template_tables import message_template_versions, message_templates
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.transaction import repository
from application.campaigns.template_ports import TemplateVersion, TemplateView
from application.errors import AlreadyTaken, StaleVersion
from application.pagination import SortKey
from domain.campaigns.channels import Channel
from domain.campaigns.templates import (
    Template,
    TemplateContent,
    name_key,
)

_TAKEN = "another template has this name"


def _template(row: Row[Any]) -> Template:
    return Template(
        id=row.id,
        name=row.name,
        channel=Channel(row.channel),
        subject=row.subject,
        html=row.html,
        text=row.text,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        archived_at=row.archived_at,
    )


def _values(template: Template) -> dict[str, Any]:
    return {
        "name": template.name,
        "name_key": name_key(template.name),
        "channel": template.channel.value,
        "subject": template.subject,
        "html": template.html,
        "text": template.text,
        "version": template.version,
        "updated_at": template.updated_at,
        "archived_at": template.archived_at,
    }


def _version_row(template: Template) -> dict[str, Any]:
    return {
        "template_id": template.id,
        "version": template.version,
        "subject": template.subject,
        "html": template.html,
        "text": template.text,
        "saved_at": template.updated_at,
    }


class SqlTemplateRepository:
    """``uow.templates``: added templates are written at once; those loaded are saved on
    flush with a new version row, refused as stale when another change got there first."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._seen: dict[str, Template] = {}
        self._written: dict[str, int] = {}
        transaction.writes(self)

    def _track(self, template: Template) -> Template:
        template = self._transaction.saw(self._seen.setdefault(template.id, template))
        self._written.setdefault(template.id, template.version)
        return template

    def add(self, template: Template) -> None:
        try:
            with self._session.begin_nested():
                self._session.execute(
                    insert(message_templates).values(
                        id=template.id, created_at=template.created_at, **_values(template)
                    )
                )
                self._session.execute(
                    insert(message_template_versions).values(_version_row(template))
                )
        except IntegrityError as error:
            raise AlreadyTaken("name", _TAKEN) from error
        self._track(template)

    def get(self, template_id: str) -> Template | None:
        if template_id in self._seen:
            return self._seen[template_id]
        query = select(message_templates).where(message_templates.c.id == template_id)
        row = self._session.execute(query).first()
        return None if row is None else self._track(_template(row))

    def by_name(self, name: str) -> Template | None:
        self.flush()
        query = select(message_templates).where(message_templates.c.name_key == name_key(name))
        row = self._session.execute(query).first()
        return None if row is None else self._track(_template(row))

    def flush(self) -> None:
        for template in self._seen.values():
            written = self._written[template.id]
            if template.version == written:
                continue
            try:
                with self._session.begin_nested():
                    changed = self._session.execute(
                        update(message_templates)
                        .where(
                            message_templates.c.id == template.id,
                            message_templates.c.version == written,
                        )
                        .values(**_values(template))
                    )
                    if changed.rowcount != 1:  # type: ignore[attr-defined]
                        raise StaleVersion(written)
                    self._session.execute(
                        insert(message_template_versions).values(_version_row(template))
                    )
            except IntegrityError as error:
                raise AlreadyTaken("name", _TAKEN) from error
            self._written[template.id] = template.version


class SqlTemplatesUnitOfWork(SqlUnitOfWork):
    templates = repository(SqlTemplateRepository)


def _view(row: Row[Any]) -> TemplateView:
    return TemplateView.of(_template(row))


class SqlTemplateReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, template_id: str) -> TemplateView | None:
        query = select(message_templates).where(message_templates.c.id == template_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _view(row)

    def version(self, template_id: str, version: int) -> TemplateVersion | None:
        versions = message_template_versions
        query = (
            select(versions, message_templates.c.channel)
            .join(message_templates, message_templates.c.id == versions.c.template_id)
            .where(versions.c.template_id == template_id, versions.c.version == version)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return TemplateVersion(
            template_id=row.template_id,
            version=row.version,
            channel=Channel(row.channel),
            content=TemplateContent(subject=row.subject, html=row.html, text=row.text),
        )

    def slice(
        self,
        *,
        include_archived: bool,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[TemplateView]:
        table = message_templates
        conditions = window(
            table.c.name_key, table.c.id, descending=False, after=after, before=before
        )
        if not include_archived:
            conditions.append(table.c.archived_at.is_(None))
        query = (
            select(table)
            .where(*conditions)
            .order_by(
                *walking_order(table.c.name_key, table.c.id, descending=False, from_end=from_end)
            )
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def count(self, *, include_archived: bool) -> int:
        query = select(func.count()).select_from(message_templates)
        if not include_archived:
            query = query.where(message_templates.c.archived_at.is_(None))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
