"""Choices shared by the command-line commands."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class Lang(StrEnum):
    en = "en"
    ru = "ru"


class Mode(StrEnum):
    instant = "instant"
    daily = "daily"
    weekly = "weekly"


class Sort(StrEnum):
    relevance = "relevance"
    date = "date"
