"""Message templates in memory, with the transaction semantics of the SQL adapter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from application.campaigns.template_ports import (
    BY_NAME,
    TemplateVersion,
    TemplateView,
    template_sort_key,
)
from application.errors import AlreadyTaken
from application.pagination import MemoryOrder, SortKey, read_text, slice_in_memory
from application.ports import EventPublisher
from domain.campaigns.templates import Template, name_key

_TAKEN = "another template has this name"


class InMemoryTemplateShelf:
    """The committed templates and every version saved, read and written under the
    store's lock. Templates are about no one, so the store's privacy list need not know."""

    def __init__(self, store: InMemoryStore) -> None:
        self.lock = store.lock
        self.templates: dict[str, Template] = {}
        self.versions: dict[tuple[str, int], TemplateVersion] = {}


class InMemoryTemplateRepository:
    def __init__(self, transaction: InMemoryTransaction, shelf: InMemoryTemplateShelf) -> None:
        self._shelf = shelf
        self.staged = Staged(transaction, shelf.templates)
        transaction.checks(self._check_names)
        transaction.stages(write_back=self._keep_versions, clear=lambda: None)

    def add(self, template: Template) -> None:
        self.staged.add(template)

    def get(self, template_id: str) -> Template | None:
        return self.staged.get(template_id)

    def by_name(self, name: str) -> Template | None:
        wanted = name_key(name)
        for template in self.staged.seen.values():
            if name_key(template.name) == wanted:
                return template
        with self._shelf.lock:
            found = [t.id for t in self._shelf.templates.values() if name_key(t.name) == wanted]
        loaded = (self.get(template_id) for template_id in found)
        return next((t for t in loaded if t is not None and name_key(t.name) == wanted), None)

    def _check_names(self) -> None:
        """Under the store's lock, before anything is written: names stay unique."""
        mine = self.staged.seen
        names = {name_key(t.name): t.id for t in self._shelf.templates.values() if t.id not in mine}
        for template in mine.values():
            if names.setdefault(name_key(template.name), template.id) != template.id:
                raise AlreadyTaken("name", _TAKEN)

    def _keep_versions(self) -> None:
        for template in self.staged.seen.values():
            key = (template.id, template.version)
            self._shelf.versions.setdefault(
                key,
                TemplateVersion(template.id, template.version, template.channel, template.content),
            )


class InMemoryTemplatesUnitOfWork(InMemoryUnitOfWork):
    def __init__(
        self, store: InMemoryStore, publisher: EventPublisher, shelf: InMemoryTemplateShelf
    ) -> None:
        super().__init__(store, publisher)
        self._shelf = shelf

    @property
    def templates(self) -> InMemoryTemplateRepository:
        # Built from this transaction when first used, as ``repository`` builds the rest.
        built = self.transaction.repositories
        if "templates" not in built:
            built["templates"] = InMemoryTemplateRepository(self.transaction, self._shelf)
        return cast(InMemoryTemplateRepository, built["templates"])


_ORDER: MemoryOrder[TemplateView] = MemoryOrder(
    name=BY_NAME,
    value_of=lambda view: template_sort_key(view).value,
    id_of=lambda view: view.id,
    read=read_text,
)


class InMemoryTemplateReader:
    def __init__(self, shelf: InMemoryTemplateShelf) -> None:
        self._shelf = shelf

    def get(self, template_id: str) -> TemplateView | None:
        with self._shelf.lock:
            template = self._shelf.templates.get(template_id)
            return None if template is None else TemplateView.of(template)

    def version(self, template_id: str, version: int) -> TemplateVersion | None:
        with self._shelf.lock:
            return self._shelf.versions.get((template_id, version))

    def _views(self, include_archived: bool) -> list[TemplateView]:
        with self._shelf.lock:
            return [
                TemplateView.of(t)
                for t in self._shelf.templates.values()
                if include_archived or t.archived_at is None
            ]

    def slice(
        self,
        *,
        include_archived: bool,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[TemplateView]:
        return slice_in_memory(
            self._views(include_archived),
            _ORDER,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def count(self, *, include_archived: bool) -> int:
        return len(self._views(include_archived))
