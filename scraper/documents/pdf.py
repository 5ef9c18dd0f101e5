"""Text of a PDF's text layer (pypdf); a scanned PDF has none."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

# pypdf logs every repair it makes of a damaged file at WARNING: the status says it.
logging.getLogger("pypdf").setLevel(logging.ERROR)
MAX_PAGES = 2000  # beyond this a "document" is not a statement or an annex


class TruncatedPdf(Exception):
    """The file ends before its end-of-file marker."""


def pdf_text(data: bytes) -> str:
    """The pages' text, one page per paragraph (raises on a damaged file).

    Lenient with the small faults real-world PDFs carry (`strict=False`), but a file that
    ends early is not read: a repaired one would lose its last pages silently.
    """
    if b"%%EOF" not in data[-2048:]:
        raise TruncatedPdf("no end-of-file marker: the file ends early")
    reader = PdfReader(io.BytesIO(data), strict=False)
    pages = []
    for page in reader.pages[:MAX_PAGES]:
        lines = (" ".join(line.split()) for line in page.extract_text().splitlines())
        pages.append("\n".join(line for line in lines if line))
    return "\n\n".join(page for page in pages if page)
