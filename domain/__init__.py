"""Rapport's domain model: plain attrs aggregates and value objects, free of I/O."""
