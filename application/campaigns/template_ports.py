"""What the template use cases need: storage of templates and their versions, and an engine."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.pagination import SortKey
from application.unit_of_work import UnitOfWork
from domain.campaigns.channels import Channel
from domain.campaigns.templates import Template, TemplateContent, name_key
from domain.errors import ErrorCode, Problem

RenderContext = Mapping[str, str]
"""The values a message is rendered with, by variable path (``customer.first_name``)."""


@frozen
class TemplateProblem:
    """One thing wrong with a template's source: ``field`` is ``subject``, ``html`` or
    ``text``; ``line`` counts from 1, ``None`` when no line is to blame."""

    field: str
    line: int | None
    message: str
    code: ErrorCode

    def as_problem(self) -> Problem:
        where = f"line {self.line}: " if self.line is not None else ""
        return Problem(self.field, self.code, f"{where}{self.message}", line=self.line)


class CompiledTemplate(Protocol):
    def render(self, context: RenderContext) -> str:
        """The text for ``context``; a variable with no value renders as an empty string."""
        ...


class TemplateEngine(Protocol):
    """Parses, checks and compiles template source (Jinja2's sandbox is the adapter)."""

    def check(
        self, source: str, allowed: Collection[str], *, field: str, html: bool
    ) -> list[TemplateProblem]:
        """Every problem with ``source``: syntax errors, variables outside ``allowed``,
        constructs templates may not use. Empty when it may be saved."""
        ...

    def compile(self, source: str, *, html: bool) -> CompiledTemplate:
        """``source``, checked before, ready to render; ``html`` escapes what it inserts."""
        ...


@frozen
class TemplateView:
    id: str
    name: str
    channel: Channel
    subject: str
    html: str
    text: str
    version: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None

    @classmethod
    def of(cls, template: Template) -> TemplateView:
        return cls(
            id=template.id,
            name=template.name,
            channel=template.channel,
            subject=template.subject,
            html=template.html,
            text=template.text,
            version=template.version,
            created_at=template.created_at,
            updated_at=template.updated_at,
            archived_at=template.archived_at,
        )


BY_NAME = "templates.by_name"
"""The one ordering of template lists: by name, case aside, then id."""


def template_sort_key(view: TemplateView) -> SortKey:
    return SortKey(name_key(view.name), view.id)


@frozen
class TemplateVersion:
    """The content of one version of a template, as a message made from it renders."""

    template_id: str
    version: int
    channel: Channel
    content: TemplateContent


class TemplateRepository(Protocol):
    def add(self, template: Template) -> None: ...

    def get(self, template_id: str) -> Template | None: ...

    def by_name(self, name: str) -> Template | None:
        """The template whose name is this one, case and accents aside."""
        ...


class TemplatesUnitOfWork(UnitOfWork, Protocol):
    @property
    def templates(self) -> TemplateRepository: ...


class TemplatesUnitOfWorkFactory(Protocol):
    def __call__(self) -> TemplatesUnitOfWork: ...


class TemplateReader(Protocol):
    def get(self, template_id: str) -> TemplateView | None: ...

    def version(self, template_id: str, version: int) -> TemplateVersion | None:
        """The content a version had; every version of a template is kept."""
        ...

    def slice(
        self,
        *,
        include_archived: bool,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[TemplateView]:
        """Templates by name then id, strictly between ``after`` and ``before``."""
        ...

    def count(self, *, include_archived: bool) -> int: ...
