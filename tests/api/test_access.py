"""Who may call /api/: bearer tokens, the per-client rate limit, and a database outage."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.config import ConfigError, load_settings
from core.db import make_engine, session_factory
from csto_monitor.web.api.access import RateLimiter, Tokens
from tests.api.helpers import conforms, get
from tests.web.helpers import LiveServer, free_port, settings_for

TOKEN = "tok-0123456789abcdef"


def test_with_tokens_every_api_request_needs_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'csto.db'}"
    engine = make_engine(url)
    from core.migrate import upgrade

    upgrade(engine)
    settings = settings_for(url, http={"api_tokens": [TOKEN, "other-token-0123456789"],
                                       "api_rate": 1000})
    server = LiveServer(settings, session_factory(engine)).start()
    try:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"},
                        {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer"}):
            reply = get(server.url + "/api/v1/items", headers)
            assert reply.status == 401 and reply.headers["WWW-Authenticate"].startswith(
                "Bearer")
            assert conforms(reply, "/api/v1/items")["error"]["code"] == "unauthorized"
        assert get(server.url + "/api/v1/nothing").status == 401  # every /api/ path
        ok = get(server.url + "/api/v1/items", {"Authorization": f"Bearer {TOKEN}"})
        assert ok.status == 200 and conforms(ok, "/api/v1/items") == {
            "items": [], "next_cursor": None, "facets": None}  # facets: only with `q`
        assert get(server.url + "/healthz").status == 200  # the rest stays open
    finally:
        server.stop()
        engine.dispose()


def test_tokens_compare_by_digest() -> None:
    tokens = Tokens([TOKEN])
    assert tokens.check(f"Bearer {TOKEN}") is not None
    assert tokens.check(f"bearer  {TOKEN} ") is not None
    assert tokens.check(f"Bearer {TOKEN}x") is None and tokens.check("") is None
    assert not Tokens([]).required


def test_the_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'csto.db'}"
    engine = make_engine(url)
    server = LiveServer(settings_for(url, http={"api_rate": 2}), session_factory(engine))
    server.start()
    try:
        replies = [get(server.url + "/api/v1/openapi.json") for _ in range(4)]
        assert [r.status for r in replies[:2]] == [200, 200]
        limited = replies[-1]
        assert limited.status == 429 and limited.headers["Retry-After"] == "1"
        assert conforms(limited, "/api/v1/openapi.json")["error"]["code"] == "rate_limited"
        assert get(server.url + "/feed.atom?lang=xx").status == 400  # pages are not limited
    finally:
        server.stop()
        engine.dispose()


def test_a_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(10, clock=lambda: now[0])
    assert [limiter.wait("a") for _ in range(10)] == [0.0] * 10
    assert limiter.wait("a") == pytest.approx(0.1)
    assert limiter.wait("b") == 0.0  # per client
    now[0] += 0.25
    assert [limiter.wait("a") == 0.0 for _ in range(3)] == [True, True, False]
    slow = RateLimiter(0.5, clock=lambda: now[0])
    assert slow.wait("c") == 0.0 and slow.wait("c") == pytest.approx(2.0)


def test_a_database_outage_is_a_503(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"  # nothing listens
    engine = make_engine(url)
    sessions: sessionmaker[Session] = session_factory(engine)
    server = LiveServer(settings_for(url, http={"api_rate": 1000}), sessions).start()
    try:
        for path in ("/api/v1/items", "/api/v1/items/1", "/api/v1/changes"):
            reply = get(server.url + path)
            template = "/api/v1/items/{id}" if path.endswith("/1") else path
            assert reply.status == 503, reply.text
            assert conforms(reply, template)["error"]["code"] == "database_unavailable"
    finally:
        server.stop()
        engine.dispose()


def test_api_tokens_come_from_the_environment_and_are_checked(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources: [{name: a, url: 'http://127.0.0.1:9/', language: en}]\n")
    env = {"CSTO_MONITOR_API_TOKENS": f"{TOKEN}, second-token-0123456789"}
    settings = load_settings(config, env=env)
    assert settings.http.api_tokens == [TOKEN, "second-token-0123456789"]
    assert TOKEN in settings.secrets()
    with pytest.raises(ConfigError, match=r"http.api_tokens.0: String should have at least "
                                          r"16 characters"):
        load_settings(config, env={"CSTO_MONITOR_API_TOKENS": "short"})
    config.write_text(config.read_text() + "http: {api_rate: 0}\n")
    with pytest.raises(ConfigError, match=r"http.api_rate: Input should be greater than 0"):
        load_settings(config, env={})
