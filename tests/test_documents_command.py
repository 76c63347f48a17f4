"""The redact_pdf command: detection and listed terms applied, the log written per box."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from documents import engine
from tests.documents_support import (
    CARD,
    EMAIL,
    ID_A,
    MOBILE_A,
    multipage_pdf,
    pdftotext,
)


def test_redact_pdf_writes_the_released_file_and_the_log(tmp_path):
    source = tmp_path / "in.pdf"
    source.write_bytes(multipage_pdf(4))
    out, log = tmp_path / "out.pdf", tmp_path / "log.csv"
    stdout = io.StringIO()
    call_command(
        "redact_pdf",
        str(source),
        "--output",
        str(out),
        "--terms",
        "public text",
        "--patterns",
        "mobile,email,id_number,bank_card",
        "--log",
        str(log),
        stdout=stdout,
    )
    released = out.read_bytes()
    text = pdftotext(released)
    for secret in (MOBILE_A, EMAIL, ID_A, CARD, "public text"):
        assert secret not in text
    with open(log, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    kinds = sorted(r["kind"] for r in rows)
    # Pages 1 and 3 carry mobile, email, ID, card; "public text" is on every page.
    assert kinds.count("term") == 4 and kinds.count("mobile") == 2
    assert {r["page"] for r in rows} == {"1", "2", "3", "4"}
    assert all(r["ground"] == "personal" and r["label"] for r in rows)
    assert engine.page_count(released) == 4
    assert "遮盖" in stdout.getvalue()


def test_only_the_listed_patterns_apply(tmp_path):
    source = tmp_path / "in.pdf"
    source.write_bytes(multipage_pdf(2))
    out = tmp_path / "out.pdf"
    call_command("redact_pdf", str(source), "--output", str(out), "--patterns", "email")
    text = pdftotext(out.read_bytes(), page=2)
    assert "Page 2 public text" in text  # page 2 has no e-mail: kept with its text
    assert EMAIL not in pdftotext(out.read_bytes())


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(CommandError, match="找不到输入文件"):
        call_command("redact_pdf", str(tmp_path / "none.pdf"), "--output", "x.pdf")
    source = tmp_path / "in.pdf"
    source.write_bytes(multipage_pdf(1))
    with pytest.raises(CommandError, match="未知类型：passport"):
        call_command("redact_pdf", str(source), "--output", "x.pdf", "--patterns", "passport")
