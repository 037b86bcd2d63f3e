"""``rapport user …`` and ``rapport role …``: who acts in Rapport, and what roles allow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.runtime import CliRuntime
from application.access.bundle import Access
from application.principal import Principal
from domain.errors import DomainError

console = Console(stderr=True)


def add_access_commands(cli: typer.Typer, runtime: Callable[[], CliRuntime]) -> None:
    user = typer.Typer(no_args_is_help=True, help="Users: who acts and owns records.")
    role = typer.Typer(no_args_is_help=True, help="Roles: what their holders may do and see.")
    cli.add_typer(user, name="user")
    cli.add_typer(role, name="role")

    @user.command("create")
    def create_user(
        email: Annotated[str, typer.Option(help="Their email address; unique among users.")],
        name: Annotated[str, typer.Option(help="The name to show.")],
        role: Annotated[
            str,
            typer.Option(
                help="admin, sales_manager, sales_rep, marketer, support_agent, analyst "
                "or a custom role's key."
            ),
        ],
        team: Annotated[
            str | None, typer.Option(help="The team's name; the team is made if new.")
        ] = None,
        manager: Annotated[
            str | None, typer.Option(help="The email of the user they report to.")
        ] = None,
    ) -> None:
        """Register a user; print their id on the last line."""
        rt = runtime()
        try:
            view = rt.modules.use(Access).register_user(
                Principal.system(),
                name=name,
                email=email,
                role=role,
                team=team,
                manager_email=manager,
            )
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"user {view.email} ({view.role})")
        typer.echo(view.id)

    @user.command("list")
    def list_users() -> None:
        """Every user with their role, team and manager."""
        rt = runtime()
        try:
            access = rt.modules.use(Access).read
            users = access.users(Principal.system())
            teams = {team.id: team.name for team in access.teams(Principal.system())}
        finally:
            rt.close()
        emails = {view.id: view.email for view in users}
        table = Table("email", "name", "role", "team", "manager", "active")
        for view in users:
            table.add_row(
                view.email,
                view.name,
                view.role,
                teams.get(view.team_id or "", ""),
                emails.get(view.manager_id or "", ""),
                "yes" if view.active else "no",
            )
        Console().print(table)

    @role.command("list")
    def list_roles() -> None:
        """Every role: its permissions, record scopes and field rules."""
        rt = runtime()
        try:
            roles = rt.modules.use(Access).read.roles(Principal.system())
        finally:
            rt.close()
        table = Table("key", "name", "permissions", "record access", "field rules")
        for definition in roles:
            table.add_row(
                definition.key,
                definition.name,
                str(len(definition.permissions)),
                ", ".join(f"{r.value} {s.value}" for r, s in definition.record_access.items()),
                ", ".join(
                    f"{r.value}.{f} {a.value}" for (r, f), a in definition.field_rules.items()
                ),
            )
        Console().print(table)


def _fail(error: DomainError) -> None:
    for problem in error.problems:
        console.print(
            f"[red]error[/red] {problem.field or 'input'}: {problem.message} ({problem.code.value})"
        )
    raise typer.Exit(code=2)
