"""Fonts on a python-docx run: size, weight, the Latin font and the East Asian font
(`w:rFonts/@w:eastAsia`), which Word and WPS need named explicitly to show 仿宋/小标宋."""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Pt


def run_font(run, *, east_asian: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
