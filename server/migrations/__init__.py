"""Alembic migrations of the server database, run programmatically by ``server.db.upgrade``."""
