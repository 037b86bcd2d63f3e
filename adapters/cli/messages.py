"""``rapport messages send-due``: one round of the dispatcher, as the worker runs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console

from adapters.cli.runtime import CliRuntime
from application.messages.bundle import Messages

console = Console()


def add_messages_commands(cli: typer.Typer, runtime: Callable[[], CliRuntime]) -> None:
    messages = typer.Typer(no_args_is_help=True, help="The outbox of messages.")
    cli.add_typer(messages, name="messages")

    @messages.command("send-due")
    def send_due(
        rounds: Annotated[
            int, typer.Option(min=1, help="Rounds at most; stops early once nothing is due.")
        ] = 1,
    ) -> None:
        """Send what is due now: claim, decide, send and record, as the worker does."""
        rt = runtime()
        try:
            dispatch = rt.modules.use(Messages).dispatch
            for _ in range(rounds):
                report = dispatch.run_once()
                console.print(str(report) if report.claimed else "nothing is due")
                if not report.claimed:
                    break
        finally:
            rt.close()
