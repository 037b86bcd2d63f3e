"""Use cases on companies."""
