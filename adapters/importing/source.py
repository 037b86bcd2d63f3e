"""Text from a file of unknown encoding, a line at a time, with what could not be read."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

SAMPLE_BYTES = 1 << 16


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) when the sample reads as such, else GB18030.

    GB18030 decodes any byte sequence that a Chinese spreadsheet writes, so it is the one
    fallback that never loses a row; a file in neither encoding shows up as garbled values
    that fail validation, row by row.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample may end in the middle of a character; only an earlier error counts.
        if error.start < len(sample) - 3:
            return "gb18030"
    return "utf-8"


class TextSource:
    """Decodes a file line by line; a line that does not decode is kept and remembered."""

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.size = path.stat().st_size
        with path.open("rb") as probe:
            self.encoding = encoding or detect_encoding(probe.read(SAMPLE_BYTES))
        self.bytes_read = 0
        self.undecodable_lines: set[int] = set()

    def lines(self) -> Iterator[str]:
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        with self.path.open("rb") as raw:
            yield from self._decode(raw, encoding)

    def _decode(self, raw: BinaryIO, encoding: str) -> Iterator[str]:
        for number, line in enumerate(raw, start=1):
            self.bytes_read += len(line)
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            try:
                yield line.decode(encoding)
            except UnicodeDecodeError:
                self.undecodable_lines.add(number)
                yield line.decode(encoding, errors="replace")
