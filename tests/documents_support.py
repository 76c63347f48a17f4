"""Fixture documents of the redaction tests, made here: a .docx with a table of names, ID
numbers and phones (converted by LibreOffice in the code under test), a multi-page PDF written
directly (Latin text, PDF base font), and a scanned image (text drawn into pixels)."""

import io
import subprocess
import tempfile
from pathlib import Path

import pikepdf
from docx import Document
from PIL import Image, ImageDraw, ImageFont

from documents import engine
from tests.conftest import valid_credit_code, valid_id_number

ID_A = valid_id_number(11)
ID_B = valid_id_number(12)
MOBILE_A = "13912345678"
PHONE_B = "0533-2345678"
CARD = "6222020200112233446"  # Luhn-valid (checked in a test)
EMAIL = "wangxm@example.com"
CREDIT = valid_credit_code(42)
NAME_A, NAME_B = "王小明", "李秀英"
KEEP_TEXT = "道路维修资金使用情况"


def table_docx() -> bytes:
    """Two pages: page 1 a table of people with their numbers; page 2 plain text to keep."""
    document = Document()
    document.add_paragraph(f"关于{KEEP_TEXT}的说明")
    table = document.add_table(rows=3, cols=3)
    rows = [("姓名", "身份证号码", "联系电话"), (NAME_A, ID_A, MOBILE_A), (NAME_B, ID_B, PHONE_B)]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph(f"银行账号 {CARD}，电子邮箱 {EMAIL}")
    document.add_paragraph(f"承包单位统一社会信用代码 {CREDIT}，车辆 鲁C12345")
    document.add_page_break()
    document.add_paragraph(f"第二页：{KEEP_TEXT}，不含个人信息。")
    document.core_properties.author = NAME_A
    document.core_properties.title = f"{NAME_A}的材料"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机"])
    sheet.append([NAME_B, MOBILE_A])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def multipage_pdf(pages: int = 3, *, lines_per_page: int = 4) -> bytes:
    """A PDF with Helvetica text: odd pages carry personal data, even pages do not; with a
    document title in /Info and XMP that name a person."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for number in range(1, pages + 1):
        lines = [f"Page {number} public text road budget"]
        if number % 2:
            lines += [
                f"Contact mobile {MOBILE_A} mail {EMAIL}",
                f"ID {ID_A} card {CARD}",
            ]
        lines += [f"Filler line {i} about roads" for i in range(lines_per_page - len(lines))]
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
        for line in lines:
            ops.append(f"({line}) Tj T*")
        ops.append("ET")
        content = pdf.make_stream("\n".join(ops).encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Contents=content,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.docinfo["/Title"] = f"Records of {EMAIL}"
    pdf.docinfo["/Author"] = "Wang Xiaoming"
    with pdf.open_metadata() as meta:
        meta["dc:title"] = f"Records of {EMAIL}"
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def scanned_png(text: str = f"身份证 {ID_A}") -> bytes:
    """A "scan": an A5-ish white image with the text drawn in black pixels (no text layer)."""
    image = Image.new("RGB", (1240, 880), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(engine.label_font_path(), 40)
    draw.text((100, 200), text, fill="black", font=font)
    draw.text((100, 500), "以下内容保留公开", fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(150, 150))
    return buffer.getvalue()


def pdftotext(data: bytes, *, page: int | None = None) -> str:
    """The text poppler's pdftotext reads from a PDF (all pages, or one 1-based page)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.pdf"
        path.write_bytes(data)
        args = ["pdftotext", "-enc", "UTF-8"]
        if page:
            args += ["-f", str(page), "-l", str(page)]
        result = subprocess.run(
            [*args, str(path), "-"], capture_output=True, check=True, timeout=60
        )
        return result.stdout.decode()


def squash(text: str) -> str:
    """Text without white space (extractors insert spaces and line breaks differently)."""
    return "".join(text.split())
