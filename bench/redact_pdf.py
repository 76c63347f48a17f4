"""Benchmark of the redaction engine (issue 14): pages redacted per second on a 100-page
document, and the memory it holds.

    .venv/bin/python bench/redact_pdf.py [--pages 100] [--dpi 150] [--clean-every 0]

Builds a .docx of N pages (a heading, a table of names, ID numbers and phones, a paragraph of
ordinary text on each page), converts it with LibreOffice (not timed), then times detection
(`engine.detect`) and true redaction (`engine.redact`: every page with a box rebuilt from its
image) and prints pages/s, the peak of Python allocations (tracemalloc) and the process's peak
resident memory (RSS, which includes pdfium's and Pillow's native buffers). `--clean-every K`
leaves every K-th page without personal data (kept with its text). Not part of the suite."""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from docx import Document  # noqa: E402

from common.office import office_to_pdf  # noqa: E402
from documents import engine  # noqa: E402
from requests_app.rules import id_number_check_char  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_docx(pages: int, clean_every: int) -> bytes:
    document = Document()
    for number in range(1, pages + 1):
        document.add_heading(f"第{number}页 道路维修工程资金拨付情况", level=2)
        if not (clean_every and number % clean_every == 0):
            table = document.add_table(rows=4, cols=3)
            for row_index, row in enumerate(table.rows):
                birth = f"19{70 + row_index}{number % 12 + 1:02d}{number % 28 + 1:02d}"
                first17 = f"370302{birth}{number % 1000:03d}"
                values = (
                    f"申请人{number}-{row_index}",
                    first17 + id_number_check_char(first17),
                    f"139{number:04d}{row_index:04d}",
                )
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
        document.add_paragraph("本项目资金按照工程进度分期拨付，" * 12)
        if number < pages:
            document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--dpi", type=int, default=engine.RENDER_DPI)
    parser.add_argument("--clean-every", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    pdf = office_to_pdf(build_docx(args.pages, args.clean_every), ".docx", timeout=600)
    pages = engine.page_count(pdf)
    print(
        f"document: {pages} pages, {len(pdf) / 1e6:.2f} MB "
        f"(built and converted in {time.perf_counter() - started:.1f} s, not timed below)"
    )
    engine.label_font_path()  # fontconfig lookup once, as in a running server
    rss_before = rss_mb()

    tracemalloc.start()
    started = time.perf_counter()
    found = engine.detect(pdf)
    detect_s = time.perf_counter() - started
    _, detect_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()

    boxes = [
        engine.Box(
            b.page, b.x0, b.y0, b.x1, b.y1, kind=b.kind, label="依据条例第十五条不予公开|第十五条"
        )
        for b in found
    ]
    started = time.perf_counter()
    released = engine.redact(pdf, boxes, dpi=args.dpi)
    redact_s = time.perf_counter() - started
    _, redact_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    redacted_pages = len({b.page for b in boxes})

    print(
        f"detection: {len(found)} boxes on {redacted_pages} pages in {detect_s:.2f} s "
        f"= {pages / detect_s:.1f} pages/s; Python peak {detect_peak / 1e6:.1f} MB"
    )
    print(
        f"redaction at {args.dpi} dpi: {redact_s:.2f} s = {pages / redact_s:.2f} pages/s "
        f"({redacted_pages / redact_s:.2f} rebuilt pages/s); Python peak "
        f"{redact_peak / 1e6:.1f} MB"
    )
    total = detect_s + redact_s
    print(f"end to end: {pages / total:.2f} pages/s; output {len(released) / 1e6:.2f} MB")
    print(
        f"RSS: {rss_before:.0f} MB before, {rss_mb():.0f} MB after, peak {peak_rss_mb():.0f} MB "
        f"(process, includes Django and the native libraries)"
    )


if __name__ == "__main__":
    main()
