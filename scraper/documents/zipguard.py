"""Opening a zip (DOCX, ODT) only when unpacking it stays within bounds: zip bombs."""

from __future__ import annotations

import io
import zipfile

# A large member that unpacks to more than this many times its packed size is a bomb's,
# not a document's: text XML packs about 10:1 (a very repetitive one up to ~200:1), images
# do not pack at all, and deflate's limit (zeros) is about 1030:1.
MAX_RATIO = 250
_RATIO_FLOOR = 10 << 20  # ... unless it unpacks to little anyway


class ZipBomb(Exception):
    """The archive would unpack to far more than it weighs."""


def open_zip(data: bytes, max_unpacked: int) -> zipfile.ZipFile:
    """The archive, after its members' declared sizes were checked.

    `zipfile` never reads past a member's declared size, so checking the declared sizes
    bounds what reading can unpack. Raises `ZipBomb` or `zipfile.BadZipFile`.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            archive.close()
            raise ZipBomb(f"{info.filename} would unpack {ratio:.0f} times its size")
        if total > max_unpacked:
            archive.close()
            raise ZipBomb(f"would unpack to more than {max_unpacked // (1 << 20)} MB")
    return archive
