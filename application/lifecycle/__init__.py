"""Lifecycle stages: moving customers by hand and by rules, and reading where they stand."""
