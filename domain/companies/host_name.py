"""A company's web domain, normalised to the lower-case host name people would type."""

from __future__ import annotations

import re
from typing import Final

from domain.errors import ErrorCode, InvalidValue

MAX_LENGTH: Final = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def parse_host_name(raw: str, *, field_name: str = "domain") -> str:
    """``https://Www.Example.COM/about`` becomes ``www.example.com``; IDNs become punycode."""
    text = _SCHEME.sub("", raw.strip())
    host = re.split(r"[/?#]", text, maxsplit=1)[0].rstrip(".")
    if "@" in host or ":" in host:
        raise InvalidValue(field_name, ErrorCode.INVALID, "must be a host name such as example.com")
    try:
        ascii_host = host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidValue(field_name, ErrorCode.INVALID, "is not a valid host name") from None
    labels = ascii_host.split(".")
    if (
        len(ascii_host) > MAX_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidValue(field_name, ErrorCode.INVALID, "must be a host name such as example.com")
    return ascii_host
