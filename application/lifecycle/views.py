"""Read models of lifecycle stages."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen


@frozen
class StageView:
    """Where a customer stands on one track, and since when."""

    customer_id: str
    track: str
    stage: str
    entered_at: datetime


@frozen
class SweepReport:
    customers: int
    changes: int
