"""Logging for the CLI and the daemon: readable lines by default, JSON for collectors."""

from __future__ import annotations

import json
import logging
import sys

# Libraries that log request URLs (which may carry tokens) or are noisy at INFO.
# Alembic's INFO lines (each migration run, each of its plugins set up) say nothing an
# operator needs: opening the database reports what it did in one line of its own.
_QUIET = ("httpx", "httpcore", "apscheduler", "filelock", "asyncio", "alembic")
# Scrapy logs each failed download with a traceback; the poll's outcome already says it in
# one line ("cannot reach …"), so its own logs are shown only when debugging.
_CRAWL = ("scrapy", "twisted", "py.warnings")


class Redactor:
    """Replaces every configured secret in formatted log lines (messages and tracebacks)."""

    def __init__(self) -> None:
        self.secrets: list[str] = []

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


REDACT = Redactor()


def redact_secrets(secrets: list[str]) -> None:
    """Register values (tokens, passwords) that must never appear in a log line."""
    # Longest first, so a secret containing another is replaced whole.
    REDACT.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return REDACT(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {"time": self.formatTime(record), "level": record.levelname,
                   "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return REDACT(json.dumps(payload, ensure_ascii=False))


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(message)s",
                                                "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _CRAWL:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.CRITICAL)
