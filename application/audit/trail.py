"""Turns an operation's changes and refusals into audit entries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from attrs import frozen

from application.audit.context import AuditContext, audited
from application.audit.ports import AuditJournal, AuditLog
from application.ports import Clock, IdGenerator
from application.principal import Principal
from domain.audit import AuditEntry, ObjectChange, Outcome
from domain.errors import DomainError

ANONYMOUS = "anonymous"
"""The actor of a failed login: whoever it was is not known."""

LOGIN_FAILED = "login_failed"

INTERNAL = "INTERNAL"
"""The code of an operation that failed unexpectedly, as the API answers it."""


@frozen
class AuditTrail:
    """Writes an operation's changes in the transactions that commit them, and how the
    operation ended in a transaction of its own."""

    log: AuditLog
    journal: AuditJournal
    clock: Clock
    ids: IdGenerator

    @contextmanager
    def operation(self, actor: Principal, name: str) -> Iterator[AuditContext]:
        """Audit what is committed inside the block as operation ``name`` by ``actor``, and
        how it ends: a ``DomainError`` is a refusal, any other exception a failure."""
        context = AuditContext.of(actor, name, self)
        with audited(context):
            try:
                yield context
            except DomainError as error:
                self.finished(context, Outcome.REFUSED, [p.code.name for p in error.problems])
                raise
            except Exception:
                self.finished(context, Outcome.FAILED, [INTERNAL])
                raise
        if context.refusal:
            self.finished(context, Outcome.REFUSED, context.refusal)
        else:
            self.finished(context, Outcome.SUCCEEDED)

    def committing(
        self, context: AuditContext, transaction: object, changes: Sequence[ObjectChange]
    ) -> None:
        at = self.clock.now()
        entries = [
            AuditEntry(
                id=self.ids.new_id(),
                occurred_at=at,
                actor_id=context.actor_id,
                api_key_id=context.api_key_id,
                request_id=context.request_id,
                operation=context.operation,
                outcome=Outcome.SUCCEEDED,
                object_type=change.object_type,
                object_id=change.object_id,
                changes=change.changes,
                events=change.events,
            )
            for change in changes
        ]
        self.journal.write(transaction, entries)
        context.recorded += len(entries)
        context.objects.extend((change.object_type, change.object_id) for change in changes)

    def finished(
        self,
        context: AuditContext,
        outcome: Outcome,
        error_codes: Sequence[str] = (),
        *,
        object_type: str | None = None,
        object_id: str | None = None,
    ) -> AuditEntry | None:
        """Record how the operation ended, unless its changes already say so: a refusal
        or failure always, a success only when it committed nothing."""
        if outcome is Outcome.SUCCEEDED and context.recorded:
            return None
        if object_type is None and context.subject is not None:
            object_type, object_id = context.subject
        entry = AuditEntry(
            id=self.ids.new_id(),
            occurred_at=self.clock.now(),
            actor_id=context.actor_id,
            api_key_id=context.api_key_id,
            request_id=context.request_id,
            operation=context.operation,
            outcome=outcome,
            error_codes=tuple(dict.fromkeys(error_codes)),
            object_type=object_type,
            object_id=object_id,
        )
        self.log.append([entry])
        return entry

    def login_failed(
        self,
        reason: str,
        key_id: str | None = None,
        request_id: str | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """A credential that was refused: unknown, revoked, expired or malformed."""
        entry = AuditEntry(
            id=self.ids.new_id(),
            occurred_at=at or self.clock.now(),
            actor_id=ANONYMOUS,
            api_key_id=key_id,
            request_id=request_id,
            operation=LOGIN_FAILED,
            outcome=Outcome.REFUSED,
            error_codes=(reason,),
        )
        self.log.append([entry])
        return entry
