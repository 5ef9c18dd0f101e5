"""Configuration: the documented shape loads; a wrong value fails with its key's path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.config import ConfigError, load_settings, parse_duration

GOOD = """
database_url: sqlite:///data/x.db
sources:
  - name: csto-en
    url: https://en.odkb-csto.org/news/
    language: en
    pages: 2
poll_interval: 10m
first_run: silent
notify_on: [new, edited, removed]
user_agent_contact: https://example.org/contact
telegram: {channel: "@csto_news", admins: [1, 2]}
email: {smtp_host: 127.0.0.1, smtp_port: 2525, sender: "CSTO <news@example.org>"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_shape_loads(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD), env={})
    assert settings.poll_interval == timedelta(minutes=10)
    assert settings.sources[0].pages == 2
    assert settings.telegram is not None and settings.telegram.admins == [1, 2]
    assert "https://example.org/contact" in settings.user_agent


def test_backoff_doubles_up_to_the_cap(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD + "max_backoff: 30m\n"), env={})
    assert [settings.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [10, 20, 30, 30]


def test_cron_expression_accepted(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD + "poll_cron: '*/5 * * * *'\n"), env={})
    assert settings.poll_cron == "*/5 * * * *"


def test_shipped_default_config_loads() -> None:
    settings = load_settings(Path("config/default.yaml"), env={})
    assert {s.language for s in settings.sources} == {"en", "ru"}
    assert settings.database_url == "sqlite:///data/csto-monitor.db"


def test_env_overrides_database_and_secrets(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql+psycopg://u@h/db", "TELEGRAM_BOT_TOKEN": "123:abc",
           "SMTP_PASSWORD": "s3cret"}
    settings = load_settings(write(tmp_path, GOOD), env=env)
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.telegram is not None and settings.telegram.token == "123:abc"
    assert settings.email is not None and settings.email.password == "s3cret"


def test_config_path_from_env(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert load_settings(None, env={"CSTO_MONITOR_CONFIG": str(path)}).sources[0].name == "csto-en"


@pytest.mark.parametrize(("change", "expected"), [
    (("pages: 2", "pages: 0"), "sources.0.pages: Input should be greater than or equal to 1"),
    (("language: en", "language: de"), "sources.0.language: Input should be 'en' or 'ru'"),
    (("poll_interval: 10m", "poll_interval: soon"), "poll_interval: Value error, 'soon' is not"),
    (("first_run: silent", "first_run: loud"), "first_run: Input should be 'silent' or 'notify'"),
    (("notify_on: [new, edited, removed]", "notify_on: [new, deleted]"), "notify_on.1:"),
    (("first_run: silent", "first_run: silent\npoll_intervall: 5m"),
     "poll_intervall: unknown key; remove it or check its spelling"),
    (("    pages: 2", "    pages: 2\n    pagez: 3"), "sources.0.pagez: unknown key"),
    (("url: https://en.odkb-csto.org/news/", "url: not a url"), "sources.0.url:"),
    (("first_run: silent", "first_run: silent\npoll_cron: every minute"),
     "poll_cron: Value error, not a crontab expression"),
    (("first_run: silent", "first_run: silent\ndelivery: {lease: forever}"), "delivery.lease:"),
    (("first_run: silent", "first_run: silent\ncrawl: {worker_idle: -5}"),
     "crawl.worker_idle: Value error, must be 0 (stop after each crawl) or more"),
])
def test_bad_value_names_its_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, GOOD.replace(*change)), env={})
    assert expected in str(info.value)
    assert str(tmp_path / "config.yaml") in str(info.value)


@pytest.mark.parametrize(("telegram", "expected"), [
    ('{channel: "@новости_одкб"}', "telegram.channel:"),  # Telegram names are ASCII
    ('{channel: "@news_одкб"}', "telegram.channel:"),
    ('{channel: "@abc"}', "telegram.channel:"),  # 4 characters at least
    ('{channel: "-100١٢٣"}', "telegram.channel:"),  # Arabic-Indic digits: no chat id
    ('{bot_username: "@бот_одкб"}', "telegram.bot_username:"),
    ('{token: "١٢٣:abc"}', "telegram.token:"),
    ('{daily_at: "٠٧:٠٠"}', "telegram.daily_at:"),
    ('{daily_at: "24:00"}', "telegram.daily_at:"),
])
def test_telegram_names_times_and_tokens_are_ascii(tmp_path: Path, telegram: str,
                                                   expected: str) -> None:
    text = GOOD.replace('telegram: {channel: "@csto_news", admins: [1, 2]}',
                        f"telegram: {telegram}")
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), env={})
    assert expected in str(info.value)


