"""Fixtures of the translation tests: the two providers' doubles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.telegram.conftest import botapi
from tests.translation.doubles import TranslatorDouble

__all__ = ["botapi"]  # the Bot API double, for the Telegram deliveries


@pytest.fixture(params=["libretranslate", "deepl"])
def provider_double(request: pytest.FixtureRequest) -> Iterator[TranslatorDouble]:
    double = TranslatorDouble(request.param).start()
    yield double
    double.stop()


@pytest.fixture
def libretranslate() -> Iterator[TranslatorDouble]:
    double = TranslatorDouble("libretranslate").start()
    yield double
    double.stop()
