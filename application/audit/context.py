"""Who is acting in the operation under way, carried beside it rather than through every
use case: the API sets it per mutation, the command line per command."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from attrs import define, field

from application.principal import Principal
from domain.audit import ObjectChange


class Recorder(Protocol):
    """What records an operation's committed changes (the module's ``AuditTrail``)."""

    def committing(
        self, context: AuditContext, transaction: object, changes: Sequence[ObjectChange]
    ) -> None: ...


@define(kw_only=True)
class AuditContext:
    """The operation under way: who, with which key, in which request, doing what."""

    actor_id: str
    operation: str
    recorder: Recorder
    api_key_id: str | None = None
    request_id: str | None = None
    recorded: int = 0
    """How many entries the operation's transactions wrote so far."""
    objects: list[tuple[str, str]] = field(factory=list)
    """The records those entries are about, in order."""
    refusal: tuple[str, ...] = ()
    """Codes of the refusal the operation answered without raising (a payload's
    ``userErrors``), set by the caller before the operation ends."""
    subject: tuple[str, str] | None = None
    """The record the operation was about, by type and id, when its input names one."""

    @classmethod
    def of(cls, principal: Principal, operation: str, recorder: Recorder) -> AuditContext:
        return cls(
            actor_id=principal.actor_id,
            api_key_id=principal.api_key_id,
            request_id=current_request_id(),
            operation=operation,
            recorder=recorder,
        )

    def committing(self, transaction: object, changes: Sequence[ObjectChange]) -> None:
        """Called by the storage transaction as it commits, with what it changed."""
        if changes:
            self.recorder.committing(self, transaction, changes)


_operation: ContextVar[AuditContext | None] = ContextVar("audited_operation", default=None)
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_audit() -> AuditContext | None:
    """The audited operation under way, if any."""
    return _operation.get()


@contextmanager
def audited(context: AuditContext) -> Iterator[AuditContext]:
    """Record what is committed inside the block as ``context``'s operation."""
    token = _operation.set(context)
    try:
        yield context
    finally:
        _operation.reset(token)


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def in_request(request_id: str) -> Iterator[str]:
    """Name the request every audited operation inside the block belongs to."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)
