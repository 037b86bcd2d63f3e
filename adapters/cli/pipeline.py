"""``rapport jobs run pipeline-…`` and ``rapport pipeline …``: the sales pipeline's jobs and
its configuration (automation rules and sales teams as data)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from adapters.cli.runtime import CliRuntime
from application.pipeline.bundle import Sales
from application.pipeline.teams import TeamMemberInput
from application.principal import Principal
from domain.errors import DomainError
from domain.pipeline import AutomationRule

console = Console(stderr=True)


def add_pipeline_commands(
    cli: typer.Typer, run_job: typer.Typer, runtime: Callable[[], CliRuntime]
) -> None:
    pipeline = typer.Typer(no_args_is_help=True, help="Sales pipeline configuration.")
    cli.add_typer(pipeline, name="pipeline")

    @run_job.command("pipeline-reminders")
    def run_reminders() -> None:
        """Emit reminders for tasks falling due and leads whose first touch is lapsing."""
        rt = runtime()
        try:
            tasks, leads = rt.modules.use(Sales).send_reminders(Principal.system())
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"{tasks:,} task reminders, {leads:,} first-touch reminders")

    @run_job.command("pipeline-rules")
    def run_rules() -> None:
        """Evaluate every automation rule; a customer gets one task per rule, ever."""
        rt = runtime()
        try:
            made = rt.modules.use(Sales).run_automation_rules(Principal.system())
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"{made:,} tasks created")

    @run_job.command("lead-scoring")
    def run_scoring() -> None:
        """Score every lead not yet converted again: new behaviour counts, old points fade."""
        rt = runtime()
        try:
            changed = rt.modules.use(Sales).rescore_leads(Principal.system())
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"{changed:,} scores changed")

    @pipeline.command("add-rule")
    def add_rule(
        file: Annotated[Path, typer.Argument(help="A JSON rule: key, name, condition, action.")],
    ) -> None:
        """Add or replace an automation rule, e.g. the cross-sell rule in the README."""
        data = json.loads(file.read_text(encoding="utf-8"))
        rt = runtime()
        try:
            rule = AutomationRule.from_data(
                key=data.get("key", ""),
                name=data.get("name", ""),
                condition=data.get("condition", {}),
                action=data.get("action", {}),
                enabled=bool(data.get("enabled", True)),
            )
            rt.modules.use(Sales).define_automation_rule(Principal.system(), rule)
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"rule {rule.key} saved")

    @pipeline.command("add-team")
    def add_team(
        name: Annotated[str, typer.Option(help="The team's name.")],
        member: Annotated[list[str], typer.Option(help="A rep's user id; repeat for each.")],
        strategy: Annotated[
            str, typer.Option(help="round_robin, territory or least_loaded.")
        ] = "round_robin",
        first_touch_hours: Annotated[float, typer.Option(help="Working hours to first touch.")] = 2,
    ) -> None:
        """Create a sales team that new leads are assigned within."""
        rt = runtime()
        try:
            team = rt.modules.use(Sales).create_sales_team(
                Principal.system(),
                name=name,
                strategy=strategy,
                members=[TeamMemberInput(user_id=user_id) for user_id in member],
                first_touch_hours=first_touch_hours,
            )
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"team {team.name} ({team.id}) with {len(team.members)} reps")


def _fail(error: DomainError) -> None:
    for problem in error.problems:
        console.print(
            f"[red]error[/red] {problem.field or 'input'}: {problem.message} ({problem.code.value})"
        )
    raise typer.Exit(code=2)
