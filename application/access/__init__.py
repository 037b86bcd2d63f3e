"""Use cases on users and API keys."""
