"""Alembic environment for the local store. Run programmatically by ``app.models.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.models import Base
from app.models.migrations.env_filters import include_name

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: batch mode recreates tables.
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for developers running the alembic CLI by hand
    from app.models.db import make_engine

    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise SystemExit("alembic.ini names no sqlalchemy.url")
    engine = make_engine(url.removeprefix("sqlite:///"))
    with engine.connect() as conn:
        run(conn)
else:
    run(connection)
