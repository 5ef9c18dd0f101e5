"""The scraper tests' shared event loop (a crawl in-process needs the reactor's one loop)."""

from tests.scraper.conftest import crawl_loop, run, source_crawler

__all__ = ["crawl_loop", "run", "source_crawler"]
