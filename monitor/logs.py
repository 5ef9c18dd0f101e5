"""Logging for the CLI and the daemon: readable lines by default, JSON for collectors."""

from __future__ import annotations

import json
import logging
import sys

# Libraries that log request URLs (which may carry tokens) or are noisy at INFO.
_QUIET = ("httpx", "httpcore", "apscheduler.executors", "filelock", "asyncio",
          "alembic.runtime.migration")
# Scrapy logs each failed download with a traceback; the poll's outcome already says it in
# one line ("cannot reach …"), so its own logs are shown only when debugging.
_CRAWL = ("scrapy", "twisted", "py.warnings")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {"time": self.formatTime(record), "level": record.levelname,
                   "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s",
                                               "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _CRAWL:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.CRITICAL)
