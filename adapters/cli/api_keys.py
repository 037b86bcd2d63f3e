"""``rapport apikey …``: create, list and revoke API keys."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.runtime import CliRuntime
from application.access.bundle import Access
from application.access.ports import ApiKeyView
from application.pagination import MAX_PAGE_SIZE, PageRequest
from application.principal import Principal
from domain.access.roles import role_key
from domain.errors import DomainError

console = Console(stderr=True)


def add_api_key_commands(apikey: typer.Typer, runtime: Callable[[], CliRuntime]) -> None:
    @apikey.command("create")
    def create(
        role: Annotated[
            str,
            typer.Option(
                help="The role the key acts with: admin, sales_manager, sales_rep, marketer, "
                "support_agent, analyst or a custom role."
            ),
        ],
        name: Annotated[str, typer.Option(help="A label for the key.")] = "api key",
        user_email: Annotated[
            str, typer.Option(help="The user the key acts for; created if new.")
        ] = "",
        expires_in_days: Annotated[
            int | None,
            typer.Option(min=1, help="Days until the key stops working; never when not given."),
        ] = None,
        expires_at: Annotated[
            datetime | None,
            typer.Option(help="When the key stops working (UTC unless an offset is given)."),
        ] = None,
    ) -> None:
        """Create an API key and print it on the last line; it is shown only this once."""
        if expires_in_days is not None and expires_at is not None:
            raise typer.BadParameter(
                "give --expires-in-days or --expires-at, not both", param_hint="--expires-at"
            )
        rt = runtime()
        try:
            email = user_email or f"{role_key(role)}@rapport.localhost"
            until = _utc(expires_at)
            if expires_in_days is not None:
                until = datetime.now(UTC) + timedelta(days=expires_in_days)
            issued = rt.modules.use(Access).issue_api_key(
                Principal.system(), role=role, name=name, user_email=email, expires_at=until
            )
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        lasting = f", until {issued.expires_at:%Y-%m-%d %H:%M} UTC" if issued.expires_at else ""
        console.print(
            f"API key {issued.key_id} for {email} ({issued.role}{lasting}); "
            "store it now, it is not shown again:"
        )
        typer.echo(issued.token)

    @apikey.command("revoke")
    def revoke(
        key_id: Annotated[str, typer.Argument(help="The key's id, as `apikey list` shows it.")],
    ) -> None:
        """Revoke a key: every server process refuses it from its next request on."""
        rt = runtime()
        try:
            view = rt.modules.use(Access).revoke_api_key(Principal.system(), key_id)
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"API key {view.id} ({view.name}) revoked")

    @apikey.command("list")
    def list_keys(
        active: Annotated[
            bool | None,
            typer.Option("--active/--inactive", help="Only working keys, or only the others."),
        ] = None,
    ) -> None:
        """Every API key, newest first (times in UTC); never their secrets."""
        rt = runtime()
        try:
            access = rt.modules.use(Access)
            keys = _every_key(access, Principal.system(), active=active)
            owners = access.users.get_many({key.user_id for key in keys})
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        table = Table("id", "name", "user", "role", "created", "expires", "last used", "state")
        for key in keys:
            table.add_row(
                key.id,
                key.name,
                owners[key.user_id].email if key.user_id in owners else key.user_id,
                key.role,
                _when(key.created_at),
                _when(key.expires_at, "never"),
                _when(key.last_used_at, "never"),
                _state(key),
            )
        # Piped output (scripts, logs) would otherwise wrap each cell at 80 columns.
        Console(width=None if sys.stdout.isatty() else 200).print(table)


def _every_key(access: Access, actor: Principal, *, active: bool | None) -> list[ApiKeyView]:
    where = access.api_keys.filter(actor, active=active)
    keys: list[ApiKeyView] = []
    after: str | None = None
    while True:
        page = access.api_keys(actor, PageRequest(first=MAX_PAGE_SIZE, after=after), where)
        keys.extend(edge.node for edge in page.edges)
        if not page.has_next_page:
            return keys
        after = page.end_cursor


def _state(key: ApiKeyView) -> str:
    if key.revoked_at is not None:
        return "revoked"
    return "active" if key.active else "expired"


def _when(moment: datetime | None, missing: str = "") -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else missing


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _fail(error: DomainError) -> NoReturn:
    for problem in error.problems:
        console.print(
            f"[red]error[/red] {problem.field or 'input'}: {problem.message} ({problem.code.value})"
        )
    raise typer.Exit(code=2)
