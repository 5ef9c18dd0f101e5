"""`make bench`: every benchmark in one run, written to docs/benchmarks.md.

    .venv/bin/python -m bench [--quick] [--only NAME ...] [--markdown docs/benchmarks.md]

Peers and the product are measured in the same run against the same local replica, so
the ratios hold on a noisy machine. Each module returns its own section(s); this file
adds the machine, the goals at a glance and the time each benchmark took.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import DOC, machine, write_sections

# In the order the sections appear (idle_poll writes "1." and "6.").
MODULES = ("idle_poll", "latency", "history_scale", "archive_crawl", "fanout", "edit_detection",
           "api", "webhooks", "documents", "replay", "startup", "pairing", "reslug_long_run",
           "selfservice", "search", "image")
# Names a reader would use for what a module measures ("idle" and "memory" are sections 1
# and 6 of idle_poll; "startup" is the module of section 12 under its own name).
ALIASES = {"idle": "idle_poll", "memory": "idle_poll"}
_GOAL_ROW = re.compile(r"^\| (?P<figure>[^|]+) \| (?P<value>[^|]+) "
                       r"\| (?P<goal>[^|]*\*\*(met|MISSED)\*\*[^|]*) \|$")


def benchmark_names(words: list[str]) -> list[str]:
    """`--only`'s words (separate or comma-joined, aliases allowed) as modules to run, each
    once, in the order of MODULES; an unknown name raises ValueError naming the known ones."""
    wanted = set()
    for word in words:
        for name in filter(None, (part.strip() for part in word.split(","))):
            module = ALIASES.get(name, name)
            if module not in MODULES:
                known = ", ".join([*MODULES, *ALIASES])
                raise ValueError(f"unknown benchmark {name!r}; known: {known}")
            wanted.add(module)
    return [name for name in MODULES if name in wanted]


def summary(sections: list[str]) -> list[str]:
    """Every table row that states a goal, with its section: the goals at a glance."""
    rows = ["| benchmark | figure | measured | goal |", "| --- | --- | --- | --- |"]
    for text in sections:
        heading = ""
        for line in text.splitlines():
            if line.startswith("## "):
                heading = line[3:].strip()
            match = _GOAL_ROW.match(line)
            if match:
                rows.append(f"| {heading} | {match['figure'].strip()} | "
                            f"{match['value'].strip()} | {match['goal'].strip()} |")
    return rows


def document(sections: list[str], timings: dict[str, float], quick: bool) -> str:
    ordered = sorted(("\n## " + part for text in sections
                      for part in ("\n" + text).split("\n## ")[1:]), key=_number)
    took = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    head = [
        "# Benchmarks", "",
        "Reproduce everything below with `make bench` (about 15 minutes on 2 cores; it "
        "installs urlwatch and changedetection.io from PyPI into `.bench/` on first use, "
        "about 2 minutes, and needs PostgreSQL on 127.0.0.1:5432). Each section names the "
        "command that reproduces it alone; `--only startup,idle,memory` runs sections 1, 6 "
        "and 12.", "",
        f"Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC{' (--quick: small sizes)' if quick else ''}"
        f"; machine: {machine()}.", "",
        f"Time taken: {took}; {sum(timings.values()):.0f} s in all.", "",
        "## Goals at a glance", "", *summary(ordered), "",
    ]
    return "\n".join(head) + "".join(ordered).rstrip("\n") + "\n"


def refresh_glance(path: Path) -> None:
    """Rebuild the "Goals at a glance" table from the numbered sections in the doc."""
    text = path.read_text(encoding="utf-8")
    head, marker, rest = text.partition("\n## Goals at a glance\n")
    if not marker:
        return
    after = rest[rest.find("\n## "):] if "\n## " in rest else ""
    sections = ["## " + part for part in after.split("\n## ")[1:]]
    glance = "\n".join(summary(sections))
    path.write_text(f"{head}{marker}\n{glance}\n{after}", encoding="utf-8")


def _number(section: str) -> float:
    match = re.match(r"\n## (\d+)\.", section)
    return float(match[1]) if match else 99.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--only", nargs="*", default=list(MODULES), metavar="NAME",
                        help="modules to run, e.g. startup,idle,memory (aliases: "
                        + ", ".join(f"{a}={m}" for a, m in ALIASES.items()) + ")")
    parser.add_argument("--markdown", type=Path, default=DOC)
    args = parser.parse_args()
    try:
        args.only = benchmark_names(args.only)
    except ValueError as error:
        parser.error(str(error))
    sections, timings = [], {}
    for name in args.only:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        module = importlib.import_module(f"bench.{name}")
        sections.append(module.run(quick=args.quick))
        timings[name] = time.monotonic() - started
        print(f"bench: {name} took {timings[name]:.0f} s", file=sys.stderr, flush=True)
    if list(args.only) == list(MODULES):
        args.markdown.write_text(document(sections, timings, args.quick), encoding="utf-8")
    else:  # a partial run replaces its own sections only, and the goals at a glance
        for text in sections:
            write_sections(args.markdown, text)
        refresh_glance(args.markdown)
    print(f"bench: wrote {args.markdown}", file=sys.stderr)


if __name__ == "__main__":
    main()
