"""Machine translation of news texts: providers (LibreTranslate, DeepL), a cache in the
database, a request budget; a failure yields no translation, never an exception.

Used by the notifiers (a Russian-only story for an English reader) and open to the
monitor (translation similarity when pairing stories). See /work/notes/translate-api.md.
"""
