"""The one table reader refuses what it should not parse before parsing it: files too large,
zip bombs, too many rows; it checks the header first and reports every bad row, a malformed one
included (issue 10 item 7)."""

import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from common.tables import TableError, table_read
from requests_app.services.imports import ImportFailed, cases_import_file

ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


def _deflate(data: bytes, *, final: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
    )


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip package from already deflated members: (name, deflated, crc, unpacked size)."""
    out, directory = io.BytesIO(), []
    for name, deflated, crc, size in members:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc,
                              len(deflated), size, len(raw), 0) + raw + deflated)  # fmt: skip
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                     crc, len(deflated), size, len(raw), 0, 0, 0, 0, 0,
                                     offset) + raw)  # fmt: skip
    start = out.tell()
    out.write(b"".join(directory))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory),
                          out.tell() - start, start, 0))  # fmt: skip
    return out.getvalue()


def zip_bomb_xlsx(target_bytes: int = 2_600_000) -> bytes:
    """A real .xlsx (openpyxl's package) whose first sheet is a header row followed by tens of
    millions of rows: ~2.6 MB on disk, ~0.9 GB once unpacked. The deflate stream repeats one
    independently compressed block (a full flush resets the dictionary), so it is built fast."""
    book = openpyxl.Workbook()
    book.active.append(["case_no"])
    plain = io.BytesIO()
    book.save(plain)
    members = []
    with zipfile.ZipFile(plain) as package:
        for info in package.infolist():
            data = package.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                members.append(
                    (info.filename, _deflate(data, final=True), zlib.crc32(data), len(data))
                )
                continue
            head, tail = data.split(b"</sheetData>")
            head = head.replace(b'<dimension ref="A1"/>', b"")
            chunk = ROW * 20_000
            block = _deflate(chunk, final=False)
            count = target_bytes // len(block)
            crc = zlib.crc32(head)
            for _ in range(count):
                crc = zlib.crc32(chunk, crc)
            end = b"</sheetData>" + tail
            crc = zlib.crc32(end, crc)
            deflated = _deflate(head, final=False) + block * count + _deflate(end, final=True)
            size = len(head) + len(chunk) * count + len(end)
            members.append((info.filename, deflated, crc & 0xFFFFFFFF, size))
    return _zip(members)


def test_a_zip_bomb_xlsx_is_refused_fast_and_small():
    bomb = zip_bomb_xlsx()
    assert 2_400_000 < len(bomb) < 2_800_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as package:  # a valid package, gigabytes unpacked
        assert sum(i.file_size for i in package.infolist()) > 500_000_000
        with package.open("xl/worksheets/sheet1.xml") as sheet:
            assert ROW in sheet.read(100_000)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(TableError) as exc:
        table_read(bomb, filename="bomb.xlsx", columns=["case_no"])
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 1.0 and peak < 20_000_000, (elapsed, peak)
    [error] = exc.value.errors
    assert error.startswith("row 1: 文件解压后达") and "疑为“压缩炸弹”" in error


def test_files_over_the_size_limit_are_refused_unread(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1000
    data = b"a,b\n" + b"1,2\n" * 300
    with pytest.raises(TableError) as exc:
        table_read(data, filename="t.csv", columns=["a", "b"])
    assert exc.value.errors == ["row 1: 文件过大（1 KB），上限为 1 KB"]
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(TableError, match="文件过大"):
        table_read(path, columns=["a", "b"])


def test_more_rows_than_the_limit_are_refused(settings, tmp_path):
    settings.IMPORT_MAX_ROWS = 5
    assert len(table_read(b"a,b\n" + b"1,2\n" * 5, filename="t.csv", columns=["a"])) == 5
    with pytest.raises(TableError) as exc:
        table_read(b"a,b\n" + b"1,2\n" * 6, filename="t.csv", columns=["a"])
    assert exc.value.errors == ["row 7: 数据行多于 5 行，请拆分为多个文件后分别导入"]
    book = openpyxl.Workbook()
    for n in range(10):
        book.active.append(["a", n])
    path = tmp_path / "t.xlsx"
    book.save(path)
    with pytest.raises(TableError) as exc:  # the sheet's declared size, before parsing it
        table_read(path, columns=["a"])
    assert exc.value.errors == ["row 1: 数据行多于 5 行，请拆分为多个文件后分别导入"]


def test_the_header_is_checked_before_the_rows_are_read():
    huge_cell = "x" * 200_000  # over the csv module's field limit: a malformed record
    data = f"a,c\n1,2\n{huge_cell},3\n".encode()
    with pytest.raises(TableError) as exc:
        table_read(data, filename="t.csv", columns=["a", "b"])
    assert exc.value.errors == ["row 1: 缺少列：b"]


def test_a_malformed_row_is_reported_on_its_line_with_every_other_bad_row():
    huge_cell = "x" * 200_000
    data = f"a,b\n1,2,3\n{huge_cell},3\n4,5\n6,7,8\n".encode()
    with pytest.raises(TableError) as exc:
        table_read(data, filename="t.csv", columns=["a", "b"])
    assert exc.value.errors == [
        "row 2: 本行的单元格多于表头的列数",
        "row 3: 本行无法读取（field larger than field limit (131072)）",
        "row 5: 本行的单元格多于表头的列数",
    ]


def test_import_cases_reports_a_malformed_row_together_with_the_rows_bad_content(
    city, staff, tmp_path
):
    path = tmp_path / "cases.csv"
    path.write_text(
        "case_no,received_on,channel,applicant_type,applicant_name,content,outcome,closed_on\n"
        ",2026-09-25,in_person,natural_person,张三,申请公开文件,,,多出的一格\n"
        ",2026-13-45,in_person,natural_person,李四,申请公开文件,,\n"
        ",2026-09-25,in_person,natural_person,王五,申请公开文件,disclosed,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as exc:
        cases_import_file(path, agency=city, by=staff["clerk"])
    errors = exc.value.errors
    assert errors[0] == "row 2: 本行的单元格多于表头的列数"
    assert any(e.startswith("row 3: received_on：日期格式应为") for e in errors), errors
    assert any(e.startswith("row 4: closed_on：") for e in errors), errors


def test_import_agencies_and_calendar_report_a_malformed_row_with_the_other_bad_rows(tmp_path, db):
    agencies = tmp_path / "agencies.csv"
    agencies.write_text(
        "code,name,parent_code,level,address,phone,review_body,court\n"
        "A1,甲机关,,city,,,,,多出的一格\n"
        "A2,乙机关,,planet,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_agencies", str(agencies))
    lines = str(exc.value).splitlines()[1:]
    assert lines[0] == "row 2: 本行的单元格多于表头的列数"
    assert lines[1].startswith("row 3: ") and "planet" in lines[1]
    calendar = tmp_path / "cal.csv"
    calendar.write_text(
        "date,kind,name\n2027-01-01,holiday,元旦,多出的一格\n2027-13-01,holiday,元旦\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_calendar", str(calendar))
    lines = str(exc.value).splitlines()[1:]
    assert lines[0] == "row 2: 本行的单元格多于表头的列数"
    assert lines[1].startswith("row 3: ") and "2027-13-01" in lines[1]
