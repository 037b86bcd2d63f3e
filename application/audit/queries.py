"""Reading the audit log: for those allowed to read it."""

from __future__ import annotations

from attrs import frozen

from application.audit.ports import AuditFilter, AuditLog
from application.pagination import Page, PageRequest
from application.principal import Principal
from domain.access.roles import Permission
from domain.audit import AuditEntry


@frozen
class ReadAuditLog:
    log: AuditLog

    def __call__(
        self, actor: Principal, condition: AuditFilter, request: PageRequest
    ) -> Page[AuditEntry]:
        actor.require(Permission.READ_AUDIT)
        return self.log.page(condition, request)

    def count(self, actor: Principal, condition: AuditFilter) -> int:
        actor.require(Permission.READ_AUDIT)
        return self.log.count(condition)

    def mentioning(self, actor: Principal, object_id: str) -> list[AuditEntry]:
        actor.require(Permission.READ_AUDIT)
        return self.log.entries_mentioning(object_id)
