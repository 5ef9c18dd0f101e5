"""Translations kept in the database, keyed by (provider, source, target, SHA-256 of text)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db import insert_or_skip
from core.models import CachedTranslation, utcnow


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lookup(sessions: sessionmaker[Session], provider: str, source: str, target: str,
           keys: Iterable[str]) -> dict[str, str]:
    """The stored translations among `keys` (text digests): {digest: translation}."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    with sessions() as session:
        rows = session.execute(
            select(CachedTranslation.text_sha256, CachedTranslation.translation)
            .where(CachedTranslation.provider == provider, CachedTranslation.source == source,
                   CachedTranslation.target == target,
                   CachedTranslation.text_sha256.in_(wanted)))
        return {key: value for key, value in rows}


def store(sessions: sessionmaker[Session], provider: str, source: str, target: str,
          translations: Mapping[str, str]) -> None:
    """Keep new translations; one another process stored meanwhile is left as it is."""
    if not translations:
        return
    rows = [{"provider": provider, "source": source, "target": target, "text_sha256": key,
             "translation": value, "created_at": utcnow()}
            for key, value in translations.items()]
    with sessions() as session, session.begin():
        session.execute(insert_or_skip(session, CachedTranslation, rows, [
            "provider", "source", "target", "text_sha256"]))
