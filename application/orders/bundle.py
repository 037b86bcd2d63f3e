"""The orders module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.orders.commands import CancelOrder, MarkOrderPaid, RecordOrder, RefundOrder
from application.orders.importing import ImportOrders
from application.orders.queries import ReadOrders


@frozen(kw_only=True)
class Orders:
    record: RecordOrder
    mark_paid: MarkOrderPaid
    refund: RefundOrder
    cancel: CancelOrder
    import_rows: ImportOrders
    read: ReadOrders
