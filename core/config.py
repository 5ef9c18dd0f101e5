"""The one validated configuration model, loaded from YAML with a few env overrides."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.events import EventKind

DEFAULT_CONFIG_PATH = Path("config/default.yaml")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(Exception):
    """A configuration problem, worded for the user (path of the key, reason, fix)."""


def parse_duration(value: Any) -> timedelta:
    """Read `30s`, `10m`, `2h`, `1h30m`, `1d` or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    text = str(value).strip().lower()
    if text and _DURATION_PART.sub("", text).strip() == "":
        seconds = sum(float(n) * _UNITS[u] for n, u in _DURATION_PART.findall(text))
        return timedelta(seconds=seconds)
    raise ValueError(f"{value!r} is not a duration; write e.g. 30s, 10m, 2h or 1h30m")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _known_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; write e.g. UTC or Europe/Moscow"
                         ) from None
    return value


TimeZone = Annotated[str, AfterValidator(_known_timezone)]
# The patterns spell out ASCII classes: pydantic compiles them with Rust's regex, whose \d
# and \w are Unicode classes (they would take Arabic digits or Cyrillic letters, which
# no clock, bot token or Telegram name has) compiled into large automata: \w{3,31} held
# ~3 MB for the life of every process that loads the settings, ~5 MB in all (and the
# time to compile them at every start).
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]  # "07:00"
_TELEGRAM_NAME = r"[A-Za-z][A-Za-z0-9_]{3,31}"  # a letter, then 3 to 31 more


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Selectors(_Strict):
    """Optional CSS selectors that narrow where the scraper looks; links and dates decide."""

    listing_item: str | None = None
    detail_title: str | None = None
    detail_body: str | None = None


