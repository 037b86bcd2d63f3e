"""Use cases on orders."""
