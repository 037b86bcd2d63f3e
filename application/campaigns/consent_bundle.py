"""The consent module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.campaigns.consent import (
    ConfirmOptIn,
    IsSuppressed,
    PublicLinks,
    ReadConsents,
    RequestOptIn,
    SetConsent,
    Suppress,
    Unsubscribe,
)
from application.campaigns.ports import ConsentReader


@frozen(kw_only=True)
class Consents:
    set_consent: SetConsent
    read_consents: ReadConsents
    request_opt_in: RequestOptIn
    confirm_opt_in: ConfirmOptIn
    unsubscribe: Unsubscribe
    links: PublicLinks
    """``links.unsubscribe_url(customer_id, channel, message_id)`` for every marketing mail."""
    suppress: Suppress
    is_suppressed: IsSuppressed
    consent_reader: ConsentReader
    """Batch reads for the sending pipeline: statuses, suppressed addresses, history."""
