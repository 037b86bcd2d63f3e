"""Use cases of message templates: save (checked), read, preview for a customer, render."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from attrs import field, frozen

from application.campaigns.template_context import PreviewFacts, render_context
from application.campaigns.template_ports import (
    BY_NAME,
    CompiledTemplate,
    RenderContext,
    TemplateEngine,
    TemplateReader,
    TemplatesUnitOfWorkFactory,
    TemplateVersion,
    TemplateView,
    template_sort_key,
)
from application.custom_fields.ports import CustomFieldDefinitionReader
from application.errors import InvalidInput, NotFound, StaleVersion
from application.pagination import (
    Page,
    PageRequest,
    SortKey,
    SortValue,
    keyset_page,
    read_text,
)
from application.ports import Clock, IdGenerator
from application.principal import Principal
from domain.access.roles import Permission
from domain.campaigns.channels import Channel
from domain.campaigns.templates import Template, TemplateContent, allowed_variables
from domain.changes import KEEP, Keep
from domain.custom_fields import ObjectType
from domain.errors import DomainError, ErrorCode

CACHED_TEMPLATES = 512
"""Compiled versions kept: a campaign renders one version for every recipient."""


@frozen
class RenderedMessage:
    """A template version rendered for one customer: ``html`` is empty when it has none."""

    template_id: str
    version: int
    subject: str
    html: str
    text: str


def _allowed(definitions: CustomFieldDefinitionReader) -> frozenset[str]:
    return allowed_variables(d.key for d in definitions.for_object(ObjectType.CUSTOMER))


def check_content(
    engine: TemplateEngine,
    content: TemplateContent,
    allowed: frozenset[str],
) -> None:
    """Refuse content whose subject or bodies the engine finds a problem in, with every
    problem found and its line."""
    problems = [
        problem
        for name, source, html in (
            ("subject", content.subject, False),
            ("html", content.html, True),
            ("text", content.text, False),
        )
        if source
        for problem in engine.check(source, allowed, field=name, html=html)
    ]
    if problems:
        raise DomainError(problem.as_problem() for problem in problems)


@frozen
class CreateTemplate:
    uow: TemplatesUnitOfWorkFactory
    engine: TemplateEngine
    definitions: CustomFieldDefinitionReader
    clock: Clock
    ids: IdGenerator

    def __call__(
        self,
        actor: Principal,
        *,
        name: str,
        channel: Channel,
        subject: str = "",
        html: str = "",
        text: str = "",
    ) -> TemplateView:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        content = TemplateContent.of(channel, subject=subject, html=html, text=text)
        check_content(self.engine, content, _allowed(self.definitions))
        with self.uow() as uow:
            template = Template.create(
                id=self.ids.new_id(),
                name=name,
                channel=channel,
                content=content,
                at=self.clock.now(),
            )
            if uow.templates.by_name(template.name) is not None:
                raise InvalidInput("name", ErrorCode.TAKEN, "another template has this name")
            uow.templates.add(template)
            uow.commit()
        return TemplateView.of(template)


@frozen
class UpdateTemplate:
    """A new version; what is left out (``KEEP``) stays, ``None`` clears a body."""

    uow: TemplatesUnitOfWorkFactory
    engine: TemplateEngine
    definitions: CustomFieldDefinitionReader
    clock: Clock

    def __call__(
        self,
        actor: Principal,
        template_id: str,
        *,
        expected_version: int,
        name: str | Keep = KEEP,
        subject: str | Keep | None = KEEP,
        html: str | Keep | None = KEEP,
        text: str | Keep | None = KEEP,
    ) -> TemplateView:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        with self.uow() as uow:
            template = uow.templates.get(template_id)
            if template is None:
                raise NotFound("id", "no template has this id")
            if template.version != expected_version:
                raise StaleVersion(expected_version, template.version)

            def given(value: str | Keep | None, current: str) -> str:
                return current if value is KEEP else (value or "")

            content = TemplateContent.of(
                template.channel,
                subject=given(subject, template.subject),
                html=given(html, template.html),
                text=given(text, template.text),
            )
            check_content(self.engine, content, _allowed(self.definitions))
            template.revise(
                name=None if isinstance(name, Keep) else name, content=content, at=self.clock.now()
            )
            other = uow.templates.by_name(template.name)
            if other is not None and other.id != template.id:
                raise InvalidInput("name", ErrorCode.TAKEN, "another template has this name")
            uow.commit()
        return TemplateView.of(template)


@frozen
class ArchiveTemplate:
    uow: TemplatesUnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, template_id: str) -> TemplateView:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        with self.uow() as uow:
            template = uow.templates.get(template_id)
            if template is None:
                raise NotFound("id", "no template has this id")
            template.archive(self.clock.now())
            uow.commit()
        return TemplateView.of(template)


@frozen
class _ByName:
    name: str = BY_NAME

    def key_of(self, view: TemplateView) -> SortKey:
        return template_sort_key(view)

    def read_cursor_value(self, raw: object) -> SortValue:
        return read_text(raw)


@frozen
class ReadTemplates:
    reader: TemplateReader

    def get(self, actor: Principal, template_id: str) -> TemplateView | None:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.get(template_id)

    def list(
        self, actor: Principal, page: PageRequest, *, include_archived: bool = False
    ) -> Page[TemplateView]:
        """Templates by name; archived ones only when asked for."""
        actor.require(Permission.READ_CAMPAIGNS)

        def slice_of(
            *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
        ) -> Sequence[TemplateView]:
            return self.reader.slice(
                include_archived=include_archived,
                after=after,
                before=before,
                limit=limit,
                from_end=from_end,
            )

        return keyset_page(page, _ByName(), slice_of)

    def count(self, actor: Principal, *, include_archived: bool = False) -> int:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.count(include_archived=include_archived)


@frozen
class CompiledTemplates:
    """Compiled template versions, by (template id, version, part): a version never
    changes, so what was compiled once serves every message made from it."""

    engine: TemplateEngine
    size: int = CACHED_TEMPLATES
    _compiled: OrderedDict[tuple[str, int, str], CompiledTemplate] = field(
        factory=OrderedDict, init=False
    )
    _lock: threading.Lock = field(factory=threading.Lock, init=False)

    def render(self, version: TemplateVersion, context: RenderContext) -> RenderedMessage:
        content = version.content

        def part(name: str, source: str, html: bool) -> str:
            if not source:
                return ""
            return self._compiled_part(version, name, source, html).render(context)

        return RenderedMessage(
            template_id=version.template_id,
            version=version.version,
            subject=part("subject", content.subject, False),
            html=part("html", content.html, True),
            text=part("text", content.text, False),
        )

    def _compiled_part(
        self, version: TemplateVersion, name: str, source: str, html: bool
    ) -> CompiledTemplate:
        key = (version.template_id, version.version, name)
        with self._lock:
            found = self._compiled.get(key)
            if found is not None:
                self._compiled.move_to_end(key)
                return found
        compiled = self.engine.compile(source, html=html)
        with self._lock:
            self._compiled[key] = compiled
            while len(self._compiled) > self.size:
                self._compiled.popitem(last=False)
        return compiled


@frozen
class RenderMessage:
    """What the sending pipeline calls: a version of a template, rendered with a context
    it prepared (``render_context``). Archived templates still render: a message made
    before the archive goes out as it was made."""

    reader: TemplateReader
    compiled: CompiledTemplates

    def __call__(
        self, actor: Principal, template_id: str, version: int, context: RenderContext
    ) -> RenderedMessage:
        actor.require(Permission.READ_CAMPAIGNS)
        found = self.reader.version(template_id, version)
        if found is None:
            raise NotFound("templateId", "no template has this id and version")
        return self.compiled.render(found, context)


PreviewSource = Callable[[Principal, str], PreviewFacts | None]
"""The customer, their company and last order as ``actor`` may see them; ``None`` when
the customer is not one they see."""


PREVIEW_UNSUBSCRIBE_URL = "#unsubscribe"
"""What ``unsubscribe_url`` is in a preview: never a working link, so whoever previews
cannot unsubscribe the customer by trying it."""


@frozen
class PreviewTemplate:
    """The current version of a template rendered for one customer the actor sees."""

    reader: TemplateReader
    compiled: CompiledTemplates
    facts: PreviewSource

    def __call__(self, actor: Principal, template_id: str, customer_id: str) -> RenderedMessage:
        actor.require(Permission.READ_CAMPAIGNS)
        template = self.reader.get(template_id)
        version = template and self.reader.version(template.id, template.version)
        if not version:
            raise NotFound("templateId", "no template has this id")
        found = self.facts(actor, customer_id)
        if found is None:
            raise NotFound("customerId", "no customer has this id")
        context = render_context(
            found.customer,
            company=found.company,
            last_order=found.last_order,
            unsubscribe_url=PREVIEW_UNSUBSCRIBE_URL,
        )
        return self.compiled.render(version, context)


@frozen(kw_only=True)
class Templates:
    """The message templates' use cases, as one bundle."""

    create: CreateTemplate
    update: UpdateTemplate
    archive: ArchiveTemplate
    read: ReadTemplates
    preview: PreviewTemplate
    render: RenderMessage


__all__ = [
    "ArchiveTemplate",
    "CompiledTemplates",
    "CreateTemplate",
    "PreviewTemplate",
    "ReadTemplates",
    "RenderMessage",
    "RenderedMessage",
    "Templates",
    "UpdateTemplate",
    "check_content",
    "render_context",
]
