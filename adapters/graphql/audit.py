"""The audit log over GraphQL: read by admins, written by every mutation and refused login,
never by a mutation of its own."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import FieldExtension
from strawberry.scalars import JSON
from strawberry.types import Info as StrawberryInfo

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import MalformedId, from_global_id, local_id, to_global_id
from adapters.graphql.sales_args import After, Before, First, Last, page_request
from adapters.graphql.type_names import USER
from application.audit.bundle import Audit
from application.audit.context import AuditContext, in_request
from application.audit.ports import AuditFilter
from application.audit.trail import ANONYMOUS
from application.principal import SYSTEM_ACTOR_ID
from domain.access.api_key import split_token
from domain.audit import AuditEntry, FieldChange, Outcome
from domain.errors import DomainError, ErrorCode

log = logging.getLogger("rapport.audit")

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


@strawberry.enum(name="AuditOutcome", description="How an audited operation ended.")
class AuditOutcomeValue(Enum):
    SUCCEEDED = strawberry.enum_value("succeeded", description="It did its work.")
    REFUSED = strawberry.enum_value(
        "refused",
        description="Bad input, a missing permission or a refused credential; nothing changed.",
    )
    FAILED = strawberry.enum_value("failed", description="An unexpected error; nothing changed.")


@strawberry.enum(name="AuditActorKind", description="Who acted in an audited operation.")
class AuditActorKind(Enum):
    USER = strawberry.enum_value("user", description="A user, through one of their API keys.")
    SYSTEM = strawberry.enum_value("system", description="Rapport itself: a job, the CLI.")
    ANONYMOUS = strawberry.enum_value(
        "anonymous", description="A caller whose credential was refused."
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(name="AuditChange", description="One field of a record, before and after.")
class AuditChange:
    field: str = strawberry.field(
        description="The field as the API names it (`lastName`, `stageId`)."
    )
    before: JSON | None = strawberry.field(
        description="Its value before, as JSON; null when it had none. `[redacted]` once the "
        "person was erased, `[hidden]` for secrets."
    )
    after: JSON | None = strawberry.field(
        description="Its value after, as JSON; null when it has none."
    )

    @classmethod
    def of(cls, change: FieldChange) -> AuditChange:
        return cls(field=_camel(change.field), before=change.before, after=change.after)


@strawberry.type(
    name="AuditEntry",
    description="What one operation did to one record, or, with no record, what it attempted.",
)
class AuditEntryNode:
    entry: strawberry.Private[AuditEntry]

    @strawberry.field(description="The entry's id, unique in the log.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.entry.id)

    @strawberry.field(description="When the operation ran.")
    def occurred_at(self) -> datetime:
        return self.entry.occurred_at

    @strawberry.field(description="Whether a user, Rapport itself or an unknown caller acted.")
    def actor_kind(self) -> AuditActorKind:
        if self.entry.actor_id == SYSTEM_ACTOR_ID:
            return AuditActorKind.SYSTEM
        if self.entry.actor_id == ANONYMOUS:
            return AuditActorKind.ANONYMOUS
        return AuditActorKind.USER

    @strawberry.field(description="The user who acted; null unless `actorKind` is `USER`.")
    async def actor(self, info: Info) -> UserNode | None:
        if self.actor_kind() is not AuditActorKind.USER:
            return None
        return await load_user(info, self.entry.actor_id)

    @strawberry.field(description="The API key the request came with, by its local id.")
    def api_key_id(self) -> str | None:
        return self.entry.api_key_id

    @strawberry.field(
        description="The request it ran in: the caller's `X-Request-Id`, or the one the "
        "response answered with."
    )
    def request_id(self) -> str | None:
        return self.entry.request_id

    @strawberry.field(
        description="What ran: the mutation (`updateCustomer`), or `login_failed`, `cli:…`."
    )
    def operation(self) -> str:
        return self.entry.operation

    @strawberry.field(description="How it ended.")
    def outcome(self) -> AuditOutcomeValue:
        return AuditOutcomeValue(self.entry.outcome.value)

    @strawberry.field(
        description="Why it was refused or failed (`FORBIDDEN`, `STALE_VERSION`, "
        "`UNKNOWN_KEY`, `INTERNAL`); empty when it succeeded."
    )
    def error_codes(self) -> list[str]:
        return list(self.entry.error_codes)

    @strawberry.field(description="The kind of record (`Customer`, `Opportunity`); null for none.")
    def object_type(self) -> str | None:
        return self.entry.object_type

    @strawberry.field(description="The global id of the record; null when it is about none.")
    def object_id(self) -> strawberry.ID | None:
        entry = self.entry
        if entry.object_type is None or entry.object_id is None:
            return None
        return strawberry.ID(to_global_id(entry.object_type, entry.object_id))

    @strawberry.field(
        description="The fields it changed, before and after; empty for a creation or refusal."
    )
    def changes(self) -> list[AuditChange]:
        return [AuditChange.of(change) for change in self.entry.changes]

    @strawberry.field(
        description="The event types the record recorded (`rapport.customer.created.v1`)."
    )
    def events(self) -> list[str]:
        return list(self.entry.events)


@strawberry.type(name="AuditEntryEdge", description="One audit entry in a list, with its cursor.")
class AuditEntryEdge(Edge[AuditEntryNode]):
    pass


@strawberry.type(name="AuditEntryConnection", description="A page of the audit log.")
class AuditEntryConnection(Connection[AuditEntryNode]):
    edges: list[AuditEntryEdge] = strawberry.field(  # type: ignore[assignment]
        description="The entries of this page, newest first."
    )
    edge_type = AuditEntryEdge
    where: strawberry.Private[AuditFilter]

    @strawberry.field(description="How many entries match the filter.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Audit).read.count(context.principal, self.where)


@strawberry.input(
    name="AuditLogFilter", description="Which entries the audit log lists; all must hold."
)
class AuditLogFilterInput:
    object_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only entries about the record with this global id."
    )
    object_type: str | None = strawberry.field(
        default=None, description="Only entries about records of this kind (`Customer`)."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only what the user with this global id did."
    )
    operation: str | None = strawberry.field(
        default=None, description="Only this operation (`updateCustomer`, `login_failed`)."
    )
    occurred_after: datetime | None = strawberry.field(
        default=None, description="Only entries after this moment."
    )
    occurred_before: datetime | None = strawberry.field(
        default=None, description="Only entries before this moment."
    )

    def to_filter(self) -> AuditFilter:
        object_id = None
        if self.object_id is not None:
            try:
                _type_name, object_id = from_global_id(self.object_id)
            except MalformedId:
                raise MalformedId(self.object_id, field="filter.objectId") from None
        return AuditFilter(
            object_id=object_id,
            object_type=self.object_type,
            actor_id=None
            if self.actor_id is None
            else local_id(self.actor_id, USER, field="filter.actorId"),
            operation=self.operation,
            occurred_after=self.occurred_after,
            occurred_before=self.occurred_before,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Who changed, exported, merged or erased what, and who was refused, "
        "newest first. Needs the `audit:read` permission (admins).",
        extensions=[QueryErrors()],
    )
    def audit_log(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            AuditLogFilterInput | None,
            strawberry.argument(description="Which entries to list; all of them by default."),
        ] = None,
    ) -> AuditEntryConnection:
        where = filter.to_filter() if filter is not None else AuditFilter()
        page = info.context.services.use(Audit).read(
            info.context.principal, where, page_request(first, after, last, before)
        )
        return AuditEntryConnection.from_page(
            page, lambda entry: AuditEntryNode(entry=entry), where=where
        )


def _subject(kwargs: dict[str, Any]) -> tuple[str, str] | None:
    """The record a mutation's input names by ``id``, if it names one."""
    given = getattr(kwargs.get("input"), "id", None)
    if not isinstance(given, str):
        return None
    try:
        return from_global_id(given)
    except MalformedId:
        return None


