"""Reading attached files: each type and each hostile file ends in a status, never raises."""

from __future__ import annotations

import io
import zipfile

from scraper.documents import sniff as types
from scraper.documents.read import read_document
from scraper.documents.status import DocumentStatus
from tests.documents import files

EN = ["The Collective Security Council adopted the declaration on peacekeeping.",
      "The annex lists the member states' contingents."]
RU = ["Совет коллективной безопасности принял декларацию о миротворчестве."]


def test_pdf_text_layer_in_english_and_russian() -> None:
    english = read_document(files.pdf(EN))
    russian = read_document(files.pdf(RU))
    assert (english.status, english.content_type) == (DocumentStatus.OK, types.PDF)
    assert "declaration on peacekeeping" in english.text
    assert russian.status == DocumentStatus.OK
    assert "декларацию о миротворчестве" in russian.text


def test_docx_paragraphs() -> None:
    result = read_document(files.docx([*EN, *RU]))
    assert (result.status, result.content_type) == (DocumentStatus.OK, types.DOCX)
    assert result.text.splitlines() == [*EN, *RU]


def test_scanned_pdf_has_no_text() -> None:
    result = read_document(files.scanned_pdf())
    assert result.status == DocumentStatus.NO_TEXT
    assert "no text layer" in result.detail


def test_truncated_pdf() -> None:
    result = read_document(files.truncated_pdf(EN * 40))
    assert result.status == DocumentStatus.TRUNCATED
    assert result.content_type == types.PDF


def test_zip_bomb_named_docx_is_not_unpacked() -> None:
    result = read_document(files.zip_bomb_docx())
    assert result.status == DocumentStatus.ZIP_BOMB


def test_zip_bomb_by_total_size() -> None:
    result = read_document(files.docx(EN), max_unpacked=1000)
    assert result.status == DocumentStatus.ZIP_BOMB


def test_type_is_sniffed_not_taken_from_the_name() -> None:
    html = read_document(b"<!DOCTYPE html><html><body>Not found</body></html>")
    assert (html.status, html.content_type) == (DocumentStatus.UNSUPPORTED, types.HTML)
    assert types.sniff(files.docx(EN)) == types.DOCX
    assert types.sniff(b"junk before %PDF-1.4 header") == types.PDF


def test_archives_and_old_office_are_recorded_not_read() -> None:
    assert read_document(b"Rar!\x1a\x07\x00data").status == DocumentStatus.UNSUPPORTED
    ole = read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert (ole.status, ole.content_type) == (DocumentStatus.UNSUPPORTED, types.OLE)
    assert types.sniff(_zip({"xl/workbook.xml": "<workbook/>"})) == types.XLSX


def test_odt_text() -> None:
    content = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
               'xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               '<office:body><office:text><text:h>Statement</text:h><text:p>On security '
               '<text:span>cooperation</text:span>.</text:p></office:text></office:body>'
               '</office:document-content>')
    data = _zip({"mimetype": types.ODT, "content.xml": content})
    result = read_document(data)
    assert (result.status, result.content_type) == (DocumentStatus.OK, types.ODT)
    assert result.text == "Statement\nOn security cooperation."


def test_damaged_docx() -> None:
    data = files.docx(EN)
    result = read_document(data[: len(data) - 200])
    assert result.status == DocumentStatus.TRUNCATED


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()
