"""Orders: what customers bought, paid, were refunded and cancelled."""

from dependency_injector import containers, providers

from application.orders.bundle import Orders
from application.orders.commands import CancelOrder, MarkOrderPaid, RecordOrder, RefundOrder
from application.orders.importing import ImportOrders
from application.orders.queries import ReadOrders
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    bundle = providers.Singleton(
        Orders,
        record=use_case(RecordOrder, platform, storage),
        mark_paid=use_case(MarkOrderPaid, platform, storage),
        refund=use_case(RefundOrder, platform, storage),
        cancel=use_case(CancelOrder, platform, storage),
        import_rows=use_case(ImportOrders, platform, storage),
        read=use_case(ReadOrders, platform, storage, reader=storage.order_reader),
    )
