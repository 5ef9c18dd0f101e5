"""The type of a file by its first bytes (and a zip's member names), never by its URL."""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ZIP = "application/zip"
OLE = "application/x-ole-storage"  # DOC, XLS, PPT of Office 97-2003
RTF = "application/rtf"
RAR = "application/vnd.rar"
SEVEN_ZIP = "application/x-7z-compressed"
HTML = "text/html"
UNKNOWN = "application/octet-stream"

_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
    (b"{\\rtf", RTF),
    (b"Rar!\x1a\x07", RAR),
    (b"7z\xbc\xaf\x27\x1c", SEVEN_ZIP),
)
_OOXML = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX),
          ("ppt/presentation.xml", PPTX))


def sniff(data: bytes) -> str:
    """The content type the bytes show; `UNKNOWN` when they show none we know."""
    head = data[:1024]
    if b"%PDF-" in head:  # the header may follow a few bytes of junk, as readers allow
        return PDF
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return HTML
    return UNKNOWN


def _zip_kind(data: bytes) -> str:
    """DOCX, XLSX, PPTX and ODT are zips: their member names tell them apart."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            small = "mimetype" in names and archive.getinfo("mimetype").file_size < 100
            if small and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, OSError, ValueError):
        return ZIP  # a damaged zip is still a zip; reading it says how it is damaged
    for member, kind in _OOXML:
        if member in names:
            return kind
    return ZIP
