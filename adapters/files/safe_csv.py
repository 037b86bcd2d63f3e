"""CSV that spreadsheets open as data: no cell of text can run as a formula.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` and is quoted, as OWASP recommends against CSV injection. A cell handed over
as a number (``int``, ``float`` or ``Decimal``, never text that looks like one) is written
as it is, so a numeric column the export typed itself stays numeric. Every CSV file that
Rapport writes goes through :class:`SafeCsvWriter`; :func:`restore` reads a cell back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

from domain.text import FORMULA_STARTS

Number = int | float | Decimal
Cell = str | Number

# Text that already starts with quotes before a formula character gets one more, so that
# restore() can tell a quote it added from one that was there.
_NEUTRALISED = re.compile("'*[" + re.escape("".join(FORMULA_STARTS)) + "]")
_ADDED_QUOTE = re.compile("'+[" + re.escape("".join(FORMULA_STARTS)) + "]")
_NEEDS_QUOTES = re.compile('[",\r\n]')


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will show it but never run it."""
    return "'" + text if _NEUTRALISED.match(text) else text


def restore(cell: str) -> str:
    """The text that :func:`neutralise` was given; any other cell is returned as it is."""
    return cell[1:] if _ADDED_QUOTE.match(cell) else cell


class SafeCsvWriter:
    """Writes rows to ``output`` as CSV (RFC 4180, CRLF line ends), text neutralised."""

    def __init__(self, output: TextIO) -> None:
        self._output = output

    def writerow(self, cells: Iterable[Cell]) -> None:
        self._output.write(",".join(_field(cell) for cell in cells) + "\r\n")


def _field(cell: Cell) -> str:
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return str(cell)
    text = str(cell)
    safe = neutralise(text)
    if safe != text or _NEEDS_QUOTES.search(safe):
        return '"' + safe.replace('"', '""') + '"'
    return safe
