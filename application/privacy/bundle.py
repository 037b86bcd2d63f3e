"""The privacy module's use cases."""

from __future__ import annotations

from attrs import frozen

from application.privacy.commands import EraseCustomer, ExportCustomerData


@frozen(kw_only=True)
class Privacy:
    erase: EraseCustomer
    export: ExportCustomerData
