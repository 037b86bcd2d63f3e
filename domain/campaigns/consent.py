"""Consent to marketing, per customer and channel, with every change kept."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ConsentStatus(StrEnum):
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"
    UNKNOWN = "unknown"

    @property
    def allows_marketing(self) -> bool:
        """Only an explicit opt-in lets a marketing message out."""
        return self is ConsentStatus.OPTED_IN


class LawfulBasis(StrEnum):
    """The GDPR article 6(1) bases a processing rests on."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


def merged_status(statuses: Iterable[ConsentStatus]) -> ConsentStatus:
    """The consent of customers merged into one: an opt-out on any of them wins, then an
    opt-in, so a merge never turns a refusal into permission."""
    seen = set(statuses)
    if ConsentStatus.OPTED_OUT in seen:
        return ConsentStatus.OPTED_OUT
    if ConsentStatus.OPTED_IN in seen:
        return ConsentStatus.OPTED_IN
    return ConsentStatus.UNKNOWN
