"""`csto-monitor export` as a user runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from core.db import make_engine, session_factory
from core.migrate import upgrade
from csto_monitor.cli import app
from tests.e2e.harness import Result, cli, write_config
from tests.web.helpers import HOSTILE, sample_history


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    engine = make_engine(database_url)
    upgrade(engine)
    sample_history(session_factory(engine))
    engine.dispose()
    return write_config(tmp_path / "config.yaml", [{
        "name": "csto-en", "url": "http://127.0.0.1:9/news/", "language": "en"}],
        database_url)


def export(config: Path, *args: str) -> Result:
    return cli(config, "export", *args)


def test_jsonl_items_carry_the_history_fields_and_the_text(config: Path) -> None:
    result = export(config, "--format", "jsonl")
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert len(rows) == 30 and [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    edited = next(r for r in rows if r["title"] == "Secretary General visits Minsk and Astana")
    assert edited["revisions"] == 3 and "quokka" in edited["body"]
    assert edited["published"] == "2026-02-10" and edited["attachments"] == []
    assert any(r["title"] == HOSTILE for r in rows)
    assert "exported 30 items" in result.err


def test_csv_revisions_one_row_per_revision(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "revisions.csv"
    result = export(config, "--format", "csv", "--revisions", "--output", str(out))
    assert result.code == 0 and result.out == "", result.err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 32 and "exported 32 revisions to" in result.err
    edits = [r for r in rows if r["title"].startswith("Secretary General visits")]
    assert [(r["number"], json.loads(r["fields"])) for r in edits] == [
        ("1", []), ("2", ["body"]), ("3", ["title"])]
    assert edits[2]["detected_at"] == "2026-01-05T11:30:00+00:00"
    assert not list(tmp_path.glob("*.part"))


def test_parquet_is_typed_and_dates_filter(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "items.parquet"
    result = export(config, "--format", "parquet", "--since", "2026-01-01", "--until",
                    "2026-02-10", "-o", str(out))
    assert result.code == 0, result.err
    table = pq.read_table(out)
    assert table.num_rows == 3
    assert table.schema.field("published").type == pa.date32()
    assert table.schema.field("first_seen").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("attachments").type == pa.list_(pa.string())
    revisions = tmp_path / "revisions.parquet"
    assert export(config, "--format", "parquet", "--revisions", "-o", str(revisions)).code == 0
    assert pq.read_table(revisions).num_rows == 32


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "parquet"], "--format parquet writes a binary file: pass --output PATH"),
    (["--format", "xml"], "Invalid value for '--format'"),
    (["--output", "/no/such/folder/x.csv"], "no folder /no/such/folder; create it"),
    (["--since", "2026-13-01"], "Invalid value for '--since'"),
])
def test_a_users_mistake_is_one_clear_line(config: Path, args: list[str], message: str
                                           ) -> None:
    result = export(config, *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def test_without_pyarrow_parquet_says_how_to_install_it(
        config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = CliRunner().invoke(app, ["--config", str(config), "export", "--format",
                                      "parquet", "-o", str(tmp_path / "x.parquet")])
    assert result.exit_code == 2
    assert "needs pyarrow, which is not installed; install it with pip install " \
           "'csto-monitor[parquet]'" in result.output
    assert not (tmp_path / "x.parquet").exists()
