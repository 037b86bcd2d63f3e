"""``rapport audit …``: read the audit log, and purge it by the retention policy now."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.runtime import CliRuntime
from application.audit.bundle import Audit
from application.audit.ports import AuditFilter
from application.pagination import MAX_PAGE_SIZE, PageRequest
from application.principal import Principal
from domain.audit import AuditEntry
from domain.errors import DomainError

console = Console(stderr=True)


def _local(given: str) -> str:
    """The local id in a global id (``Q3VzdG9tZXI6…``), or ``given`` when it is one."""
    try:
        decoded = base64.urlsafe_b64decode((given + "=" * (-len(given) % 4)).encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return given
    type_name, separator, local = decoded.partition(":")
    return local if separator and type_name.isidentifier() and local else given


def _changes(entry: AuditEntry) -> str:
    return "; ".join(
        f"{c.field}: {json.dumps(c.before, ensure_ascii=False)} → "
        f"{json.dumps(c.after, ensure_ascii=False)}"
        for c in entry.changes
    )


def add_audit_commands(cli: typer.Typer, runtime: Callable[[], CliRuntime]) -> None:
    audit = typer.Typer(no_args_is_help=True, help="The audit log: who changed what.")
    cli.add_typer(audit, name="audit")

    @audit.command("log")
    def show_log(
        object_id: Annotated[
            str | None, typer.Option("--object", help="Only entries about this record (id).")
        ] = None,
        user: Annotated[
            str | None, typer.Option("--user", help="Only what this user (id) did.")
        ] = None,
        operation: Annotated[
            str | None, typer.Option(help="Only this operation, e.g. updateCustomer.")
        ] = None,
        limit: Annotated[
            int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="How many, newest first.")
        ] = 20,
    ) -> None:
        """The most recent entries, newest first (times in UTC)."""
        condition = AuditFilter(
            object_id=_local(object_id) if object_id else None,
            actor_id=_local(user) if user else None,
            operation=operation,
        )
        rt = runtime()
        try:
            page = rt.modules.use(Audit).read(
                Principal.system(), condition, PageRequest(first=limit)
            )
        except DomainError as error:
            for problem in error.problems:
                console.print(f"[red]{problem.field}: {problem.message} ({problem.code})")
            raise typer.Exit(code=2) from None
        finally:
            rt.close()
        table = Table("when", "who", "operation", "outcome", "record", "changes")
        for edge in page.edges:
            entry = edge.node
            outcome = entry.outcome.value
            if entry.error_codes:
                outcome += f" ({', '.join(entry.error_codes)})"
            record = f"{entry.object_type} {entry.object_id}" if entry.object_id else ""
            table.add_row(
                entry.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor_id,
                entry.operation,
                outcome,
                record,
                _changes(entry),
            )
        Console().print(table)

    @audit.command("purge")
    def purge() -> None:
        """Remove entries older than RAPPORT_AUDIT_RETENTION_DAYS now, as the daily job does."""
        rt = runtime()
        try:
            removed = rt.modules.use(Audit).purge(Principal.system())
        finally:
            rt.close()
        console.print(f"{removed:,} entries older than the retention policy removed")
