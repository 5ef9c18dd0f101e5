"""Translators pointed at a double, and the counters they move."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.config import Translation
from monitor.translation.service import Translator, build_translator
from tests.translation.doubles import API_KEY, TranslatorDouble

LIBRE_KEY = "libre-key"


def config(double: TranslatorDouble, **extra: Any) -> dict[str, Any]:
    """The `translation:` section for a double (a short timeout: tests wait for it)."""
    if double.kind == "libretranslate":
        base = {"provider": "libretranslate", "url": double.url, "api_key": LIBRE_KEY}
    else:
        base = {"provider": "deepl", "api_key": API_KEY, "api_url": double.url}
    return {**base, "timeout": "500ms", **extra}


def translator(double: TranslatorDouble, sessions: sessionmaker[Session], **extra: Any
               ) -> Translator:
    built = build_translator(Translation.model_validate(config(double, **extra)), sessions)
    assert built is not None
    return built


def counter(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(f"{name}_total", labels) or 0.0
