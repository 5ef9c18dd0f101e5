"""Log lines: secrets are replaced wherever they appear, JSON lines parse."""

from __future__ import annotations

import json
import logging

import pytest

from core.logs import redact_secrets, setup_logging


@pytest.fixture(autouse=True)
def _reset() -> None:
    yield
    redact_secrets([])
    setup_logging("WARNING", "text")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_redacted_in_messages_and_tracebacks(
        fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    token = "123456:AAE-secret"
    setup_logging("INFO", fmt)
    redact_secrets([token, "pw-1234"])
    log = logging.getLogger("httpx")
    logging.getLogger("csto.test").info("POST https://api.telegram.org/bot%s/sendMessage", token)
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{token}/getMe pw-1234")
    except ConnectionError:
        logging.getLogger("csto.test").exception("send failed")
    log.warning("https://api.telegram.org/bot%s/x", token)
    err = capsys.readouterr().err
    assert token not in err and "pw-1234" not in err
    assert err.count("***") >= 4
    if fmt == "json":
        lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        assert lines[0]["message"] == "POST https://api.telegram.org/bot***/sendMessage"


def test_httpx_request_urls_are_not_logged_at_info(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", "text")
    logging.getLogger("httpx").info('HTTP Request: POST https://api.telegram.org/botT/getMe')
    assert "api.telegram.org" not in capsys.readouterr().err
