"""Signed links: unsubscribe, opt-in confirmation, open pixel and click redirects.

A link carries its own claims (which customer, which channel, which message), signed, so
the public endpoints need no login and no lookup table, and a changed byte is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from domain.errors import DomainError, ErrorCode, Problem


class LinkPurpose(StrEnum):
    """What a token is for; a token signed for one purpose is refused for any other."""

    UNSUBSCRIBE = "unsubscribe"
    CONFIRM_OPT_IN = "confirm"
    OPEN = "open"
    CLICK = "click"


class TamperedLink(DomainError):
    """A token that was not signed by us for this purpose, or was changed since."""

    def __init__(self) -> None:
        super().__init__([Problem("token", ErrorCode.INVALID, "this link is not valid")])


class LinkSigner(Protocol):
    def sign(self, purpose: LinkPurpose, claims: Mapping[str, str]) -> str:
        """A URL-safe token carrying ``claims``."""
        ...

    def verify(self, purpose: LinkPurpose, token: str) -> dict[str, str]:
        """The claims of a token signed for ``purpose``; ``TamperedLink`` otherwise."""
        ...
