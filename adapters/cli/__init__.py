"""The ``rapport`` command line."""
