"""Recurring jobs and timers, kept in storage and run by the worker when due."""