def test_telegram_values_as_documented_load(tmp_path: Path) -> None:
    text = GOOD.replace('telegram: {channel: "@csto_news", admins: [1, 2]}',
                        'telegram: {channel: "-1001234567890", bot_username: "csto_news_bot", '
                        'token: "123456:AAH-x_y", daily_at: "23:59"}')
    telegram = load_settings(write(tmp_path, text), env={}).telegram
    assert telegram is not None and telegram.channel == "-1001234567890"
    assert telegram.daily_at == "23:59" and telegram.bot_username == "csto_news_bot"


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file; pass --config"):
        load_settings(tmp_path / "nope.yaml", env={})


def test_not_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path, "sources: [\n"), env={})


def test_duplicate_source_names(tmp_path: Path) -> None:
    bad = GOOD.replace("    pages: 2\n", "    pages: 2\n  - name: csto-en\n"
                       "    url: https://odkb-csto.org/news/\n    language: ru\n")
    with pytest.raises(ConfigError, match="source names must be unique; repeated: csto-en"):
        load_settings(write(tmp_path, bad), env={})


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("10m", 600), ("2h", 7200), ("1h30m", 5400), (45, 45), ("1d", 86400),
])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_duration_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("10 minutes")


def test_polling_and_revisits_defaults_and_the_fixed_shorthand(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD), env={})
    assert settings.learned_polling and settings.polling.timezone == "Europe/Moscow"
    assert (settings.min_poll_interval, settings.polling.max_interval) == (
        timedelta(minutes=10), timedelta(hours=1))
    assert settings.revisits.schedule[0] == timedelta(minutes=15)
    assert settings.revisits.schedule[-1] == timedelta(days=30)
    assert settings.crawl.recheck_interval is None  # superseded by revisits: off
    fixed = load_settings(write(tmp_path, GOOD + "polling: fixed\n"), env={})
    assert not fixed.learned_polling
    cron = load_settings(write(tmp_path, GOOD + "poll_cron: '*/5 * * * *'\n"), env={})
    assert not cron.learned_polling  # a crontab is a fixed schedule
    custom = load_settings(write(tmp_path, GOOD + (
        "polling: {min_interval: 5m, max_interval: 2h, timezone: Asia/Yerevan}\n"
        "revisits: {schedule: [30m, 1d], max_per_poll: 1}\n")), env={})
    assert custom.min_poll_interval == timedelta(minutes=5)
    assert custom.revisits.schedule == [timedelta(minutes=30), timedelta(days=1)]


@pytest.mark.parametrize(("extra", "expected"), [
    ("polling: sometimes", "polling.mode: Input should be 'learned' or 'fixed'"),
    ("polling: {mode: learned, max_interval: 5m}",
     "polling.max_interval (0:05:00) is shorter than polling.min_interval (0:10:00"),
    ("polling: {min_interval: 0s}", "polling.min_interval: Value error, must be at least 1s"),
    ("polling: {timezone: Mars/Olympus}", "polling.timezone: Value error, unknown time zone"),
    ("polling: {every: 5m}", "polling.every: unknown key"),
    ("revisits: {schedule: [1h, 15m]}", "revisits.schedule: Value error, delays must increase"),
    ("revisits: {schedule: []}", "revisits.schedule: List should have at least 1 item"),
    ("revisits: {schedule: [0s, 1h]}", "revisits.schedule: Value error, every delay must be "
                                       "positive"),
    ("revisits: {schedule: [soon]}", "revisits.schedule.0: Value error, 'soon' is not a "
                                     "duration"),
    ("revisits: {max_per_poll: 0}", "revisits.max_per_poll: Input should be greater than or "
                                    "equal to 1"),
])
def test_bad_polling_or_revisits_value_names_its_key(tmp_path: Path, extra: str,
                                                     expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, GOOD + extra + "\n"), env={})
    assert expected in str(info.value)
