"""Text from a file, a line at a time, in UTF-8 unless told otherwise, with what could not be read.

There is no guessing: a file that mixes encodings would be read whole in the wrong one,
garbling every row that was right. A line that is not valid in the encoding is kept,
decoded with its bad bytes written as ``\\xNN``, and reported by whoever reads it as a row.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from adapters.files.error_report import RowError
from domain.errors import ErrorCode, InvalidValue

DEFAULT_ENCODING = "utf-8"
_ASCII = "name,email\r\n"


def text_encoding(name: str | None) -> str:
    """The codec to read a file in: UTF-8 (with or without a byte-order mark) unless ``name``
    says otherwise. Lines are split at newline bytes, so an encoding must write ASCII as
    ASCII: GB18030, Shift JIS and Latin-1 do, UTF-16 does not."""
    if name is None:
        return DEFAULT_ENCODING
    try:
        codec = codecs.lookup(name).name
        if codec == "utf-8-sig":
            return DEFAULT_ENCODING  # the mark is dropped from the first line either way
        if _ASCII.encode(codec) == _ASCII.encode("ascii"):
            return codec
    except (LookupError, ValueError):
        raise InvalidValue("encoding", ErrorCode.INVALID, f"{name!r} is not an encoding") from None
    raise InvalidValue(
        "encoding", ErrorCode.INVALID, f"{name!r} does not write ASCII as ASCII; use utf-8"
    )


class TextSource:
    """Decodes a file line by line; a line that does not decode is kept and remembered."""

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.size = path.stat().st_size
        self._codec = text_encoding(encoding)
        self._explicit = encoding is not None
        with path.open("rb") as probe:
            marked = probe.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        self.encoding = "utf-8-sig" if marked and self._codec == DEFAULT_ENCODING else self._codec
        """What the file was read as, for the summary."""
        self.bytes_read = 0
        self.undecodable_lines: set[int] = set()

    def lines(self) -> Iterator[str]:
        with self.path.open("rb") as raw:
            for number, line in enumerate(raw, start=1):
                self.bytes_read += len(line)
                if number == 1 and self.encoding == "utf-8-sig":
                    line = line[len(codecs.BOM_UTF8) :]
                try:
                    yield line.decode(self._codec)
                except UnicodeDecodeError:
                    self.undecodable_lines.add(number)
                    yield line.decode(self._codec, errors="backslashreplace")

    def encoding_error(self, first: int, last: int, value: str) -> RowError | None:
        """The problem of the row on lines ``first`` to ``last``, if one is not valid text."""
        if not any(number in self.undecodable_lines for number in range(first, last + 1)):
            return None
        hint = "" if self._explicit else "; name the file's encoding to read it in another"
        return RowError(
            first,
            "",
            value,
            f"is not valid {self._codec} text{hint}",
            ErrorCode.INVALID_ENCODING.value,
        )
