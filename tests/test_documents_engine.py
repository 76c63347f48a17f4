"""The redaction engine on fixture documents made here: detection with checksums, and true
redaction checked by two independent readers (poppler's pdftotext, pypdfium2)."""

import io
import os
import subprocess
import sys

import pikepdf
import pypdfium2 as pdfium
import pytest

from common.office import office_to_pdf
from documents import engine
from tests.documents_support import (
    CARD,
    CREDIT,
    EMAIL,
    ID_A,
    ID_B,
    KEEP_TEXT,
    MOBILE_A,
    NAME_A,
    NAME_B,
    PHONE_B,
    multipage_pdf,
    pdftotext,
    scanned_png,
    squash,
    table_docx,
)


def labelled(boxes):
    return [
        engine.Box(
            b.page, b.x0, b.y0, b.x1, b.y1, kind=b.kind, label="依据条例第十五条不予公开|第十五条"
        )
        for b in boxes
    ]


def test_checksums_decide_what_is_proposed():
    assert engine.luhn_valid(CARD)
    bad_id = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")
    bad_card = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    text = f"{ID_A} {bad_id} 卡{CARD} 卡{bad_card} 码{CREDIT} 码{CREDIT[:-1]}0 鲁C12345"
    kinds = {(m.kind, m.text) for m in engine.find_matches(text, engine.PATTERNS)}
    assert ("id_number", ID_A) in kinds
    assert ("bank_card", CARD) in kinds
    assert ("credit_code", CREDIT) in kinds
    assert ("plate", "鲁C12345") in kinds
    texts = {t for _, t in kinds}
    assert bad_id not in texts and bad_card not in texts and f"{CREDIT[:-1]}0" not in texts
    # An ID number is not proposed a second time as a bank card.
    assert not any(k == "bank_card" and t == ID_A for k, t in kinds)


def test_phones_mobiles_and_emails_are_found_but_not_other_numbers():
    text = f"电话{PHONE_B}，手机{MOBILE_A}，或 138-0000-1111，邮箱 {EMAIL}；文号 2026 第 12345 号"
    found = {(m.kind, m.text) for m in engine.find_matches(text, engine.PATTERNS)}
    assert ("phone", PHONE_B) in found
    assert ("mobile", MOBILE_A) in found and ("mobile", "138-0000-1111") in found
    assert ("email", EMAIL) in found
    assert not any("12345" == t for _, t in found)


@pytest.mark.usefixtures("soffice")
def test_docx_table_redacted_leaves_no_trace_and_keeps_the_clean_page():
    pdf = office_to_pdf(table_docx(), ".docx")
    assert engine.page_count(pdf) == 2
    boxes = engine.detect(pdf, terms=[NAME_A, NAME_B])
    found = {b.text for b in boxes}
    secrets = [ID_A, ID_B, MOBILE_A, PHONE_B, CARD, EMAIL, CREDIT, NAME_A, NAME_B]
    assert set(secrets) <= found, set(secrets) - found
    assert all(b.page == 0 for b in boxes)

    released = engine.redact(pdf, labelled(boxes))

    for reader in (squash(pdftotext(released)), squash("".join(engine.page_text(released)))):
        for secret in secrets:
            assert squash(secret) not in reader, secret
        assert KEEP_TEXT in reader  # page 2 kept its text
    assert squash(pdftotext(released, page=1)) == ""  # page 1 is an image now
    assert KEEP_TEXT in squash(pdftotext(released, page=2))
    # Nothing left in the file's objects either: no metadata, no font of page 1's text.
    out = pikepdf.open(io.BytesIO(released))
    assert "/Info" not in out.trailer and "/Metadata" not in out.Root
    assert "/Font" not in out.pages[0].Resources
    assert NAME_A.encode("utf-16-be") not in released and ID_A.encode() not in released


