"""The segments module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.segments.clustering import ClusterCustomers
from application.segments.commands import (
    ComputeRfm,
    CreateSegment,
    PreviewSegment,
    RecheckCustomers,
    RefreshSegments,
    UpdateSegment,
)
from application.segments.queries import ReadSegments


@frozen(kw_only=True)
class Segments:
    preview: PreviewSegment
    create: CreateSegment
    update: UpdateSegment
    refresh: RefreshSegments
    recheck: RecheckCustomers
    compute_rfm: ComputeRfm
    read: ReadSegments
    cluster: ClusterCustomers