class SourceSettings(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    url: HttpUrl
    language: Literal["en", "ru"]
    pages: Annotated[int, Field(ge=1, le=50)] = 2
    # Superseded by `revisits`: the newest N pages re-read every `crawl.recheck_interval`,
    # which is unset (off) by default.
    recheck_latest: Annotated[int, Field(ge=0, le=100)] = 20
    selectors: Selectors = Selectors()


class Crawl(_Strict):
    """Politeness and robustness of each crawl."""

    download_timeout: Duration = timedelta(seconds=30)
    download_delay: Duration = timedelta(seconds=1)
    autothrottle: bool = True
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    retry_backoff: Duration = timedelta(seconds=2)
    obey_robots_txt: bool = True
    min_items_ratio: Annotated[float, Field(ge=0, le=1)] = 0.5
    # Superseded by `revisits`; when set, also re-read the listing unconditionally and the
    # newest `recheck_latest` pages this often (a sweep for tests and the cautious).
    recheck_interval: Duration | None = None
    # The daemon's crawls run in a worker process, stopped after this long without a crawl:
    # shorter gives its ~70 MB back sooner, longer spares restarts (~0.6 s of CPU each).
    worker_idle: Duration = timedelta(minutes=10)

    @field_validator("worker_idle")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("must be 0 (stop after each crawl) or more, e.g. 10m")
        return value


class Revisits(_Strict):
    """Each item's page is read again on a schedule that decays with its age."""

    enabled: bool = True
    # Delays after an item is first seen (or last found edited), each counted from then.
    schedule: Annotated[list[Duration], Field(min_length=1, max_length=50)] = [
        timedelta(minutes=15), timedelta(hours=1), timedelta(hours=6), timedelta(days=1),
        timedelta(days=3), timedelta(days=7), timedelta(days=30)]
    max_per_poll: Annotated[int, Field(ge=1, le=100)] = 3  # spread, never a burst

    @field_validator("schedule")
    @classmethod
    def _increasing(cls, steps: list[timedelta]) -> list[timedelta]:
        if any(step <= timedelta(0) for step in steps):
            raise ValueError("every delay must be positive, e.g. [15m, 1h, 6h, 1d]")
        if any(later <= earlier for earlier, later in pairwise(steps)):
            raise ValueError("delays must increase, each counted from the first sighting: "
                             "e.g. [15m, 1h, 6h, 1d, 3d, 7d, 30d]")
        return steps


class Polling(_Strict):
    """When each source is polled: `learned` from when it publishes, or `fixed`."""

    mode: Literal["learned", "fixed"] = "learned"
    min_interval: Duration | None = None  # default: poll_interval
    max_interval: Duration = timedelta(hours=1)
    timezone: TimeZone = "Europe/Moscow"  # the site's; hours of the week are counted in it
    burst: Duration = timedelta(hours=2)  # after a new item, poll at min_interval this long

    @field_validator("min_interval", "max_interval", "burst")
    @classmethod
    def _at_least_a_second(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(seconds=1):
            raise ValueError("must be at least 1s")
        return value


def _polling_shorthand(value: Any) -> Any:
    """`polling: fixed` or `polling: learned` stands for `polling: {mode: ...}`."""
    return {"mode": value} if isinstance(value, str) else value


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$", re.I)
_SIZE_UNITS = {"b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30}


def parse_size(value: Any) -> int:
    """Read `20MB`, `512kb`, `1GB` or a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a size; write e.g. 20MB, 512KB or 1048576")
    return int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()])


Size = Annotated[int, BeforeValidator(parse_size), Field(ge=1024)]


class DocumentSettings(_Strict):
    """Files attached to items (PDF, DOCX ...): fetched after an item's page is read."""

    enabled: bool = True
    max_bytes: Size = 20 << 20  # a larger file is recorded as too_large, not downloaded
    max_unpacked_bytes: Size = 100 << 20  # a DOCX/ODT unpacking to more is a zip bomb


class DeliverySettings(_Strict):
    """How the outbox is drained."""

    interval: Duration = timedelta(seconds=5)
    lease: Duration = timedelta(minutes=2)  # a claimed delivery is retried after this
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 8


class Telegram(_Strict):
    """The Telegram channel and bot; see docs/telegram.md."""

    token: Annotated[str, Field(pattern=r"^[0-9]+:[A-Za-z0-9_-]+$")] | None = None
    api_url: HttpUrl = HttpUrl("https://api.telegram.org")  # or a self-hosted Bot API server
    # "@name" or a numeric id (-100...); no channel posts when unset.
    channel: Annotated[str, Field(pattern=rf"^(@{_TELEGRAM_NAME}|-?[0-9]+)$")] | None = None
    channel_language: Literal["en", "ru"] = "en"  # the language of the posts' own words
    # The bot's @name: the email sign-up page links to https://t.me/<name>.
    bot_username: Annotated[str, Field(pattern=rf"^@?{_TELEGRAM_NAME}$")] | None = None
    admins: list[int] = []
    burst_threshold: Annotated[int, Field(ge=1, le=1000)] = 5  # more in one poll: one summary
    daily_at: ClockTime = "07:00"
    timezone: TimeZone = "UTC"
    read_timeout: Duration = timedelta(seconds=20)  # long: a timeout is never resent


class Signup(_Strict):
    """Limits of the sign-up form, against abuse (docs/email.md, "Sign-up form")."""

    per_address: Annotated[int, Field(ge=1, le=1000)] = 3  # mails to one address per window
    per_client: Annotated[int, Field(ge=1, le=100_000)] = 10  # sign-ups per client per window
    window: Duration = timedelta(hours=1)
    max_pending: Annotated[int, Field(ge=1, le=10_000_000)] = 1000  # unconfirmed at once
    confirm_within: Duration = timedelta(hours=48)  # a confirmation link's life
    rate_limits: bool = True  # false only for load tests (bench/signups.py)


class Email(_Strict):
    smtp_host: str = "localhost"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    reply_to: str | None = None
    daily_at: ClockTime = "07:00"
    weekly_on: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = "monday"
    timezone: TimeZone = "UTC"
    public_url: HttpUrl | None = None
    secret: str | None = None  # signs unsubscribe tokens; or env CSTO_MONITOR_SECRET
    # 5xx refusals in a row -> the subscriber is paused (`bouncing`); `bounce_after` is
    # the key's former name, still read.
    max_bounces: Annotated[int, Field(ge=1, le=100, validation_alias=AliasChoices(
        "max_bounces", "bounce_after"))] = 3
    # The sign-up form (/subscribe, docs/email.md): None = on when public_url is set.
    self_service: bool | None = None
    signup: Signup = Signup()
    connect_timeout: Duration = timedelta(seconds=10)
    command_timeout: Duration = timedelta(seconds=30)

    @field_validator("sender", "reply_to")
    @classmethod
    def _mailbox(cls, value: str | None) -> str | None:
        if value is not None:
            from core.addresses import check_mailbox

            check_mailbox(value)
        return value

    @field_validator("secret")
    @classmethod
    def _long_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 16:
            raise ValueError("too short to be unguessable; use at least 16 random characters")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Email:
        if self.public_url is not None and self.secret is None:
            raise ValueError("public_url needs a secret to sign unsubscribe links; set "
                             "email.secret or env CSTO_MONITOR_SECRET")
        if self.self_service:
            missing = [key for key, value in (("secret", self.secret),
                                              ("public_url", self.public_url),
                                              ("sender", self.sender)) if value is None]
            if missing:
                raise ValueError(
                    "self_service (the sign-up form) needs " + ", ".join(
                        f"email.{key}" for key in missing) + " (the secret signs the "
                    "confirmation links, public_url is where they point, sender mails "
                    "them); set them, or set email.self_service: false")
        return self

    @property
    def sign_up_open(self) -> bool:
        """Whether the web server offers the sign-up form."""
        ready = None not in (self.secret, self.public_url, self.sender)
        return ready if self.self_service is None else self.self_service


class Bilingual(_Strict):
    """The two language versions of one story (README "Two languages")."""

    # A version edited (title, lead, body, date) or removed while its counterpart was not
    # within this long is recorded as a `diverged` event.
    divergence_after: Duration = timedelta(hours=24)

    @field_validator("divergence_after")
    @classmethod
    def _not_too_short(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError("must be at least 1s; the other site needs hours to follow, "
                             "e.g. 24h")
        return value


DEEPL_FREE_URL = "https://api-free.deepl.com"
DEEPL_PRO_URL = "https://api.deepl.com"


class Translation(_Strict):
    """Machine translation of news for readers of the other language (README "Translation").

    A provider failure never holds a message back: it goes out untranslated.
    """

    provider: Literal["libretranslate", "deepl"]
    url: HttpUrl | None = Field(None, validate_default=True)  # LibreTranslate's server
    # DeepL's key (required); LibreTranslate's, when the server asks for one.
    api_key: str | None = Field(None, validate_default=True)
    api_url: HttpUrl | None = Field(None, validate_default=True)  # DeepL: default by key
    timeout: Duration = timedelta(seconds=5)  # short: a slow provider must not delay news
    max_requests_per_minute: Annotated[int, Field(ge=1, le=10_000)] = 30

    @field_validator("url")
    @classmethod
    def _libretranslate_url(cls, value: HttpUrl | None, info: ValidationInfo
                            ) -> HttpUrl | None:
        provider = info.data.get("provider")
        if provider == "libretranslate" and value is None:
            raise ValueError("required by provider libretranslate: the address of its "
                             "server, e.g. http://127.0.0.1:5000")
        if provider == "deepl" and value is not None:
            raise ValueError("not used by provider deepl; remove it (translation.api_url "
                             "sets DeepL's address)")
        return value

    @field_validator("api_key")
    @classmethod
    def _deepl_key(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("provider") == "deepl" and not value:
            raise ValueError("required by provider deepl: the authentication key of your "
                             "DeepL API account (or env TRANSLATION_API_KEY)")
        return value

    @field_validator("api_url")
    @classmethod
    def _deepl_url(cls, value: HttpUrl | None, info: ValidationInfo) -> HttpUrl | None:
        if info.data.get("provider") == "libretranslate" and value is not None:
            raise ValueError("not used by provider libretranslate; use translation.url")
        return value

    @field_validator("timeout")
    @classmethod
    def _short_timeout(cls, value: timedelta) -> timedelta:
        if not timedelta(milliseconds=100) <= value <= timedelta(seconds=30):
            raise ValueError("must be between 100ms and 30s: news waits for it")
        return value

    @property
    def endpoint(self) -> str:
        """The provider's base address: translation.url, or DeepL's API (":fx" keys: Free)."""
        if self.provider == "libretranslate":
            return str(self.url).rstrip("/")
        if self.api_url is not None:
            return str(self.api_url).rstrip("/")
        free = (self.api_key or "").endswith(":fx")
        return DEEPL_FREE_URL if free else DEEPL_PRO_URL


class Http(_Strict):
    """The built-in HTTP server: health, metrics, Atom feed, unsubscribe, history pages, API."""

    listen: str = "127.0.0.1:8080"  # "0.0.0.0:8080" to serve other hosts (e.g. in Docker)
    enabled: bool = True
    # Bearer tokens for /api/ (or env CSTO_MONITOR_API_TOKENS, comma-separated); none: open.
    api_tokens: list[Annotated[str, Field(min_length=16, pattern=r"^[\x21-\x7e]+$")]] = []
    api_rate: Annotated[float, Field(gt=0, le=10_000)] = 10.0  # requests/s per API client

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"{value!r} is not HOST:PORT; write e.g. 127.0.0.1:8080")
        return value

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])


Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class _EventFilter(_Strict):
    """Which change events a webhook or an Apprise target gets ([] = every one)."""

    name: Name | None = None  # the outbox recipient; default: derived from the URL
    events: list[EventKind] = ["new", "edited", "removed"]
    sections: list[str] = []
    languages: list[Literal["en", "ru"]] = []
    # Only items mentioning one of these (matched as search matches: word forms).
    keywords: list[str] = []

    @field_validator("keywords")
    @classmethod
    def _words(cls, keywords: list[str]) -> list[str]:
        from core.analyzer import tokens

        for keyword in keywords:
            if not tokens(keyword):
                raise ValueError(f"{keyword!r} has no letter or digit: write a word, "
                                 "e.g. Minsk")
        return keywords

    def key(self, url: str, prefix: str) -> str:
        """A stable short name, so that a URL carrying a token never reaches the outbox."""
        import hashlib

        return self.name or f"{prefix}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


class Webhook(_EventFilter):
    """POST each matching change event as signed JSON; see docs/integrations.md."""

    url: HttpUrl
    secret: Annotated[str, Field(min_length=16)]  # HMAC-SHA256 key of X-CSTO-Signature
    timeout: Duration = timedelta(seconds=10)

    @property
    def recipient(self) -> str:
        return self.key(str(self.url), "webhook")


class AppriseTarget(_EventFilter):
    """Send each matching change event through Apprise (Slack, Matrix, ntfy, ...)."""

    url: Annotated[str, Field(min_length=3)]
    language: Literal["en", "ru"] = "en"  # the words of the message (as email's ui_language)

    @field_validator("url")
    @classmethod
    def _known_service(cls, value: str) -> str:
        import apprise

        if apprise.Apprise.instantiate(value) is None:
            raise ValueError("not a URL Apprise can send to; write one of its service "
                             "URLs (github.com/caronc/apprise/wiki), e.g. ntfy://topic or "
                             "json://host:port/path")
        return value

    @property
    def recipient(self) -> str:
        return self.key(self.url, "apprise")


def _unique_recipients(targets: list[Any], key: str) -> None:
    names = [t.recipient for t in targets]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{key}: two entries share the name (or URL) {', '.join(repeated)}; "
                         "give each a different name")


class Settings(_Strict):
    database_url: str = "sqlite:///data/csto-monitor.db"
    sources: Annotated[list[SourceSettings], Field(min_length=1)]
    poll_interval: Duration = timedelta(minutes=10)
    poll_cron: str | None = None  # crontab ("*/10 * * * *"), used instead of poll_interval
    poll_jitter: Duration | None = None  # default: 10 % of the interval, at most 30 s
    max_backoff: Duration = timedelta(hours=1)
    alert_after_failures: Annotated[int, Field(ge=1, le=1000)] = 3
    first_run: Literal["silent", "notify"] = "silent"
    notify_on: list[EventKind] = ["new", "edited", "removed", "document_changed", "diverged"]
    user_agent_contact: str = "https://github.com/csto-monitor/csto-monitor"
    crawl: Crawl = Crawl()
    documents: DocumentSettings = DocumentSettings()
    revisits: Revisits = Revisits()
    polling: Annotated[Polling, BeforeValidator(_polling_shorthand)] = Polling()
    delivery: DeliverySettings = DeliverySettings()
    bilingual: Bilingual = Bilingual()
    telegram: Telegram | None = None
    email: Email | None = None
    http: Http = Http()
    webhooks: list[Webhook] = []
    apprise: list[AppriseTarget] = []
    translation: Translation | None = None

    @model_validator(mode="after")
    def _distinct_targets(self) -> Settings:
        _unique_recipients(self.webhooks, "webhooks")
        _unique_recipients(self.apprise, "apprise")
        return self

    @model_validator(mode="after")
    def _polling_bounds(self) -> Settings:
        if self.min_poll_interval > self.polling.max_interval:
            raise ValueError(
                f"polling.max_interval ({self.polling.max_interval}) is shorter than "
                f"polling.min_interval ({self.min_poll_interval}, default poll_interval); "
                "raise max_interval or lower min_interval")
        return self

    @property
    def min_poll_interval(self) -> timedelta:
        return self.polling.min_interval or self.poll_interval

    @property
    def learned_polling(self) -> bool:
        """Whether polls follow the learned rhythm (not with `poll_cron` or `polling: fixed`)."""
        return self.polling.mode == "learned" and self.poll_cron is None

    @field_validator("poll_interval")
    @classmethod
    def _interval_not_too_short(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError("must be at least 1s")
        return value

    @field_validator("poll_cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(value)
            except ValueError as exc:
                raise ValueError(f"not a crontab expression ({exc}); e.g. '*/10 * * * *'") from None
        return value

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceSettings]) -> list[SourceSettings]:
        names = [s.name for s in sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return sources

    @property
    def user_agent(self) -> str:
        return f"csto-monitor/0.1 (+{self.user_agent_contact})"

    @property
    def jitter_seconds(self) -> float:
        if self.poll_jitter is not None:
            return self.poll_jitter.total_seconds()
        return min(self.poll_interval.total_seconds() * 0.1, 30.0)

    def backoff(self, failures: int) -> timedelta:
        """How long to wait after `failures` consecutive failed polls."""
        return min(self.poll_interval * 2 ** max(failures - 1, 0), self.max_backoff)

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line."""
        from sqlalchemy.engine import make_url

        found = [make_url(self.database_url).password]
        if self.telegram:
            found.append(self.telegram.token)
        if self.email:
            found.extend([self.email.password, self.email.secret])
        if self.translation:
            found.append(self.translation.api_key)
        found += [*self.http.api_tokens, *(w.secret for w in self.webhooks),
                  *(a.url for a in self.apprise)]  # Apprise URLs carry their tokens
        return [str(s) for s in found if s]


def _apply_env(data: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """Secrets and the database may come from the environment, which wins over the file."""
    if env.get("DATABASE_URL"):
        data["database_url"] = env["DATABASE_URL"]
    if env.get("TELEGRAM_BOT_TOKEN"):
        data["telegram"] = {**(data.get("telegram") or {}), "token": env["TELEGRAM_BOT_TOKEN"]}
    if env.get("SMTP_PASSWORD"):
        data["email"] = {**(data.get("email") or {}), "password": env["SMTP_PASSWORD"]}
    if env.get("CSTO_MONITOR_API_TOKENS"):
        tokens = [t.strip() for t in env["CSTO_MONITOR_API_TOKENS"].split(",") if t.strip()]
        data["http"] = {**(data.get("http") or {}), "api_tokens": tokens}
    if env.get("TRANSLATION_API_KEY") and data.get("translation"):
        data["translation"] = {**data["translation"], "api_key": env["TRANSLATION_API_KEY"]}
    if env.get("CSTO_MONITOR_SECRET") and data.get("email"):
        data["email"] = {**data["email"], "secret": env["CSTO_MONITOR_SECRET"]}
    return data


def _describe(error: ValidationError, origin: str) -> str:
    lines = [f"{origin}: invalid configuration"]
    for err in error.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(top level)"
        reason = "unknown key; remove it or check its spelling" if err["type"] == (
            "extra_forbidden"
        ) else err["msg"]
        lines.append(f"  {path}: {reason}")
    return "\n".join(lines)


def load_settings(path: Path | str | None = None, env: dict[str, str] | None = None) -> Settings:
    """Load and validate the YAML configuration; raise ConfigError with a readable reason."""
    env = dict(os.environ) if env is None else env
    config_path = Path(path or env.get("CSTO_MONITOR_CONFIG") or DEFAULT_CONFIG_PATH)
    try:
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{config_path}: no such configuration file; pass --config PATH or set "
            "CSTO_MONITOR_CONFIG"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{config_path}: expected a mapping of keys at the top level")
    try:
        return Settings.model_validate(_apply_env(raw, env))
    except ValidationError as exc:
        raise ConfigError(_describe(exc, str(config_path))) from None
