"""Messages for readers of the other language: title, summary and an edit's changed
sentences machine-translated, and the note that says so (see /work/notes/translate-api.md).

A reader who reads only English but accepts translated news (`accept_translated`) is sent
a Russian-only story with its title and lead translated and marked "Machine translation
(LibreTranslate)"; when there is no translator or it fails, the original goes out marked
"In Russian". Translating never raises and never waits beyond the provider's timeout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from monitor.translation.service import Translator
from monitor.worddiff import Change
from notifier.digest import DigestMessage
from notifier.message import EventMessage, MachineTranslation

WORDS = {
    "en": {"machine": "Machine translation ({provider})",
           "failed": "In {language}: machine translation unavailable",
           "original": "In {language}", "en": "English", "ru": "Russian"},
    "ru": {"machine": "Машинный перевод ({provider})",
           "failed": "На {language}: машинный перевод недоступен",
           "original": "На {language}", "en": "английском языке", "ru": "русском языке"},
}


def translation_note(message: EventMessage, language: str) -> str:
    """"Machine translation (DeepL)" / "In Russian: machine translation unavailable" / ""."""
    done = message.translation
    if done is None:
        return ""
    words = WORDS.get(language, WORDS["en"])
    if done.ok:
        return words["machine"].format(provider=done.provider)
    key = "failed" if done.provider else "original"
    return words[key].format(language=words.get(done.source, done.source))


def change_source(change: Change) -> str:
    """What of a change is translated: its new wording (a removed sentence: the old one)."""
    keep = ("delete",) if change.kind == "removed" else ("equal", "insert")
    return "".join(run.text for run in change.runs if run.op in keep).strip()


def _texts(message: EventMessage) -> list[str]:
    changes = [change_source(c) for fc in message.changes.fields for c in fc.changes]
    return [message.title, message.summary, *changes]


async def translate_messages(messages: Sequence[EventMessage], target: str,
                             translator: Translator | None) -> list[EventMessage]:
    """Each message in `target`: those in another language translated (one request for
    all), the rest as they are."""
    foreign = [m for m in messages if m.language != target]
    texts = [_texts(m) for m in foreign]
    found: dict[int, list[str | None]] = {}
    for source in sorted({m.language for m in foreign}):
        group = [(m, t) for m, t in zip(foreign, texts, strict=True) if m.language == source]
        flat = [text for _, t in group for text in t]
        answers: list[str | None] = [None] * len(flat)
        if translator is not None:
            answers = await translator.translate(flat, source, target)
        for message, own in group:
            found[id(message)], answers = answers[:len(own)], answers[len(own):]
    return [_applied(m, found[id(m)], target, translator) if id(m) in found else m
            for m in messages]


async def translate_message(message: EventMessage, target: str,
                            translator: Translator | None) -> EventMessage:
    """The message for a reader of `target` (see translate_messages)."""
    return (await translate_messages([message], target, translator))[0]


async def translate_digest(digest: DigestMessage, translator: Translator | None
                           ) -> DigestMessage:
    """A digest whose events in a language the reader does not read are translated."""
    target = digest.translate_to
    if target is None:
        return digest
    events = await translate_messages(digest.events, target, translator)
    return dataclasses.replace(digest, events=events)


def _applied(message: EventMessage, answers: list[str | None], target: str,
             translator: Translator | None) -> EventMessage:
    title, summary, *changes = answers
    flat = [c for fc in message.changes.fields for c in fc.changes]
    note = MachineTranslation(
        provider=translator.label if translator else "", source=message.language,
        target=target, ok=title is not None, original_title=message.title,
        changes={c: t for c, t in zip(flat, changes, strict=True) if t})
    return dataclasses.replace(message, title=title or message.title,
                               summary=summary or message.summary, translation=note)