def test_multipage_pdf_only_pages_with_boxes_become_images():
    pdf = multipage_pdf(5)
    boxes = engine.detect(pdf)
    assert {b.page for b in boxes} == {0, 2, 4}
    released = engine.redact(pdf, labelled(boxes))
    text = pdftotext(released)
    for secret in (MOBILE_A, EMAIL, ID_A, CARD):
        assert secret not in text
    for page in (2, 4):
        assert f"Page {page} public text road budget" in pdftotext(released, page=page)
    assert "Page 1 public" not in text  # a rebuilt page keeps no text at all
    out = pikepdf.open(io.BytesIO(released))
    assert "/Info" not in out.trailer and "/Metadata" not in out.Root
    assert b"Wang Xiaoming" not in released
    # Same page sizes as the original.
    assert [tuple(round(v) for v in s) for s in engine.page_sizes(released)] == [(595, 842)] * 5


def test_box_on_a_scan_is_burnt_into_the_pixels():
    pdf = engine.image_to_pdf(scanned_png())
    width, height = engine.page_sizes(pdf)[0]
    assert engine.detect(pdf) == []  # a scan has no text layer: the handler draws the box
    # The drawn text sits at pixels (100, 200)–(~900, 250) of a 150 dpi image: points × 72/150.
    box = engine.Box(0, 40, 90, 460, 125, label="个人信息依法不予公开|个人信息")
    released = engine.redact(pdf, [box])
    image = pdfium.PdfDocument(released)[0].render(scale=1).to_pil().convert("L")
    inside = [image.getpixel((x, y)) for x in range(45, 455, 7) for y in range(95, 120, 3)]
    # Black box with a white label: mostly black, and no longer the white paper of the scan.
    assert sum(1 for p in inside if p < 60) / len(inside) > 0.7
    kept = [image.getpixel((x, y)) for x in range(48, 400) for y in range(238, 265)]
    assert min(kept) < 100  # the second line is still drawn
    assert (round(width), round(height)) == tuple(round(v) for v in engine.page_sizes(released)[0])


def test_unreadable_pdf_is_refused():
    with pytest.raises(engine.PdfUnreadable):
        engine.page_count(b"%PDF-1.7\nnot really")


def _all_stream_bytes(data: bytes) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    chunks = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            chunks.append(obj.read_bytes())
    return b"".join(chunks)


def test_links_to_a_redacted_page_do_not_drag_its_text_along():
    """A kept page linking to a redacted one would make a PDF writer copy the original page
    (with its text) as a link target: internal links are cut, other annotations kept."""
    source = pikepdf.open(io.BytesIO(multipage_pdf(2)))
    first = source.pages[0].obj
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[72, 700, 200, 720],
        Dest=pikepdf.Array([first, pikepdf.Name.Fit]),
    )
    goto = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[72, 600, 200, 620],
        A=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([first, pikepdf.Name.Fit])),
    )
    uri = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[72, 500, 200, 520],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")),
    )
    source.pages[1].obj.Annots = source.make_indirect(pikepdf.Array([link, goto, uri]))
    buffer = io.BytesIO()
    source.save(buffer, compress_streams=False)
    pdf = buffer.getvalue()
    assert MOBILE_A.encode() in _all_stream_bytes(pdf)

    boxes = [b for b in engine.detect(pdf) if b.page == 0]
    released = engine.redact(pdf, labelled(boxes))
    assert MOBILE_A.encode() not in _all_stream_bytes(released)
    assert b"Page 1 public" not in _all_stream_bytes(released)
    out = pikepdf.open(io.BytesIO(released))
    assert len(out.pages) == 2
    annots = out.pages[1].obj.Annots
    assert len(annots) == 1 and str(annots[0].A.URI) == "https://example.org/"
    assert "Page 2 public text" in pdftotext(released, page=2)


CONCURRENT_SCRIPT = """
import sys, threading
import django
django.setup()
from documents import engine
from tests.documents_support import multipage_pdf

data = multipage_pdf(4)
errors = []

def work():
    try:
        for _ in range(15):
            for index in range(4):
                engine.page_png(data, index, dpi=40)
            engine.detect(data)
    except Exception as exc:  # an exception is a failure too, not only a crash
        errors.append(repr(exc))

threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("errors", len(errors), errors[:1])
sys.exit(1 if errors else 0)
"""


def test_pdfium_is_used_by_one_thread_at_a_time():
    """PDFium is not thread-safe: the workbench's page images fetched in parallel from a threaded
    server once crashed the process. Eight threads previewing and detecting at once must finish
    (in a child process, so a crash fails this test instead of killing the test run)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr[-2000:])
