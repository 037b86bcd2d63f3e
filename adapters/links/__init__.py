"""Signed links for the public endpoints."""
