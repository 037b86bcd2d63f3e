"""Use cases on customers."""
