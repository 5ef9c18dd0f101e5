"""Printing query results as a rich table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any


def print_json(rows: Sequence[dict[str, Any]]) -> None:
    json.dump(list(rows), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_json_object(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (",".join(v) if isinstance(v, list) else v) for k, v in row.items()})


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str) -> None:
    from rich.console import Console  # only for a table: JSON, CSV and `check` go without
    from rich.table import Table

    # markup=False: scraped titles such as "[b]" or "<b>" must print literally.
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    Console(markup=False, highlight=False).print(table)


def marked(snippet: dict[str, Any]) -> Any:
    """A search snippet as rich Text with its matched words in bold."""
    from rich.text import Text

    text = Text(snippet["text"])
    for start, end in snippet["ranges"]:
        text.stylize("bold", start, end)
    return text


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value if hasattr(value, "stylize") else str(value)  # rich Text stays styled
