"""Adapters over Redis that several processes share."""
