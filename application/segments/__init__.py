"""Segments: the rule language, checking, use cases and their ports."""
