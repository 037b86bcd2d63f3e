"""The messages module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.messages.dispatch import DispatchDueMessages
from application.messages.engagement import RecordBounce, TrackClick, TrackOpen
from application.messages.ports import MessageStatsReader
from application.messages.queries import ReadMessages


@frozen(kw_only=True)
class Messages:
    dispatch: DispatchDueMessages
    """One round of sending what is due (``rapport worker`` runs it in a loop)."""
    read: ReadMessages
    track_open: TrackOpen
    """``GET /t/o/{token}.gif``."""
    track_click: TrackClick
    """``GET /t/c/{token}``: records the click, answers the URL to redirect to."""
    record_bounce: RecordBounce
    stats: MessageStatsReader
    """Counts per campaign and variant, journey and step, and the touches attribution reads."""
