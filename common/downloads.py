"""Downloads named for people, not by codes (`2026-0023_答复书.docx`), safely encoded.

One helper for every file the application hands out (letters, PDFs, attachments, report
exports): the name is cleaned of what no file system or header takes, and the header carries
both an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987: filename*=UTF-8''…), which every
current browser prefers."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

# Path separators, quotes, control characters and the characters Windows refuses in a name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_MAX_NAME = 150  # characters, before the extension: a long subject makes an unwieldy file


def download_name(*parts: object, ext: str) -> str:
    """The parts joined by "_" and the extension: download_name("2026-0023", "答复书", ext="docx")
    gives "2026-0023_答复书.docx". Empty parts are left out; unsafe characters become "_"."""
    cleaned = [_clean(str(part)) for part in parts if part not in (None, "")]
    stem = "_".join(part for part in cleaned if part)[:_MAX_NAME] or "download"
    return f"{stem}.{ext.lstrip('.')}" if ext else stem


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _UNSAFE.sub("_", text).strip(" ._")


def ascii_fallback(filename: str) -> str:
    """The name for clients that ignore filename*: its ASCII characters only."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_stem = stem.encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"_+", "_", _UNSAFE.sub("_", ascii_stem)).strip(" ._-") or "download"
    ascii_ext = ext.encode("ascii", "ignore").decode()
    return f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="2026-0023.docx"; filename*=UTF-8''2026-0023_%E7%AD%94…`."""
    filename = _clean(filename) or "download"
    disposition = "inline" if inline else "attachment"
    return (
        f'{disposition}; filename="{ascii_fallback(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def file_download(
    content, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    """An HttpResponse (bytes) or a FileResponse (an open file) with the name set safely."""
    if isinstance(content, bytes | bytearray | memoryview | str):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
