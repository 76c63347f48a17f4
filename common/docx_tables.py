"""Readable column widths for tables in generated Word files (reports, circulars, audits).

python-docx leaves a new table's columns equal and "autofit", which Word and LibreOffice
resolve differently: a unit's name wraps one character per line next to a wide empty count
column. These helpers fix the layout and give every column an explicit width (grid and cells),
spread over the page's text width."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt

MIN_WEIGHT, MAX_WEIGHT = 3, 28  # in half-width characters
TWIP = 635  # EMU
PADDING = 2  # half-width characters of cell margins
HEADER_LINES = 3  # a column heading may wrap onto this many lines


def text_width(text: str) -> int:
    """Display width in half-width characters: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def page_text_width(document) -> int:
    """The width between the margins of the document's last section, in EMU."""
    section = document.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)


def table_set_widths(table, weights: Sequence[float], total: int) -> list[int]:
    """Fixed layout; the grid columns get `total` EMU shared in proportion to `weights`, and
    every cell the width of the grid columns it spans. Returns the column widths (EMU)."""
    grid = table._tbl.tblGrid.gridCol_lst
    if len(grid) != len(weights):
        raise ValueError(f"{len(weights)} weights for {len(grid)} columns")
    whole = sum(weights)
    # Whole twips (Word stores the grid in twips): the columns never exceed the total.
    widths = [int(total * weight / whole) // TWIP * TWIP for weight in weights]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    for column, width in zip(grid, widths, strict=True):
        column.w = Emu(width)
    for tr in table._tbl.tr_lst:
        index = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = Emu(sum(widths[index : index + span]))
            index += span
    return widths


def table_fit_to_content(document, table, *, font_pt: float = 10.5) -> list[int]:
    """Widths from each column's longest line (clamped, plus padding) at the font size; when
    they do not fit the text width, the widest columns give way first (a rank or a count keeps
    its room, a long name wraps); any room left is shared in proportion."""
    columns = len(table._tbl.tblGrid.gridCol_lst)
    chars = [float(MIN_WEIGHT)] * columns
    for number, row in enumerate(table.rows):
        for index, cell in enumerate(row.cells[:columns]):
            if cell._tc.grid_span > 1:  # a title spanning columns says nothing of one column
                continue
            longest = max((text_width(line) for line in cell.text.splitlines()), default=0)
            if number == 0:  # the heading row wraps rather than widen a column of counts
                longest = longest / HEADER_LINES
            chars[index] = max(chars[index], min(float(longest), float(MAX_WEIGHT)))
    half_char = Pt(font_pt / 2)
    natural = [(c + PADDING) * half_char for c in chars]
    total = page_text_width(document)
    if sum(natural) > total:
        natural = _water_fill(natural, total)
    return table_set_widths(table, natural, total)


def _water_fill(widths: list[float], total: int) -> list[float]:
    """Cap the widest columns at the level where the columns fill exactly `total`."""
    ordered = sorted(widths)
    remaining, count = float(total), len(ordered)
    for width in ordered:
        if width * count > remaining:
            cap = remaining / count
            return [min(w, cap) for w in widths]
        remaining -= width
        count -= 1
    return widths
