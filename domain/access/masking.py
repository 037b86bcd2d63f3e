"""Masks of field values a role may read only in part.

A mask keeps just enough to recognise a value one already knows, and nothing of the rest:

- an email keeps its first character and its domain: ``j•••@example.com``;
- a phone number keeps its last two digits, every other digit becomes a bullet and the
  punctuation stays: ``+•••••••••23``;
- any other text keeps its first character: ``S•••``.

The bullets never count what they hide, except in a phone number, whose length says
little (the country's numbering plan fixes most of it).
"""

from __future__ import annotations

from typing import Final

BULLET: Final = "•"
HIDDEN_RUN: Final = BULLET * 3
PHONE_DIGITS_KEPT: Final = 2


def mask_email(address: str) -> str:
    """``j•••@example.com``: the first character and the domain of the address."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return mask_text(address)
    return f"{local[0]}{HIDDEN_RUN}@{domain}"


def mask_phone(number: str) -> str:
    """Every digit but the last two replaced by a bullet: ``+•••••••••23``."""
    digits_seen = 0
    kept = sum(c.isdigit() for c in number) - PHONE_DIGITS_KEPT
    masked: list[str] = []
    for character in number:
        if character.isdigit():
            masked.append(BULLET if digits_seen < kept else character)
            digits_seen += 1
        else:
            masked.append(character)
    return "".join(masked)


def mask_text(text: str) -> str:
    """``S•••``: the first character of the text; empty text stays empty."""
    return f"{text[0]}{HIDDEN_RUN}" if text else ""


def mask(field_name: str, value: str) -> str:
    """The mask of a text field's value, by what the field holds (its name says)."""
    name = field_name.rpartition(".")[2]
    if name == "email" or name.endswith("_email"):
        return mask_email(value)
    if name == "phone" or name.endswith("_phone"):
        return mask_phone(value)
    return mask_text(value)