def _refusal(result: object) -> tuple[str, ...]:
    errors = getattr(result, "user_errors", None) or ()
    return tuple(error.code.name for error in errors)


class AuditedMutation(FieldExtension):
    """Records the mutation it is on: its changes, in their transactions, and how it ended
    (a payload's ``userErrors`` are a refusal)."""

    def _operation(
        self, info: StrawberryInfo, kwargs: dict[str, Any]
    ) -> tuple[AbstractContextManager[AuditContext], tuple[str, str] | None] | None:
        context = info.context
        if not context.signed_in or Audit not in context.services.modules:
            return None
        trail = context.services.use(Audit).trail
        return trail.operation(context.principal, info.field_name), _subject(kwargs)

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: StrawberryInfo, **kwargs: Any
    ) -> Any:
        started = self._operation(info, kwargs)
        if started is None:
            return next_(source, info, **kwargs)
        operation, subject = started
        malformed: MalformedId | None = None
        with operation as audited:
            audited.subject = subject
            try:
                result = next_(source, info, **kwargs)
            except MalformedId as error:
                # Answered as INVALID_ID by the payload's UserErrors: a refusal too.
                malformed, result = error, None
            audited.refusal = _refusal(result) or (("INVALID_ID",) if malformed else ())
        if malformed is not None:
            raise malformed
        return result

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: StrawberryInfo,
        **kwargs: Any,
    ) -> Any:
        started = self._operation(info, kwargs)
        if started is None:
            return await next_(source, info, **kwargs)
        operation, subject = started
        malformed: MalformedId | None = None
        with operation as audited:
            audited.subject = subject
            try:
                result = await next_(source, info, **kwargs)
            except MalformedId as error:
                malformed, result = error, None
            audited.refusal = _refusal(result) or (("INVALID_ID",) if malformed else ())
        if malformed is not None:
            raise malformed
        return result


