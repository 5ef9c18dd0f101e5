"""`csto-monitor export`: the whole corpus (items, or every revision) as JSONL, CSV or Parquet.

Rows are read in one transaction (a consistent snapshot while polls go on), in id order,
streamed in batches, and written to `PATH.part`, renamed to PATH once complete: a failed
export leaves no half-written file under the name asked for.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core.models import Item, ItemRevision

BATCH = 2000
ITEM_COLUMNS = ("id", "url", "title", "published", "section", "language", "lead", "body",
                "attachments", "status", "first_seen", "last_changed", "revisions")
REVISION_COLUMNS = ("item_id", "number", "detected_at", "fields", "url", "title", "published",
                    "lead", "body", "attachments", "section", "language", "status")
LISTS = ("attachments", "fields")


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class ExportError(Exception):
    """A problem the user can fix (worded with the cause and the fix)."""


@dataclass(frozen=True)
class Scope:
    revisions: bool = False  # one row per revision instead of one per item
    since: date | None = None  # the item's published date
    until: date | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return REVISION_COLUMNS if self.revisions else ITEM_COLUMNS


def _dated(query: Select[*tuple[Any, ...]], scope: Scope) -> Select[*tuple[Any, ...]]:
    if scope.since:
        query = query.where(Item.published >= scope.since)
    if scope.until:
        query = query.where(Item.published <= scope.until)
    return query


def _query(scope: Scope) -> Select[*tuple[Any, ...]]:
    if not scope.revisions:
        count = (select(func.count(ItemRevision.id)).where(ItemRevision.item_id == Item.id)
                 .scalar_subquery())
        cols = [getattr(Item, c) for c in ITEM_COLUMNS[:-1]]
        return _dated(select(*cols, count.label("revisions")).order_by(Item.id), scope)
    r = ItemRevision
    query: Select[*tuple[Any, ...]] = select(
        r.item_id, r.number, r.captured_at.label("detected_at"),
        r.changed_fields.label("fields"), r.url, r.title, r.published, r.lead, r.body,
        r.attachments, Item.section, Item.language, Item.status,
    ).join(Item, Item.id == r.item_id).order_by(r.item_id, r.number)
    return _dated(query, scope)


def count_rows(session: Session, scope: Scope) -> int:
    inner = _query(scope).order_by(None).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def batches(session: Session, scope: Scope) -> Iterator[list[dict[str, Any]]]:
    """Rows as dicts (dates and datetimes as Python values), BATCH at a time."""
    result = session.execute(_query(scope).execution_options(yield_per=BATCH))
    for part in result.partitions():
        yield [row._asdict() for row in part]


# --- writers ---------------------------------------------------------------------------


class Writer(Protocol):
    def write(self, rows: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


class JsonlWriter:
    def __init__(self, out: IO[bytes], columns: tuple[str, ...]) -> None:
        self._out = out

    def write(self, rows: list[dict[str, Any]]) -> None:
        lines = (json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False)
                 for row in rows)
        self._out.write(("\n".join(lines) + "\n").encode())

    def close(self) -> None:
        self._out.flush()


class CsvWriter:
    """RFC 4180 CSV with a header; list columns (attachments, fields) as JSON arrays."""

    def __init__(self, out: IO[bytes], columns: tuple[str, ...]) -> None:
        import io

        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.DictWriter(self._text, fieldnames=list(columns))
        self._csv.writeheader()

    def write(self, rows: list[dict[str, Any]]) -> None:
        self._csv.writerows({k: json.dumps(v, ensure_ascii=False) if k in LISTS else _plain(v)
                             for k, v in row.items()} for row in rows)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class ParquetWriter:
    """Typed columns: dates as date32, times as UTC timestamps, lists as list<string>."""

    def __init__(self, out: IO[bytes], columns: tuple[str, ...]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"id": pa.int64(), "item_id": pa.int64(), "number": pa.int32(),
                 "revisions": pa.int32(), "published": pa.date32(),
                 "first_seen": pa.timestamp("us", tz="UTC"),
                 "last_changed": pa.timestamp("us", tz="UTC"),
                 "detected_at": pa.timestamp("us", tz="UTC"),
                 "attachments": pa.list_(pa.string()), "fields": pa.list_(pa.string())}
        self._schema = pa.schema([(c, types.get(c, pa.string())) for c in columns])
        self._pa = pa
        self._writer = pq.ParquetWriter(out, self._schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        self._writer.write_table(self._pa.Table.from_pylist(rows, schema=self._schema))

    def close(self) -> None:
        self._writer.close()


def writer_for(fmt: ExportFormat) -> Callable[[IO[bytes], tuple[str, ...]], Writer]:
    if fmt is ExportFormat.parquet:
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise ExportError(
                "--format parquet needs pyarrow, which is not installed; install it with "
                "pip install 'csto-monitor[parquet]', or export --format csv or jsonl"
            ) from None
        return ParquetWriter
    return JsonlWriter if fmt is ExportFormat.jsonl else CsvWriter


# --- the export ------------------------------------------------------------------------


@contextmanager
def output(path: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or PATH.part renamed to PATH when the block ends without error."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    part = path.with_name(path.name + ".part")
    try:
        with open(part, "wb") as out:
            yield out
        os.replace(part, path)
    except OSError as exc:
        raise ExportError(f"--output {path}: cannot write there ({exc.strerror}); choose "
                          "another path") from None
    finally:
        part.unlink(missing_ok=True)


def snapshot(session: Session) -> None:
    """Read everything from one snapshot (SQLite's WAL read transaction already is one)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def check(fmt: ExportFormat, path: Path | None) -> Callable[[IO[bytes], tuple[str, ...]],
                                                              Writer]:
    """The writer for `fmt`, or an ExportError before anything is read or written."""
    if fmt is ExportFormat.parquet and path is None:
        raise ExportError("--format parquet writes a binary file: pass --output PATH")
    if path is not None and not path.parent.is_dir():
        raise ExportError(f"--output {path}: no folder {path.parent}; create it or choose "
                          "another path")
    return writer_for(fmt)


def export(session: Session, fmt: ExportFormat, path: Path | None, scope: Scope,
           progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Write every row in `scope`; `progress(done, total)` after each batch. Returns rows."""
    make = check(fmt, path)
    snapshot(session)
    total, done = count_rows(session, scope), 0
    progress(0, total)
    with output(path) as out:
        writer = make(out, scope.columns)
        for rows in batches(session, scope):
            writer.write(rows)
            done += len(rows)
            progress(done, total)
        writer.close()
    return done
