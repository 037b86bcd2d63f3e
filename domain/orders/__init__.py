"""Orders: what customers bought, in exact money."""

from domain.orders.money import Currency, Money
from domain.orders.order import Order, OrderLine, OrderStatus

__all__ = ["Currency", "Money", "Order", "OrderLine", "OrderStatus"]
