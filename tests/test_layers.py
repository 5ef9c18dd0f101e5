"""The one rule of the layout: a package imports only the layers below it.

    csto_monitor   the composition root: CLI commands, daemon, web pages, bot handlers
    notifier       outbox, dispatch, channels, digests
    monitor        poll, diff, store, history, search
    core, scraper  the shared core (config, models, database, logs, metrics); the spider

Every import counts, those inside functions and under TYPE_CHECKING included.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parent.parent
LAYERS = {"core": 0, "scraper": 0, "monitor": 1, "notifier": 2, "csto_monitor": 3}


def _imported_modules(tree: ast.AST, package: str) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside its own package.
            yield node.lineno, package if node.level else (node.module or package)


def upward_imports(package: str, source: str) -> list[tuple[int, str]]:
    """(line, module) of each import of a first-party layer not strictly below `package`."""
    found = []
    for line, module in _imported_modules(ast.parse(source), package):
        target = module.split(".")[0]
        if target in LAYERS and target != package and LAYERS[target] >= LAYERS[package]:
            found.append((line, module))
    return found


def test_no_import_points_up_or_across_a_layer() -> None:
    problems = [
        f"{path.relative_to(TOP)}:{line} imports {module}"
        for package in LAYERS
        for path in sorted((TOP / package).rglob("*.py"))
        for line, module in upward_imports(package, path.read_text(encoding="utf-8"))
    ]
    assert not problems, "imports that point up or across a layer:\n" + "\n".join(problems)


@pytest.mark.parametrize(("package", "source", "expected"), [
    ("monitor", "from notifier import outbox\n", [(1, "notifier")]),
    ("notifier", "def f():\n    from csto_monitor.runtime import Monitor\n",
     [(2, "csto_monitor.runtime")]),
    ("core", "import scraper.items\n", [(1, "scraper.items")]),
    ("monitor", "from core.models import Item\nfrom scraper.items import NewsItem\n", []),
    ("csto_monitor", "from notifier import outbox\nfrom . import cli\n", []),
])
def test_the_rule_is_what_the_check_applies(package: str, source: str,
                                             expected: list[tuple[int, str]]) -> None:
    assert upward_imports(package, source) == expected
