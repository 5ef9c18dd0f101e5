"""`subscribers` and `digest` as a user runs them; bad input ends in a message, not a trace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import cli, source, write_config

EMAIL = {"smtp_host": "127.0.0.1", "smtp_port": 2525, "sender": "CSTO news <news@example.org>"}


def conf(tmp_path: Path, database_url: str, **email: Any) -> Path:
    return write_config(tmp_path / "config.yaml", [source("http://127.0.0.1:9/news/")],
                        database_url, email={**EMAIL, **email})


def test_add_twice_updates_list_and_remove(tmp_path: Path, database_url: str) -> None:
    path = conf(tmp_path, database_url)
    first = cli(path, "subscribers", "add", "Ann@Example.org", "--mode", "weekly", "--lang",
                "ru", "--section", "news_odkb", "--keyword", "Minsk")
    assert first.code == 0 and first.out.startswith("added ann@example.org: weekly"), first.err
    again = cli(path, "subscribers", "add", "ann@example.org", "--mode", "daily")
    assert again.code == 0 and again.out.startswith("updated ann@example.org: daily")
    rows = cli(path, "subscribers", "list", "--format", "json").json()
    assert len(rows) == 1
    assert {k: rows[0][k] for k in ("address", "mode", "ui_language", "languages",
                                     "sections", "keywords", "status")} == {
        "address": "ann@example.org", "mode": "daily", "ui_language": "ru",
        "languages": ["ru"], "sections": ["news_odkb"], "keywords": ["Minsk"],
        "status": "active"}
    assert "ann@example.org" in cli(path, "subscribers", "list", env={"COLUMNS": "200"}).out
    assert cli(path, "subscribers", "remove", "ann@example.org").code == 0
    assert cli(path, "subscribers", "list", "--format", "json").json() == []
    gone = cli(path, "subscribers", "remove", "ann@example.org")
    assert gone.code == 1 and "is not subscribed" in gone.err


@pytest.mark.parametrize("address", ["not-an-address", "ann@", "a b@example.org"])
def test_bad_address_is_refused_with_a_reason(tmp_path: Path, address: str) -> None:
    result = cli(conf(tmp_path, f"sqlite:///{tmp_path / 'x.db'}"), "subscribers", "add",
                 address)
    assert result.code == 2 and "is not a valid email address" in result.err
    assert "give an address such as" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(("email", "expected"), [
    ({"sender": "CSTO news"},
     "email.sender: Value error, 'CSTO news': 'CSTO' is not a valid email address"),
    ({"timezone": "Mars/Base"}, "email.timezone: Value error, unknown time zone 'Mars/Base'"),
    ({"public_url": "https://x.example.org"}, "public_url needs a secret"),
    ({"secret": "short"}, "email.secret: Value error, too short"),
    ({"bounce_after": 0}, "email.bounce_after: Input should be greater than or equal to 1"),
    ({"command_timeout": "soon"}, "email.command_timeout: Value error, 'soon' is not a dur"),
])
def test_bad_email_config_names_the_key(tmp_path: Path, email: dict[str, Any],
                                        expected: str) -> None:
    result = cli(conf(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", **email), "digest")
    assert result.code == 2 and expected in result.err, result.err
    assert "Traceback" not in result.err


def test_secret_from_the_environment(tmp_path: Path) -> None:
    path = conf(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", public_url="https://x.example.org")
    result = cli(path, "digest", "--dry-run", env={"CSTO_MONITOR_SECRET": "x" * 20})
    assert result.code == 0 and "0 digest(s) would be sent" in result.out, result.err


def test_digest_without_sender_says_how_to_enable_it(tmp_path: Path) -> None:
    result = cli(conf(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", sender=None), "digest")
    assert result.code == 2 and "set email.sender" in result.err, result.err


def test_digest_without_email_says_how_to_enable_it(tmp_path: Path) -> None:
    path = write_config(tmp_path / "config.yaml", [source("http://127.0.0.1:9/news/")],
                        f"sqlite:///{tmp_path / 'x.db'}")
    result = cli(path, "digest")
    assert result.code == 2 and "add an `email:` section" in result.err
