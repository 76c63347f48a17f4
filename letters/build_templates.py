"""Build the default letter templates under templates/letters/ (run: python -m letters.build_templates).

The layout follows GB/T 9704-2012 (党政机关公文格式): A4, margins top 37 mm, bottom 35 mm, left
28 mm, right 26 mm; title in 方正小标宋简体 2号 (22 pt), body in 仿宋_GB2312 3号 (16 pt), fixed
line spacing of 28.95 pt (22 lines a page), page numbers "— N —" in 宋体 4号 in the footer.
Every run names its East Asian font in `w:rFonts/@w:eastAsia` so that Word and WPS use it (the
Latin `w:ascii`/`w:hAnsi` names alone are ignored for Chinese text). Placeholders are docxtpl
(Jinja) tags; `{%p ... %}` tags stand alone in their paragraph."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from letters.placeholders import TEMPLATE_KEYS

OUT_DIR = Path(__file__).resolve().parent.parent / "templates" / "letters"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
PAGE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_SIZE = Pt(14)  # 4号
LINE = Pt(28.95)


def set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts on a run or style: Latin and East Asian (w:eastAsia) both."""
    rpr = rpr_owner._element.get_or_add_rPr() if hasattr(rpr_owner, "_element") else rpr_owner
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (
        ("w:ascii", latin),
        ("w:hAnsi", latin),
        ("w:eastAsia", east_asia),
        ("w:cs", latin),
    ):
        fonts.set(qn(attr), value)
    fonts.set(qn("w:hint"), "eastAsia")


def add_run(paragraph, text: str, *, font=BODY_FONT, size=BODY_SIZE, bold=False, color=None):
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.bold = bold
    if color:
        run.font.color.rgb = color
    set_fonts(run, font)
    return run


