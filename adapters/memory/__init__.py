"""In-memory adapters: real adapters for fast tests, held to the same contracts."""
