"""Use cases on custom field definitions, and the conditions and orders over their values."""
