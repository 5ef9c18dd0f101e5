"""Attached files generated for the tests (no binary fixtures in git): PDFs with a text
layer (fpdf2 with DejaVu Sans, for Cyrillic), a scanned-image PDF, DOCX (python-docx),
and hostile ones: a truncated PDF, a zip bomb named .docx, an oversized file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font() -> Path:
    if not FONT.exists():
        raise RuntimeError(f"{FONT} is missing: apt-get install fonts-dejavu-core")
    return FONT


def pdf(paragraphs: list[str]) -> bytes:
    """A PDF with a text layer, one paragraph per line block (English or Russian)."""
    document = FPDF()
    document.add_font("DejaVu", fname=str(_font()))
    document.set_font("DejaVu", size=11)
    document.add_page()
    for paragraph in paragraphs:
        document.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        document.ln(3)
    return bytes(document.output())


def scanned_pdf() -> bytes:
    """A PDF whose page is only drawn shapes (like a scanned image): no text layer."""
    document = FPDF()
    document.add_page()
    for row in range(20):
        document.rect(20, 20 + row * 10, 150 - row * 3, 4, style="F")
    return bytes(document.output())


def docx(paragraphs: list[str]) -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def truncated_pdf(paragraphs: list[str]) -> bytes:
    whole = pdf(paragraphs)
    return whole[: len(whole) // 2]


def zip_bomb_docx(unpacked_mb: int = 64) -> bytes:
    """A zip named and shaped like a DOCX whose document.xml unpacks to `unpacked_mb` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(unpacked_mb):
                member.write(block)
    return out.getvalue()


def oversized(megabytes: int) -> bytes:
    """A PDF-looking file of this size (its text is never read: it is not downloaded)."""
    return b"%PDF-1.4\n" + b"0" * (megabytes << 20)
