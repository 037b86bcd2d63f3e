"""Moved to :mod:`adapters.files.customer_import`; only ``adapters/graphql/importing.py`` still imports it here."""

from adapters.files.customer_import import import_customer_file

__all__ = ["import_customer_file"]
