"""The redaction engine: pure functions on PDF bytes (no ORM), used by the services, the
`redact_pdf` command and the benchmark.

- `detect(pdf, patterns=…, terms=…)` finds personal data and listed terms with their positions,
  from pypdfium2's text page (one box per line a match spans).
- `redact(pdf, boxes)` is true redaction: every page with a box is rebuilt from its rendered
  image with the boxes burnt in black and labelled with their ground, so nothing of the text,
  glyphs, annotations or hidden layers of that page survives; pages without boxes are copied
  with their text; the document information and XMP metadata are not carried over.
- `image_to_pdf`, `page_count`, `page_png` for uploads and the workbench.

Coordinates are PDF points with the origin at the TOP-LEFT of the page (x0 < x1, y0 < y1), the
way a page image is read. Known limit: pages with a /Rotate other than 0 are redacted whole
(every text of the page is lost rather than risk a misplaced box)."""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import img2pdf
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageDraw, ImageFont

from requests_app.rules import credit_code_is_valid, id_number_is_valid

RENDER_DPI = 150  # burnt pages: legible print, about 0.1–0.3 MB a page
PREVIEW_DPI = 96  # workbench page images
PAD = 1.0  # points added around a detected match

PATTERNS = ["id_number", "mobile", "phone", "bank_card", "email", "credit_code", "plate"]
PATTERN_LABELS = {
    "id_number": "身份证号码",
    "mobile": "手机号码",
    "phone": "固定电话",
    "bank_card": "银行卡号",
    "email": "电子邮箱",
    "credit_code": "统一社会信用代码",
    "plate": "机动车号牌",
    "term": "指定词语",
    "manual": "手工标注",
}

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_REGEXES: dict[str, re.Pattern[str]] = {
    "id_number": re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    "mobile": re.compile(r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),
    "phone": re.compile(
        r"(?<![\d])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[-－ ]?)[2-9]\d{6,7}(?!\d)"
    ),
    "bank_card": re.compile(r"(?<![\d])\d(?:[ -]?\d){15,18}(?!\d)"),
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "credit_code": re.compile(
        r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Z])"
    ),
    "plate": re.compile(
        rf"[{_PROVINCES}]\s?[A-HJ-NP-Z][·•\s]?[A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警港澳](?![A-Z0-9])"
    ),
}


def luhn_valid(digits: str) -> bool:
    """The Luhn check (ISO/IEC 7812) of a bank card number."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


_VALIDATORS = {
    "id_number": lambda text: id_number_is_valid(text.upper()),
    "credit_code": credit_code_is_valid,
    "bank_card": lambda text: 16 <= len(_digits(text)) <= 19 and luhn_valid(_digits(text)),
}


class PdfUnreadable(ValueError):
    """The bytes are not a PDF pypdfium2 can open (damaged, or protected by a password)."""


@dataclass(frozen=True)
class Box:
    """One redaction box on a page (0-based page index; points, top-left origin)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    kind: str = "manual"
    text: str = ""
    label: str = ""


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    text: str


def find_matches(text: str, patterns: Iterable[str], terms: Iterable[str] = ()) -> list[Match]:
    """Matches of the patterns (validated by checksum where there is one) and of the listed terms
    in a text; a match contained in an earlier, longer one of another pattern is dropped (an ID
    number is not also a bank card)."""
    found: list[Match] = []
    for kind in patterns:
        if kind not in _REGEXES:
            raise ValueError(f"unknown pattern: {kind}")
        for match in _REGEXES[kind].finditer(text):
            value = match.group()
            check = _VALIDATORS.get(kind)
            if check and not check(value):
                continue
            found.append(Match(kind, match.start(), match.end(), value))
    for term in terms:
        term = term.strip()
        if not term:
            continue
        for match in re.finditer(re.escape(term), text):
            found.append(Match("term", match.start(), match.end(), term))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for match in found:
        if any(k.start <= match.start and match.end <= k.end and k != match for k in kept):
            continue
        kept.append(match)
    return kept


# PDFium is not thread-safe: two threads of one process inside it at once crash the process
# (seen: a segmentation fault when the workbench's page images were fetched in parallel from a
# threaded server). Every function here that touches pypdfium2 holds this lock; processes
# (gunicorn workers, Celery) each have their own PDFium and run in parallel.
PDFIUM_LOCK = threading.RLock()


