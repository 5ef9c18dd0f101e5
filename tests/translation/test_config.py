"""The `translation:` section: the documented shapes load; a mistake names its key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.config import ConfigError, load_settings

BASE = """
sources:
  - {name: csto-ru, url: "https://odkb-csto.org/news/", language: ru}
"""


def load(tmp_path: Path, section: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.yaml"
    path.write_text(BASE + section, encoding="utf-8")
    return load_settings(path, env=env or {})


def test_libretranslate_with_its_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, "translation: {provider: libretranslate, url: 'http://127.0.0.1:5000/'}"
               ).translation
    assert cfg.endpoint == "http://127.0.0.1:5000" and cfg.api_key is None
    assert cfg.timeout == timedelta(seconds=5) and cfg.max_requests_per_minute == 30


@pytest.mark.parametrize(("key", "endpoint"), [
    ("abc:fx", "https://api-free.deepl.com"), ("abc", "https://api.deepl.com")])
def test_deepl_chooses_the_free_or_pro_api_by_its_key(tmp_path: Path, key: str,
                                                      endpoint: str) -> None:
    cfg = load(tmp_path, f"translation: {{provider: deepl, api_key: '{key}'}}").translation
    assert cfg.endpoint == endpoint


def test_the_key_may_come_from_the_environment_and_is_a_secret(tmp_path: Path) -> None:
    settings = load(tmp_path, "translation: {provider: deepl}",
                    env={"TRANSLATION_API_KEY": "env-key:fx"})
    assert settings.translation.api_key == "env-key:fx"
    assert "env-key:fx" in settings.secrets()


@pytest.mark.parametrize(("section", "expected"), [
    ("{provider: libretranslate}",
     "translation.url: Value error, required by provider libretranslate"),
    ("{provider: deepl}", "translation.api_key: Value error, required by provider deepl"),
    ("{provider: google}", "translation.provider: Input should be 'libretranslate' or 'deepl'"),
    ("{provider: deepl, api_key: k, url: 'http://x.org'}",
     "translation.url: Value error, not used by provider deepl"),
    ("{provider: libretranslate, url: 'http://x.org', api_url: 'http://y.org'}",
     "translation.api_url: Value error, not used by provider libretranslate; use "
     "translation.url"),
    ("{provider: libretranslate, url: 'not a url'}", "translation.url: Input should be a "
                                                      "valid URL"),
    ("{provider: libretranslate, url: 'http://x.org', timeout: 1m}",
     "translation.timeout: Value error, must be between 100ms and 30s"),
    ("{provider: libretranslate, url: 'http://x.org', max_requests_per_minute: 0}",
     "translation.max_requests_per_minute: Input should be greater than or equal to 1"),
    ("{provider: libretranslate, url: 'http://x.org', target: en}",
     "translation.target: unknown key"),
])
def test_a_mistake_names_its_key(tmp_path: Path, section: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, f"translation: {section}")
    assert expected in str(info.value)
