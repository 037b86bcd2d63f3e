"""How many SMS parts a text goes out as: GSM-7 septets or UCS-2 code units.

A text every character of which is in the GSM 03.38 default alphabet (or its extension
table) is sent in GSM-7: 160 septets in one message, 153 per part once it is concatenated
(the user data header takes the rest). Anything else is sent in UCS-2: 70 UTF-16 code units
alone, 67 per part. A character is never split across two parts: an extension character
(two septets, the escape and the character) or a character outside the Basic Multilingual
Plane (two UTF-16 code units, a surrogate pair) moves whole to the next part, which can
leave a part one unit short.
"""

from __future__ import annotations

from typing import Literal

from attrs import frozen

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The 127 characters of the GSM 03.38 default alphabet (the escape code is not text)."""
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
"""Characters of the extension table: each is sent as the escape septet and itself."""

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

Encoding = Literal["GSM-7", "UCS-2"]


@frozen
class SmsParts:
    """How a text is sent: its encoding, the number of parts, and its length."""

    encoding: Encoding
    parts: int
    characters: int
    """Characters (code points) in the text."""
    units: int = 0
    """Septets (GSM-7) or UTF-16 code units (UCS-2) in the text."""


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` can be sent in GSM-7."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_parts(text: str) -> SmsParts:
    """The encoding and number of parts ``text`` goes out as; an empty text is one part."""
    encoding, weights = _weights(text)
    single, per_part = (GSM7_SINGLE, GSM7_PART) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    units = sum(weights)
    if units <= single:
        return SmsParts(encoding, 1, len(text), units)
    parts, filled = 1, 0
    for weight in weights:
        if filled + weight > per_part:
            parts, filled = parts + 1, 0
        filled += weight
    return SmsParts(encoding, parts, len(text), units)


def sms_segments(text: str) -> list[str]:
    """``text`` cut into the parts :func:`sms_parts` counts, in order."""
    encoding, weights = _weights(text)
    single, per_part = (GSM7_SINGLE, GSM7_PART) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    if sum(weights) <= single:
        return [text]
    segments: list[str] = []
    start, filled = 0, 0
    for index, weight in enumerate(weights):
        if filled + weight > per_part:
            segments.append(text[start:index])
            start, filled = index, 0
        filled += weight
    segments.append(text[start:])
    return segments


def _weights(text: str) -> tuple[Encoding, list[int]]:
    """The encoding of ``text`` and how many units each of its characters takes."""
    if is_gsm7(text):
        return "GSM-7", [2 if char in GSM7_EXTENSION else 1 for char in text]
    return "UCS-2", [2 if ord(char) > 0xFFFF else 1 for char in text]
