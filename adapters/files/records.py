"""The CSV records of an imported file, each with the line it starts on, or why it is unreadable."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from adapters.files.error_report import RowError
from adapters.files.source import TextSource
from domain.errors import ErrorCode

Record = tuple[int, list[str]]
"""A CSV record: the line it starts on, and its cells."""


def csv_records(source: TextSource) -> Iterator[Record | RowError]:
    """Every record in file order, blank ones skipped; one that is not valid CSV, or not valid
    text in the file's encoding, comes as the error that names its row instead."""
    reader = csv.reader(source.lines(), strict=True)
    line = 0
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            yield RowError(start, "", "", f"malformed CSV: {error}", ErrorCode.INVALID.value)
            continue
        line = reader.line_num
        if unreadable := source.encoding_error(start, line, ",".join(cells)):
            yield unreadable
        elif any(cell.strip() for cell in cells):
            yield start, cells
