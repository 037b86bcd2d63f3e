"""SQLAlchemy 2 persistence for SQLite and PostgreSQL, mapped onto the domain from outside."""