FORBIDDEN = ErrorCode.FORBIDDEN.name


def _forbidden(error: Exception) -> bool:
    if isinstance(error, DomainError):
        return any(problem.code is ErrorCode.FORBIDDEN for problem in error.problems)
    extensions = getattr(error, "extensions", None) or {}
    return isinstance(error, GraphQLError) and extensions.get("code") == ErrorCode.FORBIDDEN.value


class AuditedRefusals(FieldExtension):
    """On a root query field: a read the caller's role may not make is recorded as refused;
    reads that are allowed are not recorded."""

    def _record(self, info: StrawberryInfo) -> None:
        context = info.context
        if not context.signed_in or Audit not in context.services.modules:
            return
        trail = context.services.use(Audit).trail
        audited = AuditContext.of(context.principal, info.field_name, trail)
        trail.finished(audited, Outcome.REFUSED, [FORBIDDEN])

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: StrawberryInfo, **kwargs: Any
    ) -> Any:
        try:
            return next_(source, info, **kwargs)
        except Exception as error:
            if _forbidden(error):
                self._record(info)
            raise

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: StrawberryInfo,
        **kwargs: Any,
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except Exception as error:
            if _forbidden(error):
                self._record(info)
            raise


def audit_refusals(query: type) -> type:
    """``query`` with every root field's permission refusals audited."""
    for field in query.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not any(isinstance(extension, AuditedRefusals) for extension in field.extensions):
            field.extensions.append(AuditedRefusals())
    return query


def audit_mutations(mutation: type) -> type:
    """``mutation`` with every field audited; the schema's ``Mutation`` goes through here."""
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not any(isinstance(extension, AuditedMutation) for extension in field.extensions):
            field.extensions.append(AuditedMutation())
    return mutation


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            given: str = value.decode("latin-1").strip()
            if _ACCEPTED_REQUEST_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


class RequestIds:
    """Names each request: the caller's ``X-Request-Id`` when it is a plain token, else a
    new one; echoed on the response and recorded with what the request audits."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        request_id = _request_id(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        with in_request(request_id):
            await self._app(scope, receive, send_with_id)


def refusal_of(authorization: str) -> tuple[str, str | None]:
    """Why an ``Authorization`` header was refused, and the key id it named, if any (never
    the secret)."""
    scheme, _, token = authorization.partition(" ")
    if not authorization.strip():
        return "MISSING_CREDENTIAL", None
    parts = split_token(token.strip()) if scheme.lower() == "bearer" else None
    if parts is None:
        return "MALFORMED_CREDENTIAL", None
    return "INVALID_KEY", parts[0]


def login_failures(services: Any) -> Callable[[str], None] | None:
    """What the bearer authentication calls with the ``Authorization`` header it refused;
    None when no audit module is composed."""
    if Audit not in services.modules:
        return None
    failures = services.use(Audit).login_failures

    def refused(authorization: str) -> None:
        if authorization.partition(" ")[0].lower() == "bearer":
            # The authentication reported this one itself, with the precise reason.
            return
        reason, key_id = refusal_of(authorization)
        try:
            failures.record_login_failure(reason, key_id)
        except Exception:
            # The caller is refused either way; a log that cannot be written must not turn
            # a 401 into a 500, but someone must hear of it.
            log.exception("could not record a refused login (%s)", reason)

    return refused


PART = SchemaPart(queries=(AuditQuery,))
