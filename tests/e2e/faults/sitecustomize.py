"""Faults injected into a real `csto-monitor` process, for tests only.

A test puts this directory on PYTHONPATH (Python then imports this module at start) and
names a file in CSTO_TEST_FAULTS_FILE; each line of that file names an active fault, read
anew at every use, so that a test can break a running daemon and mend it again:

- `extract_detail`: the spider's detail extraction raises, as a bug in our code would;
- `lxml_html_clean`: the module `lxml_html_clean` cannot be imported, as in an install
  that lacks it: `lxml.html.clean`, which jusText (trafilatura's dependency) imports, then
  raises lxml's own "lxml.html.clean module is now a separate project" ImportError.

Nothing of this is in the product: the process runs the production code, with one
function wrapped or one module hidden.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

EXTRACTION_FAULT = "fault injected into extract_detail by tests/e2e/faults"


def active(fault: str) -> bool:
    path = os.environ.get("CSTO_TEST_FAULTS_FILE")
    if not path:
        return False
    try:
        return fault in Path(path).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        return False


def _break_extraction(news: ModuleType) -> None:
    """Wrap the extraction the spider calls (it imported it by name)."""
    extract_detail = news.extract_detail

    def faulty(*args: Any, **kwargs: Any) -> Any:
        if active("extract_detail"):
            raise ValueError(EXTRACTION_FAULT)
        return extract_detail(*args, **kwargs)

    news.extract_detail = faulty


class _Faults(importlib.abc.MetaPathFinder):
    """Hides a module, or patches one right after it is executed."""

    after_import: ClassVar[dict[str, Callable[[ModuleType], None]]] = {
        "scraper.spiders.news": _break_extraction,
    }

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name == "lxml_html_clean" and active("lxml_html_clean"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        patch = self.after_import.get(name)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        loader: Any = spec.loader
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            patch(module)

        loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _Faults())
