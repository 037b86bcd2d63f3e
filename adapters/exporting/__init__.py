"""Moved to :mod:`adapters.files`; kept only until ``adapters/graphql/importing.py`` imports from there."""
