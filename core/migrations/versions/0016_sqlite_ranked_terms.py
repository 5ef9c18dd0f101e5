"""ranked words on SQLite: a one-word search's page read off a table (issue 21)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

SQLite: the table `item_terms` WITHOUT ROWID (each item's score for each of its stems,
with its date, its primary key the ranked order of a one-word search), kept by triggers
on `items` and filled here from the stored text (with a progress bar from 5,000 items);
`csto-monitor reindex` refills it. The objects and the score are described in
`core.search_terms`. PostgreSQL: nothing (0015 built its own).
"""

from alembic import op

from core import search_index, search_terms

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    total = int(conn.exec_driver_sql("SELECT count(*) FROM items").scalar() or 0)
    with search_index.progress(total, quiet=False) as advance:
        search_terms.create(conn, advance)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for ddl in search_terms.SQLITE_DROP:
        op.execute(ddl)