def pdfium_serialised(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with PDFIUM_LOCK:
            return function(*args, **kwargs)

    return wrapper


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PdfUnreadable(str(exc)) from exc


@pdfium_serialised
def page_count(data: bytes) -> int:
    pdf = _open(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


@pdfium_serialised
def page_sizes(data: bytes) -> list[tuple[float, float]]:
    pdf = _open(data)
    try:
        return [pdf[i].get_size() for i in range(len(pdf))]
    finally:
        pdf.close()


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters, one per character index (so a match maps to its char boxes)."""
    count = textpage.count_chars()
    raw = textpage.raw
    return "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 32) for i in range(count))


def _match_boxes(textpage: pdfium.PdfTextPage, page: int, height: float, match: Match) -> list[Box]:
    """One box per line the match spans, from the char boxes (points, top-left origin)."""
    boxes: list[Box] = []
    current: list[float] | None = None
    for index in range(match.start, match.end):
        left, bottom, right, top = textpage.get_charbox(index)
        if right - left <= 0 or top - bottom <= 0:
            continue  # generated space or line break
        x0, y0, x1, y1 = left, height - top, right, height - bottom
        middle = (y0 + y1) / 2
        if current and current[1] <= middle <= current[3] and x0 >= current[0] - 1:
            current = [current[0], min(current[1], y0), max(current[2], x1), max(current[3], y1)]
            boxes[-1] = Box(page, *current, kind=match.kind, text=match.text)
        else:
            current = [x0, y0, x1, y1]
            boxes.append(Box(page, *current, kind=match.kind, text=match.text))
    return [
        Box(b.page, b.x0 - PAD, b.y0 - PAD, b.x1 + PAD, b.y1 + PAD, kind=b.kind, text=b.text)
        for b in boxes
    ]


@pdfium_serialised
def detect(
    data: bytes, *, patterns: Iterable[str] = PATTERNS, terms: Iterable[str] = ()
) -> list[Box]:
    """Proposed boxes for a PDF: every pattern match and listed term, page by page."""
    patterns, terms = list(patterns), [t for t in terms if t and t.strip()]
    pdf = _open(data)
    boxes: list[Box] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            height = page.get_height()
            for match in find_matches(_page_text(textpage), patterns, terms):
                boxes.extend(_match_boxes(textpage, index, height, match))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return boxes


@pdfium_serialised
def page_text(data: bytes) -> list[str]:
    """The text of every page, as pypdfium2 reads it (for checks and tests)."""
    pdf = _open(data)
    try:
        texts = []
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
        return texts
    finally:
        pdf.close()


@functools.cache
def label_font_path() -> str | None:
    """A CJK font for the box labels (Noto Sans CJK through fontconfig), or None."""
    binary = shutil.which("fc-match")
    if not binary:
        return None
    result = subprocess.run(
        [binary, "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )
    return result.stdout.strip() or None


@functools.lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    path = label_font_path()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def _draw_label(draw: ImageDraw.ImageDraw, rect: tuple[int, int, int, int], labels: list[str]):
    """The ground's label in white inside the box, the full label if it fits, else the short."""
    x0, y0, x1, y1 = rect
    width, height = x1 - x0, y1 - y0
    for label in labels:
        if not label:
            continue
        size = int(min(height * 0.7, width * 0.92 / max(len(label), 1)))
        if size >= 7:
            font = _font(size)
            left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
            x = x0 + (width - (right - left)) / 2 - left
            y = y0 + (height - (bottom - top)) / 2 - top
            draw.text((x, y), label, fill="white", font=font)
            return


def _burnt_page(page: pdfium.PdfPage, boxes: list[Box], dpi: int) -> Image.Image:
    """The page rendered to an RGB image with its boxes burnt in."""
    scale = dpi / 72
    image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
    draw = ImageDraw.Draw(image)
    rotated = bool(page.get_rotation() % 360)
    for box in boxes:
        if rotated:  # see the module's note: the whole page is covered
            rect = (0, 0, image.width, image.height)
        else:
            rect = (
                int(box.x0 * scale),
                int(box.y0 * scale),
                int(box.x1 * scale + 0.999),
                int(box.y1 * scale + 0.999),
            )
        draw.rectangle(rect, fill="black")
        full, _, short = box.label.partition("|")
        _draw_label(draw, rect, [full, short])
    return image


def _image_page(out: pikepdf.Pdf, image: Image.Image, width: float, height: float) -> None:
    """Append a page of the given size in points showing only the image (Flate-compressed
    RGB: faster than PNG encoding plus img2pdf, and as small for text pages)."""
    xobject = pikepdf.Stream(out, zlib.compress(image.tobytes(), 3))
    xobject.Type = pikepdf.Name.XObject
    xobject.Subtype = pikepdf.Name.Image
    xobject.Width, xobject.Height = image.width, image.height
    xobject.ColorSpace = pikepdf.Name.DeviceRGB
    xobject.BitsPerComponent = 8
    xobject.Filter = pikepdf.Name.FlateDecode
    content = out.make_stream(f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Im0 Do Q".encode())
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, round(width, 4), round(height, 4)],
        Contents=content,
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject)),
    )
    out.pages.append(pikepdf.Page(page))


