"""Alembic environment: run programmatically by desktop_helpdesk.db.migrate.

The app hands over an open connection in `config.attributes["connection"]`; batch mode is
on so SQLite can alter tables, and the naming convention comes from the models' metadata.
"""

from alembic import context

from desktop_helpdesk.db.models import Base, is_search_index_table

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line, for developers only
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        # The FTS5 search indexes (0007) are raw SQL, not models.
        include_name=lambda name, type_, parent: not (type_ == "table" and is_search_index_table(name)),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
