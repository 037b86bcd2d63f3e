"""Realistic, deterministic demo data."""
