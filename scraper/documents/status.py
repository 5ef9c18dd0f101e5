"""The one status every attached file ends with, and what reading it gave."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DocumentStatus(StrEnum):
    OK = "ok"  # text extracted
    NO_TEXT = "no_text"  # read, but holds no text (a scanned PDF without a text layer)
    TRUNCATED = "truncated"  # the file ends early or is damaged
    TOO_LARGE = "too_large"  # larger than documents.max_bytes: not downloaded
    UNSUPPORTED = "unsupported"  # a type whose text is not read (archive, spreadsheet, DOC)
    ZIP_BOMB = "zip_bomb"  # unpacks to far more than it weighs: not unpacked
    HTTP_ERROR = "http_error"  # the URL answered an error (404, 500 ...)
    FETCH_ERROR = "fetch_error"  # no answer: timeout, reset connection, robots.txt
    REFUSED = "refused"  # never requested: not http(s), or a private address (scraper.guard)


@dataclass(frozen=True)
class DocumentText:
    """What reading one file's bytes gave: its sniffed type, a status, the text."""

    content_type: str
    status: DocumentStatus
    text: str = ""
    detail: str = ""  # one line for the user when status is not ok
