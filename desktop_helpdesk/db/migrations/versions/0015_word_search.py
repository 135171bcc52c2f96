"""Word indexes over the folded search_text, for the global search (Ctrl+F)

The global search finds the records holding the typed words as words (every word whole but
the last, which may be the start of one; domain/search.py). The trigram indexes of 0007 and
0010 answer "contains this piece of text": a name made of common words ("Dương Mỹ Mai",
"Công ty TNHH Dịch vụ An Khang Sao Việt") made them intersect the rows holding every
trigram of every word, 100–250 ms at a million tickets (benchmarks/README.md). A word index
intersects the rows holding each word: a few milliseconds.

- SQLite: an external-content FTS5 table `<table>_words` (unicode61 words, `detail='none'`,
  prefix indexes of 2 and 3 characters so that a short last word is cheap), kept in step by
  triggers as `<table>_fts` is, filled here from the existing rows. Skipped where FTS5 is
  missing (the search then falls back to the substring search).
- PostgreSQL: a stored generated column `search_words`, the words of search_text
  (`to_tsvector('simple', …)` of the text with every run of characters other than a–z and
  0–9 made a space, so that both engines split text into the same words; without positions),
  and a GIN index `ix_<table>_search_words` on it. The column is the server's own, not the
  models' (the app never writes or reads it but in the search's conditions): checking it on
  a row costs 0.3–0.8 µs where computing it costs ~30 µs, so the search can also walk the
  newest rows in id order and stop after the first 200 matches, which no GIN index can do.
  Adding it rewrites each table (about a minute per million tickets).

The trigram indexes stay: the list filters, and the global search when no record holds the
words, look for text anywhere.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("customers", "contacts", "contracts", "tickets")
#: PostgreSQL: the words of search_text.
WORDS_PG = "strip(to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^0-9a-z]+', ' ', 'g')))"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_words tsvector GENERATED ALWAYS AS ({WORDS_PG}) STORED")
            op.execute(f"CREATE INDEX ix_{table}_search_words ON {table} USING gin (search_words)")
        # The search walks the newest tickets in id order checking their words: read from
        # this index alone, without the rows (0.25 µs a row instead of 0.4).
        op.execute("CREATE INDEX ix_tickets_words_by_id ON tickets (id) INCLUDE (search_words)")
        for table in TABLES:
            op.execute(f"ANALYZE {table}")
        return
    if conn.dialect.name != "sqlite" or not _has_fts5(conn):
        return
    for table in TABLES:
        fts = f"{table}_words"
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
            f"tokenize='unicode61', detail='none', prefix='2 3')")
        conn.exec_driver_sql(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts} (rowid, search_text) VALUES (new.id, new.search_text); END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts} ({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {fts} ({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {fts} (rowid, search_text) VALUES (new.id, new.search_text); END")


def _has_fts5(conn) -> bool:
    try:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp._probe_words USING fts5(x)")
    except sa.exc.DBAPIError:
        return False
    conn.exec_driver_sql("DROP TABLE temp._probe_words")
    return True


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_words")
            op.execute("DROP INDEX IF EXISTS ix_tickets_words_by_id")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_words")
        return
    if conn.dialect.name != "sqlite":
        return
    for table in TABLES:
        for suffix in ("ai", "ad", "au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_words_{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}_words")
