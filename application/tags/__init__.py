"""Use cases on tags: the catalogue, tagging customers in bulk, and auto-tag rules."""
