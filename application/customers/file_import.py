"""Importing a whole customer file: the port the API uses, whatever reads the file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from attrs import frozen

from application.principal import Principal


@frozen
class RowProblem:
    """Why one row of a file was refused, as the error report has it."""

    row: int
    column: str
    value: str
    message: str
    code: str


@frozen
class FileImportOutcome:
    rows: int
    created: int
    updated: int
    unchanged: int
    merged: int
    rejected_rows: int
    errors: int
    problems: Sequence[RowProblem]
    """The first problems by row, at most as many as were asked for."""


class ImportCustomerFile(Protocol):
    def __call__(
        self,
        path: Path,
        *,
        actor: Principal,
        auto_merge: bool = False,
        encoding: str | None = None,
        max_problems: int = 100,
    ) -> FileImportOutcome:
        """Import the file at ``path`` and report what became of its rows."""
        ...
