"""The official look: letters converted to PDF use Noto Serif CJK for 仿宋/小标宋 when the
official fonts are absent (never a sans fallback), and the tables of the annual report, the
monthly circular and the audit report have explicit, readable column widths in Word."""

import io
import os
import subprocess
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from docx.shared import Pt

from audits.reports import _table as audit_table
from common.docx_tables import page_text_width
from letters import rendering
from reporting.circulars import circular_docx_bytes
from reporting.services import report_docx
from reporting.stats import annual_report_build

CONF = Path(rendering.OFFICIAL_FONTS_CONF)


def _fc_match(family: str, tmp_path) -> str:
    conf = rendering._fontconfig_file(tmp_path)
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    return subprocess.run(
        ["fc-match", family], capture_output=True, text=True, env=env, check=True
    ).stdout


@pytest.mark.parametrize("family", ["仿宋", "仿宋_GB2312", "FangSong", "方正小标宋简体", "小标宋"])
def test_official_fonts_map_to_noto_serif_cjk(family, tmp_path):
    assert CONF.exists()
    assert "Noto Serif CJK SC" in _fc_match(family, tmp_path)


def _docx_in(font: str, text: str) -> bytes:
    document = Document()
    run = document.add_paragraph().add_run(text)
    run.font.size = Pt(16)
    run.font.name = font
    fonts = run._element.get_or_add_rPr().find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts"
    )
    fonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", font)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_fonts(data: bytes) -> set[str]:
    names = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                names.add(str(font.get("/BaseFont", "")))
    return names


@pytest.mark.usefixtures("soffice")
def test_a_letter_in_fangsong_converts_with_a_serif_cjk_font():
    pdf_fangsong, pdf_title = rendering.docx_to_pdfs(
        [_docx_in("仿宋_GB2312", "政府信息公开申请答复书"), _docx_in("方正小标宋简体", "登记回执")]
    )
    for pdf in (pdf_fangsong, pdf_title):
        fonts = _pdf_fonts(pdf)
        assert any("NotoSerifCJK" in name for name in fonts), fonts
        assert not any("DejaVu" in name or "NotoSansCJK" in name for name in fonts), fonts


def _grid_widths(table) -> list[int]:
    return [int(col.w) for col in table._tbl.tblGrid.gridCol_lst]


def _check_table(document, table, *, minimum_cm: float) -> list[int]:
    widths = _grid_widths(table)
    assert all(width >= minimum_cm * 360000 for width in widths), widths
    assert sum(widths) <= page_text_width(document) + len(widths)
    assert table._tbl.tblPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblLayout"
    ).get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type") == ("fixed")
    for row in table.rows:  # every cell carries the width of the columns it spans
        assert all(cell.width is not None and int(cell.width) > 0 for cell in row.cells)
    return widths


def test_annual_report_tables_have_explicit_widths(city):
    report = annual_report_build(agency=city, year=2020)
    document = Document(io.BytesIO(report_docx(report, city)))
    tables = document.tables
    assert len(tables) >= 3
    for table in tables:
        _check_table(document, table, minimum_cm=0.9)
    table3 = tables[-2]
    widths = _grid_widths(table3)
    assert widths[2] > 3 * widths[3]  # the row labels are wide, the counts narrow


def test_circular_table_gives_the_unit_name_room(db):
    rows = [
        {
            "rank": 1,
            "agency": "淄博市张店区人民政府办公室",
            "received": 3,
            "closed": 2,
            "on_time": 2,
            "on_time_rate": 100,
            "overdue_open": 0,
            "median_days": 12,
            "extensions": 0,
        }
    ]
    document = Document(io.BytesIO(circular_docx_bytes("淄博市人民政府办公室", 2026, 9, rows)))
    widths = _check_table(document, document.tables[0], minimum_cm=0.9)
    assert widths[1] > 2 * widths[0]  # 单位 wider than 排名


def test_audit_table_widths_follow_the_content():
    document = Document()
    table = audit_table(
        document,
        ["排名", "机关", "得分"],
        [["1", "淄博市人民政府办公室（市政务公开办）", "95.0"]],
    )
    widths = _check_table(document, table, minimum_cm=0.9)
    assert widths[1] > 2 * widths[0] and widths[1] > 2 * widths[2]
