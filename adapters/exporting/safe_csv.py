"""Moved to :mod:`adapters.files.safe_csv`; only ``adapters/graphql/importing.py`` still imports it here."""

from adapters.files.safe_csv import restore

__all__ = ["restore"]
