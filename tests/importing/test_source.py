import codecs
from pathlib import Path

import pytest

from adapters.importing.cdnow import CdnowParser
from adapters.importing.source import TextSource, detect_encoding

TEXT = "name,city\n李雷,北京\nZoë,Zürich\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        ("name,city\n李雷,北京\n".encode("gb18030"), "gb18030"),
        (b"plain ascii\n", "utf-8"),
    ],
)
def test_encoding_is_detected(data: bytes, encoding: str) -> None:
    assert detect_encoding(data) == encoding


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_lines_read_back_the_same_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(TEXT.encode(encoding))
    source = TextSource(path)
    assert "".join(source.lines()) == TEXT
    assert source.undecodable_lines == set()
    assert source.bytes_read == source.size


def test_a_line_that_does_not_decode_is_kept_and_remembered(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"first\n" * 3000 + b"bad \xff\xfe line\n" + b"last\n")
    source = TextSource(path)
    lines = list(source.lines())
    assert len(lines) == 3002
    assert source.undecodable_lines == {3001}


def test_identical_purchases_get_distinct_stable_ids() -> None:
    line = " 00002 19970112  1   12.00\r\n"
    first, second = CdnowParser(), CdnowParser()
    ids = [first.parse(n, line) for n in (2, 3)]
    again = [second.parse(n, line) for n in (2, 3)]
    assert [row.order.external_id for row in ids] == [row.order.external_id for row in again]  # type: ignore[union-attr]
    assert ids[0].order.external_id != ids[1].order.external_id  # type: ignore[union-attr]


def test_header_and_blank_lines_are_skipped() -> None:
    parser = CdnowParser()
    assert parser.parse(1, " customer_id  date number_of_cds  dollar_value\r\n") is None
    assert parser.parse(5, "   \r\n") is None
