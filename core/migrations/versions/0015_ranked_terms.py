"""ranked words: a one-word search's page read off an index (issue 21, PostgreSQL)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

PostgreSQL: the table `item_terms` (each item's `ts_rank_cd` for each of its words, with
its date) and its btree in ranked order, kept by triggers on `items` and filled here from
the stored vectors (with a progress bar from 5,000 items); `csto-monitor reindex` refills
it. The objects are described in `core.search_terms`. SQLite: nothing here (0016 builds
its own).
"""

from alembic import op

from core import search_index, search_terms

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    total = int(conn.exec_driver_sql("SELECT count(*) FROM items").scalar() or 0)
    with search_index.progress(total, quiet=False) as advance:
        search_terms.create(conn, advance)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for ddl in search_terms.PG_DROP:
        op.execute(ddl)
