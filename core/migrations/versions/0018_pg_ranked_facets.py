"""facets of a one-word search counted off the ranked words' index (issue 21, PostgreSQL)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

PostgreSQL: each row of `item_terms` (0015) also holds the number of its item's section
and language, listed in the new table `section_languages`, and the ranked btree includes
it. A common word's facets grouped from `items` read every wide row (its text and search
vectors: 316 MiB at 100,000 items) to count 40,000 matches by section, language and year;
now they are counted off the word's range of that btree, which holds the date too. The
table is built again and filled from the stored vectors (with a progress bar from 5,000
items); its triggers follow a change of section or language too. A database whose 0015
already built the current table (`core.search_terms`, as new databases do) is left as it
is. SQLite: nothing (0017 counts its facets in FTS5).
"""

from alembic import op
from sqlalchemy import Connection, text

from core import search_index, search_terms

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# 0015's sync function, table and triggers, as they stood before this revision (for the
# downgrade; its other functions are unchanged).
_OLD = (
    """CREATE FUNCTION csto_item_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM item_terms AS t
            USING csto_item_terms(OLD.id, OLD.published, OLD.search_stems) AS o
            WHERE t.token = o.token AND t.score = o.score AND t.published = o.published
              AND t.item_id = o.item_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO item_terms
            SELECT * FROM csto_item_terms(NEW.id, NEW.published, NEW.search_stems);
        END IF;
        RETURN NULL; END $$""",
    "CREATE TABLE item_terms (token text NOT NULL, score real NOT NULL, "
    "published date NOT NULL, item_id integer NOT NULL)",
    "INSERT INTO item_terms SELECT t.* FROM items AS i, "
    "csto_item_terms(i.id, i.published, i.search_stems) AS t",
    "CREATE INDEX ix_item_terms_rank ON item_terms "
    "(token, score DESC, published DESC, item_id DESC)",
    """CREATE TRIGGER item_terms AFTER INSERT OR DELETE ON items
        FOR EACH ROW EXECUTE FUNCTION csto_item_terms_sync()""",
    """CREATE TRIGGER item_terms_update
        AFTER UPDATE OF id, title, lead, body, language, published, search_stems ON items
        FOR EACH ROW WHEN (OLD.search_stems IS DISTINCT FROM NEW.search_stems
                           OR OLD.published IS DISTINCT FROM NEW.published
                           OR OLD.id <> NEW.id)
        EXECUTE FUNCTION csto_item_terms_sync()""",
    "ANALYZE item_terms",
)


def _current(conn: Connection) -> bool:
    return bool(conn.scalar(text(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item_terms' "
        "AND column_name = 'section_language'")))


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or _current(conn):
        return
    for ddl in search_terms.PG_DROP:
        conn.execute(text(ddl))
    total = int(conn.scalar(text("SELECT count(*) FROM items")) or 0)
    with search_index.progress(total, quiet=False) as advance:
        search_terms.create(conn, advance)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for ddl in search_terms.PG_DROP:
        conn.execute(text(ddl))
    for ddl in (*search_terms.PG_FUNCTIONS[:2], *_OLD):  # the lexeme query, the rows
        conn.execute(text(ddl))
