"""How `make bench` assembles docs/benchmarks.md from the benchmarks' sections."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import document, refresh_glance, summary
from bench.common import percentile, write_section, write_sections

IDLE = """## 1. Idle poll

| figure | value | goal |
| --- | --- | --- |
| requests per idle poll | 1 | 1, answered 304: **met** |
| bytes | 177 B | — |
"""
LATENCY = """## 2. Detection latency

| figure | value | goal |
| --- | --- | --- |
| `poll_interval` 60 s | median 39.1 s | median ≤ 35 s: **MISSED** |
"""


def test_goals_at_a_glance_lists_every_goal_row_with_its_section() -> None:
    rows = summary([IDLE, LATENCY])
    assert rows[2:] == [
        "| 1. Idle poll | requests per idle poll | 1 | 1, answered 304: **met** |",
        "| 2. Detection latency | `poll_interval` 60 s | median 39.1 s | "
        "median ≤ 35 s: **MISSED** |",
    ]


def test_document_orders_sections_by_number_and_states_the_time_taken() -> None:
    text = document([LATENCY, IDLE], {"idle_poll": 30.0, "latency": 150.0}, quick=False)
    assert text.index("## 1. Idle poll") < text.index("## 2. Detection latency")
    assert "idle_poll 30 s, latency 150 s; 180 s in all" in text
    assert text.index("## Goals at a glance") < text.index("## 1. Idle poll")


def test_a_rerun_replaces_its_own_section_only(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    write_sections(doc, IDLE + "\n" + LATENCY)
    write_section(doc, IDLE.replace("177 B", "180 B"))
    text = doc.read_text()
    assert text.count("## 1. Idle poll") == 1 and "180 B" in text and "177 B" not in text
    assert "median 39.1 s" in text


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 21)]
    assert percentile(values, 95) == 19.0 and percentile(values, 50) == 10.0


def test_a_partial_run_refreshes_the_goals_at_a_glance(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(document([IDLE], {"idle_poll": 30.0}, quick=False), encoding="utf-8")
    write_sections(doc, LATENCY)
    refresh_glance(doc)
    text = doc.read_text(encoding="utf-8")
    glance = text[text.index("## Goals at a glance"):text.index("## 1. Idle poll")]
    assert "| 2. Detection latency | `poll_interval` 60 s |" in glance
    assert glance.count("| 1. Idle poll |") == 1 and text.count("## Goals at a glance") == 1
