"""The noise tests crawl in-process like the scraper tests: the same `source_crawler`.

`crawl_loop` and `run` come from tests/fixtures/crawl.py (a plugin of tests/conftest.py).
"""

from tests.scraper.conftest import source_crawler

__all__ = ["source_crawler"]
