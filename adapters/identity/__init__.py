"""Tokens of external identity providers."""