class Builder:
    def __init__(self, *, envelope: bool = False):
        self.doc = Document()
        section = self.doc.sections[0]
        if envelope:  # DL envelope 220 x 110 mm, printed landscape
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(220), Mm(110)
            for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
                setattr(section, side, Mm(10))
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)
            section.header_distance, section.footer_distance = Mm(15), Mm(28) - Mm(7)
        normal = self.doc.styles["Normal"]
        normal.font.size = BODY_SIZE
        set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.space_before = fmt.space_after = Pt(0)
        # A document language of zh-CN makes WPS and Word pick the East Asian font.
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        normal.element.get_or_add_rPr().append(lang)
        if not envelope:
            self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(paragraph, "— ", font=PAGE_FONT, size=PAGE_SIZE)
        run = add_run(paragraph, "", font=PAGE_FONT, size=PAGE_SIZE)
        for kind, text in (
            ("begin", None),
            (None, " PAGE "),
            ("separate", None),
            (None, "1"),
            ("end", None),
        ):
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._element.append(char)
            elif text.strip() == "PAGE":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._element.append(instr)
            else:
                t = OxmlElement("w:t")
                t.text = text
                run._element.append(t)
        add_run(paragraph, " —", font=PAGE_FONT, size=PAGE_SIZE)

    def para(
        self,
        *parts,
        align=None,
        indent=True,
        font=BODY_FONT,
        size=BODY_SIZE,
        bold=False,
        color=None,
    ):
        paragraph = self.doc.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent and align is None:
            paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
        for part in parts:
            add_run(paragraph, part, font=font, size=size, bold=bold, color=color)
        return paragraph

    def tag(self, text: str):
        """A paragraph holding only a docxtpl paragraph tag ({%p ... %})."""
        return self.para(text, indent=False)

    def title(self, text: str):
        paragraph = self.para(
            text, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=TITLE_SIZE
        )
        paragraph.paragraph_format.line_spacing = Pt(36)
        return paragraph

    def head(self) -> None:
        self.tag("{%p if draft %}")
        self.para(
            "草稿——未经签发，不具效力",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            bold=True,
            color=RGBColor(0xC0, 0x00, 0x00),
        )
        self.tag("{%p endif %}")
        self.title("{{ agency_name }}")
        self.title("{{ title }}")
        self.para("{{ letter_number }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
        self.tag("{%p if replaces_number %}")
        self.para("（本文书更正{{ replaces_number }}，原文书同时作废）")
        self.tag("{%p endif %}")
        self.para("{{ recipient_name }}：", indent=False)

    def body(self) -> None:
        self.tag("{%p for p in body %}")
        self.para("{{ p }}")
        self.tag("{%p endfor %}")

    def tail(self) -> None:
        self.para("")
        self.para("{{ agency_name }}{{ seal }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
        self.para("{{ issue_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
        self.para("")
        self.para("（联系电话：{{ agency_phone }}；地址：{{ agency_address }}）", indent=False)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return _stable_zip(out.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps so that the build is byte-reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def _reply_intro(b: Builder) -> None:
    b.para(
        "本机关于{{ received_on }}收到您提出的政府信息公开申请（案件编号：{{ case_no }}），"
        "申请获取：“{{ request_content }}”。现答复如下："
    )


def _request_intro(b: Builder, then: str = "") -> None:
    """Every notice and receipt identifies the request: receipt date, case number, content."""
    b.para(
        "本机关于{{ received_on }}收到您提出的政府信息公开申请（案件编号：{{ case_no }}），"
        "申请获取：“{{ request_content }}”。" + then
    )


def _reply_end(b: Builder) -> None:
    b.tag("{%p if legal_basis %}")
    b.para("{{ legal_basis }}")
    b.tag("{%p endif %}")
    b.para("{{ remedy }}")


def build(key: str) -> bytes:
    b = Builder(envelope=key == "envelope")
    if key == "envelope":
        b.para("{{ recipient_postcode }}", indent=False, size=Pt(22))
        b.para("{{ recipient_address }}", indent=False)
        b.para(
            "{{ recipient_name }}　收",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            font=TITLE_FONT,
            size=TITLE_SIZE,
        )
        b.para("")
        b.para("{{ agency_name }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
        b.para(
            "{{ agency_address }}　邮政编码：{{ agency_postcode }}",
            align=WD_ALIGN_PARAGRAPH.RIGHT,
            size=Pt(12),
        )
        b.para("内装文书：{{ letter_number }}", align=WD_ALIGN_PARAGRAPH.RIGHT, size=Pt(12))
        b.tag("{%p if draft %}")
        b.para("（草稿）", align=WD_ALIGN_PARAGRAPH.RIGHT, size=Pt(12))
        b.tag("{%p endif %}")
        return b.bytes()
    b.head()
    if key == "receipt":
        _request_intro(b, "已登记。")
        b.body()
        b.para(
            "本机关将最迟于{{ reply_due }}（含当日）作出答复。"
            "您可以凭查询码{{ tracking_code }}查询办理进度。"
        )
    elif key == "supplement_notice":
        _request_intro(b, "经审查，您的申请内容不明确，现一次性告知您需要补正的事项。")
        b.para("需要补正的事项：{{ missing }}")
        b.para("补正期限：请最迟于{{ supplement_due }}（含当日）向本机关提交补正后的申请。")
        b.body()
    elif key == "extension_notice":
        _request_intro(b)
        b.body()
        b.para("延期理由：{{ extension_reason }}")
        b.para(
            "本机关将延长答复期限{{ extension_days }}个工作日，"
            "最迟于{{ new_due }}（含当日）作出答复。"
        )
    elif key == "consultation_letter":
        b.para(
            "本机关于{{ received_on }}收到一份政府信息公开申请（案件编号：{{ case_no }}），"
            "申请获取：“{{ request_content }}”。"
        )
        b.body()
        b.para("{{ answer_period }}")
    elif key == "fee_notice":
        _request_intro(b)
        b.para("{{ fee_basis }}")
        b.para("收费标准：{{ fee_standard }}")
        b.tag("{%p for line in fee_lines %}")
        b.para("{{ line }}")
        b.tag("{%p endfor %}")
        b.para("应缴金额：人民币{{ fee_amount }}元。")
        b.para("缴费期限：请最迟于{{ payment_due }}（含当日）缴纳。")
        b.para("缴费方式：{{ payment_method }}")
        b.body()
    else:
        _reply_intro(b)
        b.body()
        if key in ("reply_disclosed", "reply_partially_disclosed"):
            b.tag("{%p if access %}")
            b.para("获取方式、途径：{{ access }}")
            b.tag("{%p endif %}")
        if key == "reply_withheld":
            b.tag("{%p if withhold_reason %}")
            b.para("不予公开的理由：{{ withhold_reason }}")
            b.tag("{%p endif %}")
        if key == "reply_partially_disclosed":
            b.para("不予公开部分的理由：{{ withhold_reason }}")
        if key == "reply_unavailable":
            b.tag("{%p if responsible_agency %}")
            b.para(
                "该政府信息的公开机关：{{ responsible_agency }}，联系方式：{{ responsible_contact }}。"
            )
            b.tag("{%p endif %}")
        _reply_end(b)
    b.tail()
    return b.bytes()


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for key in TEMPLATE_KEYS:
        (OUT_DIR / f"{key}.docx").write_bytes(build(key))
        print(f"{OUT_DIR / key}.docx")


if __name__ == "__main__":
    main()
