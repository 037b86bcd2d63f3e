"""Contract suites for Rapport's ports: every adapter of a port passes the same suite.

Adapter authors subclass a contract class and provide a ``backend`` fixture; see
docs/adapters.md.
"""
