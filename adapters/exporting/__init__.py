"""Writing data out as files."""
