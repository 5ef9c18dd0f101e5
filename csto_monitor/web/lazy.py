"""Route handlers imported with their first request.

The daemon serves its pages, feed and API beside the polls, but most daemons are never
asked for most of them: importing their modules at the start held ~8 MB for nothing
(feedgen with lxml ~5 MB, Jinja2, the API's queries and schemas; docs/benchmarks.md
section 12). `tests/test_lazy_imports.py` keeps them out of an idle daemon.
"""

from __future__ import annotations

import importlib

from aiohttp import web

from csto_monitor.web.context import Handler


def lazy(module: str, name: str) -> Handler:
    """`csto_monitor.web.<module>.<name>`, imported when a request first needs it.

    The import runs on the event loop, once (~10-100 ms at the first request of a page);
    after that it is a lookup in sys.modules."""
    path = f"csto_monitor.web.{module}"

    async def handler(request: web.Request) -> web.StreamResponse:
        target: Handler = getattr(importlib.import_module(path), name)
        return await target(request)

    handler.__name__ = handler.__qualname__ = name  # aiohttp's route listings show it
    return handler
