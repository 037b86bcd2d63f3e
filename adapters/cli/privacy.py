"""``rapport customers export-data`` and ``rapport customers erase``: a person's data, handed
over or erased, from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from adapters.cli.runtime import CliRuntime
from application.principal import Principal
from application.privacy.bundle import Privacy
from domain.errors import DomainError

console = Console(stderr=True)


def add_privacy_commands(cli: typer.Typer, runtime: Callable[[], CliRuntime]) -> None:
    customers = typer.Typer(no_args_is_help=True, help="A customer's personal data.")
    cli.add_typer(customers, name="customers")

    @customers.command("export-data")
    def export_data(
        customer_id: Annotated[str, typer.Argument(help="The customer's id.")],
        out: Annotated[
            Path | None, typer.Option(help="Write the JSON here instead of to standard output.")
        ] = None,
    ) -> None:
        """Everything held about a customer and those merged into them, as JSON."""
        rt = runtime()
        try:
            export = rt.modules.use(Privacy).export(Principal.system(), customer_id)
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        document = json.dumps(
            {
                "customerId": export.customer_id,
                "generatedAt": export.generated_at.isoformat(),
                "data": export.data,
            },
            indent=2,
            ensure_ascii=False,
        )
        if out is None:
            typer.echo(document)
        else:
            out.write_text(document + "\n", encoding="utf-8")
            console.print(f"wrote {out}")

    @customers.command("erase")
    def erase(
        customer_id: Annotated[str, typer.Argument(help="The customer's id.")],
        yes: Annotated[
            bool, typer.Option("--yes", help="Confirm: erasure cannot be undone.")
        ] = False,
    ) -> None:
        """Erase a customer and those merged into them, everywhere; orders stay, anonymous."""
        if not yes:
            console.print("[red]error[/red] --yes: erasure cannot be undone; confirm with --yes")
            raise typer.Exit(code=2)
        rt = runtime()
        try:
            erased = rt.modules.use(Privacy).erase(Principal.system(), customer_id)
        except DomainError as error:
            _fail(error)
        finally:
            rt.close()
        console.print(f"erased customer {erased}")


def _fail(error: DomainError) -> NoReturn:
    for problem in error.problems:
        console.print(
            f"[red]error[/red] {problem.field or 'input'}: {problem.message} ({problem.code.value})"
        )
    raise typer.Exit(code=2)
