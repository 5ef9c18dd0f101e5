"""Opening a database on the newest schema skips Alembic: that shortcut must know the head."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text

from core.db import make_engine
from core.migrate import alembic_config, at_head, head_revision, upgrade


def test_the_head_read_from_the_files_is_alembics(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    assert head_revision() == scripts.get_current_head()


def test_a_branch_or_an_unreadable_file_leaves_the_decision_to_alembic(tmp_path: Path
                                                                       ) -> None:
    (tmp_path / "0001_a.py").write_text('revision = "a"\ndown_revision = None\n')
    (tmp_path / "0002_b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    assert head_revision(tmp_path) == "b"
    (tmp_path / "0003_c.py").write_text('revision: str = "c"\ndown_revision = "a"\n')
    assert head_revision(tmp_path) is None  # two heads
    (tmp_path / "0004_m.py").write_text('revision = "m"\ndown_revision = ("b", "c")\n')
    assert head_revision(tmp_path) == "m"  # a merge
    (tmp_path / "0005_x.py").write_text("revision = make_id()\ndown_revision = 'm'\n")
    assert head_revision(tmp_path) is None


def test_only_a_database_on_the_head_is_at_head(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    assert not at_head(engine)  # no alembic_version table yet
    upgrade(engine)
    assert at_head(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not at_head(engine)
    engine.dispose()
