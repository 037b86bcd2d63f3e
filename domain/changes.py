"""Partial updates: the marker for a field that a change leaves alone."""

from __future__ import annotations

from enum import Enum
from typing import Final


class Keep(Enum):
    """The type of ``KEEP``."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP
"""Marks a field of a change that leaves the current value alone."""
