"""Text of DOCX (python-docx) and ODT (its content.xml) files, after the zip guard."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from docx import Document
from lxml import etree

from scraper.documents.zipguard import open_zip

_ODT_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
# No entities, no network, no huge trees: a hostile XML must not expand.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def docx_text(data: bytes, max_unpacked: int) -> str:
    """Paragraphs, then table cells, one per line (raises on a damaged or hostile file)."""
    open_zip(data, max_unpacked).close()
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return _joined(lines)


def odt_text(data: bytes, max_unpacked: int) -> str:
    with open_zip(data, max_unpacked) as archive:
        try:
            content = archive.read("content.xml")
        except KeyError:
            raise zipfile.BadZipFile("no content.xml in the ODT file") from None
    root = etree.fromstring(content, _PARSER)
    blocks = root.iter(f"{{{_ODT_TEXT}}}p", f"{{{_ODT_TEXT}}}h")
    return _joined("".join(block.itertext()) for block in blocks)


def _joined(lines: Iterable[str]) -> str:
    kept = (" ".join(line.split()) for line in lines)
    return "\n".join(line for line in kept if line)
