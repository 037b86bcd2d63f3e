"""The per-row error report written beside an imported file."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

from attrs import frozen

from adapters.files.safe_csv import SafeCsvWriter


@frozen
class RowError:
    row: int
    column: str
    value: str
    message: str
    code: str


class ErrorReport:
    """``<file>.errors.csv``: one line per problem; removed again when there was none.

    It repeats what the file held, so its cells are neutralised like any export's.
    """

    COLUMNS = ("row", "column", "value", "message", "code")

    def __init__(self, input_path: Path) -> None:
        self.path = input_path.with_name(input_path.name + ".errors.csv")
        self.count = 0
        self.rows: set[int] = set()
        self._file = self.path.open("w", newline="", encoding="utf-8")
        self._writer = SafeCsvWriter(self._file)
        self._writer.writerow(self.COLUMNS)

    def add(self, error: RowError) -> None:
        self.count += 1
        self.rows.add(error.row)
        self._writer.writerow((error.row, error.column, error.value, error.message, error.code))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._file.close()
        if self.count == 0:
            self.path.unlink(missing_ok=True)
