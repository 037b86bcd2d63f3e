"""Message templates through the API: saved checked (errors with their line), previewed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from adapters.graphql.channels import ChannelEnum, api_channel, channel_of
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import CUSTOMER, TEMPLATE
from application.campaigns.template_ports import TemplateView
from application.campaigns.templates import RenderedMessage, Templates
from application.pagination import PageRequest
from domain.access.roles import Permission
from domain.changes import KEEP

_VARIABLES = (
    "Jinja2 syntax over the variables of the README's Templates section "
    "(`{{ customer.first_name }}`, `{% if company.name %}`); checked when saved."
)


@strawberry.type(name="Template", description="A message template for one channel.")
class TemplateNode(Node):
    name: str = strawberry.field(description="Unique among templates, case aside.")
    channel: ChannelEnum = strawberry.field(description="The channel its messages go out on.")
    subject: str = strawberry.field(description="The email subject; empty for SMS and webhooks.")
    html: str = strawberry.field(description="The HTML body; empty when the email has none.")
    text: str = strawberry.field(description="The text body.")
    version: int = strawberry.field(
        description="Grows with every change; messages name the version they were made from, "
        "and updateTemplate takes the version read."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    archived_at: datetime | None = strawberry.field(
        description="When it was archived; null while it is in use."
    )

    @classmethod
    def from_view(cls, view: TemplateView) -> TemplateNode:
        return cls(
            id=strawberry.ID(to_global_id(TEMPLATE, view.id)),
            name=view.name,
            channel=api_channel(view.channel),
            subject=view.subject,
            html=view.html,
            text=view.text,
            version=view.version,
            created_at=view.created_at,
            updated_at=view.updated_at,
            archived_at=view.archived_at,
        )


@strawberry.type(name="TemplateEdge", description="One template of a page.")
class TemplateEdge(Edge[TemplateNode]):
    pass


@strawberry.type(name="TemplateConnection", description="A page of templates, by name.")
class TemplateConnection(Connection[TemplateNode]):
    edges: list[TemplateEdge] = strawberry.field(  # type: ignore[assignment]
        description="The templates of this page, by name."
    )
    edge_type = TemplateEdge
    include_archived: strawberry.Private[bool]

    @strawberry.field(description="How many templates the list holds.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Templates).read.count(
            context.principal, include_archived=self.include_archived
        )


@strawberry.type(description="A template rendered for one customer.")
class RenderedTemplate:
    subject: str = strawberry.field(description="The subject; empty for SMS and webhooks.")
    html: str = strawberry.field(description="The HTML body, values escaped; empty if none.")
    text: str = strawberry.field(description="The text body.")
    version: int = strawberry.field(description="The version of the template rendered.")

    @classmethod
    def of(cls, rendered: RenderedMessage) -> RenderedTemplate:
        return cls(
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            version=rendered.version,
        )


def fetch_template(info: Info, template_id: str) -> TemplateNode | None:
    context = info.context
    view = context.services.use(Templates).read.get(context.principal, template_id)
    return TemplateNode.from_view(view) if view is not None else None


_TEMPLATE_ID = "The global id of the template."


@strawberry.input(description="A new template; what it may not hold is refused, with the line.")
class CreateTemplateInput:
    name: str = strawberry.field(description="Unique among templates, at most 100 characters.")
    channel: ChannelEnum = strawberry.field(description="The channel its messages go out on.")
    subject: str = strawberry.field(
        default="", description=f"The email subject, one line. {_VARIABLES}"
    )
    html: str = strawberry.field(
        default="", description=f"The HTML body of an email; values are escaped. {_VARIABLES}"
    )
    text: str = strawberry.field(
        default="",
        description=f"The text body: an email needs it or html, SMS and webhooks need it. "
        f"{_VARIABLES}",
    )


@strawberry.input(description="A new version of a template; what is left out stays.")
class UpdateTemplateInput:
    id: strawberry.ID = strawberry.field(description=_TEMPLATE_ID)
    version: int = strawberry.field(
        description="The version read; a template changed since is refused, STALE_VERSION."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Cannot be null.")
    subject: str | None = strawberry.field(
        default=strawberry.UNSET, description="The email subject; null clears it."
    )
    html: str | None = strawberry.field(
        default=strawberry.UNSET, description="The HTML body; null clears it."
    )
    text: str | None = strawberry.field(
        default=strawberry.UNSET, description="The text body; null clears it."
    )


@strawberry.input(description="The template to archive.")
class ArchiveTemplateInput:
    id: strawberry.ID = strawberry.field(description=_TEMPLATE_ID)


_ERRORS = "Why nothing was done, with the line of a template at fault; empty on success."


@strawberry.type(description="The result of createTemplate.")
class CreateTemplatePayload:
    template: TemplateNode | None = strawberry.field(
        default=None, description="The new template; null when nothing was saved."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of updateTemplate.")
class UpdateTemplatePayload:
    template: TemplateNode | None = strawberry.field(
        default=None, description="The template's new version; null when nothing changed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of archiveTemplate.")
class ArchiveTemplatePayload:
    template: TemplateNode | None = strawberry.field(
        default=None, description="The archived template; null when nothing changed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


def _template_id(value: strawberry.ID, field: str = "id") -> str:
    return local_id(value, TEMPLATE, field=field)


def _kept(value: Any) -> Any:
    return KEEP if value is strawberry.UNSET else value


@strawberry.type
class TemplateQuery:
    @strawberry.field(description="Message templates by name.", extensions=[QueryErrors()])
    def templates(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many, from the start.")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The cursor the page starts after.")
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="At most this many, from the end.")
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="The cursor the page ends before.")
        ] = None,
        include_archived: Annotated[
            bool, strawberry.argument(description="Archived templates too.")
        ] = False,
    ) -> TemplateConnection:
        context = info.context
        page = context.services.use(Templates).read.list(
            context.principal,
            PageRequest(first, after, last, before),
            include_archived=include_archived,
        )
        return TemplateConnection.from_page(
            page, TemplateNode.from_view, include_archived=include_archived
        )

    @strawberry.field(
        description="One template; null when there is none.", extensions=[QueryErrors()]
    )
    def template(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=_TEMPLATE_ID)],
    ) -> TemplateNode | None:
        return fetch_template(info, _template_id(id))

    @strawberry.field(
        description="The current version of a template rendered for one customer, as they "
        "would get it; the unsubscribe link is a placeholder. NOT_FOUND for a template or "
        "customer there is none of, or one the caller may not see.",
        extensions=[QueryErrors()],
    )
    def preview_template(
        self,
        info: Info,
        template_id: Annotated[strawberry.ID, strawberry.argument(description=_TEMPLATE_ID)],
        customer_id: Annotated[
            strawberry.ID, strawberry.argument(description="The global id of the customer.")
        ],
    ) -> RenderedTemplate:
        context = info.context
        rendered = context.services.use(Templates).preview(
            context.principal,
            _template_id(template_id, "templateId"),
            local_id(customer_id, CUSTOMER, field="customerId"),
        )
        return RenderedTemplate.of(rendered)


@strawberry.type
class TemplateMutation:
    @strawberry.mutation(
        description="Save a new template, checked: syntax errors, unknown variables and "
        "constructs templates may not use are user errors with their line.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def create_template(
        self,
        info: Info,
        input: Annotated[CreateTemplateInput, strawberry.argument(description="The template.")],
    ) -> CreateTemplatePayload:
        view = info.context.services.use(Templates).create(
            info.context.principal,
            name=input.name,
            channel=channel_of(input.channel),
            subject=input.subject,
            html=input.html,
            text=input.text,
        )
        return CreateTemplatePayload(template=TemplateNode.from_view(view))

    @strawberry.mutation(
        description="Save a new version of a template, checked as createTemplate checks.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def update_template(
        self,
        info: Info,
        input: Annotated[UpdateTemplateInput, strawberry.argument(description="What changes.")],
    ) -> UpdateTemplatePayload:
        view = info.context.services.use(Templates).update(
            info.context.principal,
            _template_id(input.id),
            expected_version=input.version,
            name=_kept(input.name) if input.name is not None else KEEP,
            subject=_kept(input.subject),
            html=_kept(input.html),
            text=_kept(input.text),
        )
        return UpdateTemplatePayload(template=TemplateNode.from_view(view))

    @strawberry.mutation(
        description="Archive a template: no longer offered for new messages; those made "
        "from it still go out.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def archive_template(
        self,
        info: Info,
        input: Annotated[ArchiveTemplateInput, strawberry.argument(description="What to archive.")],
    ) -> ArchiveTemplatePayload:
        view = info.context.services.use(Templates).archive(
            info.context.principal, _template_id(input.id)
        )
        return ArchiveTemplatePayload(template=TemplateNode.from_view(view))


PART = SchemaPart(
    queries=(TemplateQuery,),
    mutations=(TemplateMutation,),
    nodes={TEMPLATE: fetch_template},
)
