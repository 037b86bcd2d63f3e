"""Match keys: what makes two customer records look like one person."""

from __future__ import annotations

import unicodedata

from domain.customers.contact import EmailAddress

# Mailbox providers that ignore dots in the local part.
_DOTS_IGNORED = frozenset({"gmail.com", "googlemail.com"})


def email_key(email: EmailAddress | None) -> str | None:
    """The mailbox an address delivers to: ``+tags`` dropped, and dots where the provider ignores them.

    ``Ada.Lovelace+crm@GoogleMail.com`` and ``adalovelace@gmail.com`` share a key.
    """
    if email is None:
        return None
    local, _, domain = email.value.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def name_key(first_name: str, last_name: str) -> str:
    """Names compared without case, accents, spaces or order: ``José  García`` ~ ``garcia jose``."""
    parts = []
    for part in (first_name, last_name):
        decomposed = unicodedata.normalize("NFKD", part.casefold())
        parts.append("".join(c for c in decomposed if c.isalnum()))
    return " ".join(sorted(p for p in parts if p))
