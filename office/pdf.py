"""PDF assembly for printing and archiving: .docx through LibreOffice (one run for many),
images through img2pdf (lossless, no re-encoding), merging with pikepdf."""

from __future__ import annotations

import io
from collections.abc import Sequence

import img2pdf
import pikepdf
from PIL import Image

from letters.rendering import docx_to_pdfs

IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff", "image/gif", "image/bmp"}


def image_to_pdf(data: bytes) -> bytes:
    """One image as a PDF page sized to A4 (the image fitted inside, aspect kept)."""
    a4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
    layout = img2pdf.get_layout_fun(a4, fit=img2pdf.FitMode.into)
    try:
        return img2pdf.convert(data, layout_fun=layout)
    except (img2pdf.AlphaChannelError, ValueError):
        # An image with transparency: flatten it first (img2pdf refuses to drop alpha itself).
        with Image.open(io.BytesIO(data)) as image:
            flat = io.BytesIO()
            image.convert("RGB").save(flat, format="PNG")
        return img2pdf.convert(flat.getvalue(), layout_fun=layout)


def pdf_merge(parts: Sequence[bytes]) -> bytes:
    """The parts one after the other in one PDF."""
    out = pikepdf.new()
    for data in parts:
        with pikepdf.open(io.BytesIO(data)) as part:
            out.pages.extend(part.pages)
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)  # the same parts give the same bytes
    return buffer.getvalue()


def pdf_page_count(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def docx_merged_pdf(documents: Sequence[bytes]) -> bytes:
    """Several .docx files printed as one PDF, in order (one LibreOffice run)."""
    return pdf_merge(docx_to_pdfs(list(documents)))