class RedactionLeak(RuntimeError):
    """The output would still reference a page of the original (never written)."""


def _cut_references(page: pikepdf.Page) -> None:
    """Before a page is copied: drop what could pull another page of the original (with its
    text) into the output — links to other pages, article beads — and page-level metadata."""
    obj = page.obj
    for key in ("/Metadata", "/PieceInfo", "/Thumb", "/B"):
        if key in obj:
            del obj[key]
    if "/Annots" not in obj:
        return
    kept = pikepdf.Array()
    for annot in obj.Annots:
        action = annot.get("/A")
        internal = "/Dest" in annot or (
            isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.GoTo
        )
        if annot.get("/Subtype") == pikepdf.Name.Popup or internal:
            continue
        if "/Popup" in annot:
            del annot["/Popup"]
        if "/P" in annot:
            del annot["/P"]
        kept.append(annot)
    obj.Annots = kept


def _only_own_pages(out: pikepdf.Pdf) -> None:
    """The check behind the promise: no page object in the file but the output's own pages."""
    own = {page.obj.objgen for page in out.pages}
    for obj in out.objects:
        if (
            isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == pikepdf.Name.Page
            and obj.objgen not in own
        ):
            raise RedactionLeak("a page of the original is still referenced")


@pdfium_serialised
def redact(data: bytes, boxes: Iterable[Box], *, dpi: int = RENDER_DPI) -> bytes:
    """The released PDF: pages with boxes rebuilt from their burnt image, the others copied with
    their text; no document information, no XMP metadata, no outline, no forms.

    A box's `label` is "full label|short label" (the short one for small boxes)."""
    by_page: dict[int, list[Box]] = {}
    for box in boxes:
        by_page.setdefault(box.page, []).append(box)
    pdf = _open(data)
    source = pikepdf.open(io.BytesIO(data))
    out = pikepdf.new()
    try:
        for index in range(len(pdf)):
            if index in by_page:
                page = pdf[index]
                width, height = page.get_size()
                if page.get_rotation() % 180:
                    width, height = height, width
                image = _burnt_page(page, by_page[index], dpi)
                page.close()
                _image_page(out, image, width, height)
                image.close()
            else:
                _cut_references(source.pages[index])
                out.pages.append(source.pages[index])
        if "/Info" in out.trailer:
            del out.trailer["/Info"]
        _only_own_pages(out)
        buffer = io.BytesIO()
        out.save(buffer, compress_streams=True, fix_metadata_version=False)
        return buffer.getvalue()
    finally:
        pdf.close()
        source.close()
        out.close()


@pdfium_serialised
def page_png(data: bytes, index: int, *, dpi: int = PREVIEW_DPI) -> bytes:
    """One page as a PNG image (the workbench shows these with the boxes over them)."""
    pdf = _open(data)
    try:
        if not 0 <= index < len(pdf):
            raise IndexError(index)
        image = pdf[index].render(scale=dpi / 72).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=3)
        return buffer.getvalue()
    finally:
        pdf.close()


def image_to_pdf(data: bytes) -> bytes:
    """A scanned image (JPEG, PNG, TIFF, also multi-page) as a PDF, one page per image; images
    with transparency are flattened on white first (PDF images have no alpha here)."""
    try:
        return img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid)
    except (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError):
        image = Image.open(io.BytesIO(data))
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[-1])
        buffer = io.BytesIO()
        flat.save(buffer, format="PNG")
        return img2pdf.convert(buffer.getvalue())
