"""The one table reader behind every import: row numbers, encodings, headers, both formats."""

import datetime as dt

import openpyxl
import pytest

from common.tables import TableError, table_read


def read(data: bytes, name="t.csv", **kwargs):
    return table_read(data, filename=name, columns=["a", "b"], **kwargs)


def test_rows_are_numbered_by_the_files_lines_even_across_multi_line_cells_and_blank_lines():
    rows = read(b'a,b\n1,"two\nlines"\n\n3,4\n')
    assert [(r.line, r.values) for r in rows] == [
        (2, {"a": "1", "b": "two\nlines"}),
        (5, {"a": "3", "b": "4"}),
    ]


def test_bom_is_accepted_and_other_encodings_are_named():
    assert read("\ufeffa,b\n1,2\n".encode())[0].values == {"a": "1", "b": "2"}
    with pytest.raises(TableError) as exc:
        read("a,b\n张,三\n".encode("gbk"))
    assert exc.value.errors == ["row 1: 文件不是 UTF-8 编码（请另存为“CSV UTF-8”）"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (b"", ["row 1: 文件为空（缺少表头）"]),
        (b"a\n1\n", ["row 1: 缺少列：b"]),
        (b"a,b\n", ["row 2: 文件没有数据行"]),
        (
            b"a,b\n1,2,3\n4,5\n6,7,8\n",
            ["row 2: 本行的单元格多于表头的列数", "row 4: 本行的单元格多于表头的列数"],
        ),
    ],
)
def test_problems_of_the_file_itself(data, errors):
    with pytest.raises(TableError) as exc:
        read(data)
    assert exc.value.errors == errors


def test_types_and_messages_can_be_narrowed_by_the_caller():
    with pytest.raises(TableError) as exc:
        read(b"a,b\n1,2\n", name="t.xlsx", suffixes=(".csv",), messages={"bad_type": "只收 .csv"})
    assert exc.value.errors == ["row 1: 只收 .csv"]
    assert read(b"# note\na,b\n1,2\n", comments=True)[0].line == 3


def test_xlsx_first_sheet_with_dates_and_numbers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "extra"])
    sheet.append([dt.datetime(2026, 9, 25), 12.0, "x"])
    sheet.append([None, None, None])
    sheet.append([" t ", 3.5, None])
    path = tmp_path / "t.xlsx"
    book.save(path)
    rows = table_read(path, columns=["a", "b"])
    assert [(r.line, r.values) for r in rows] == [
        (2, {"a": dt.date(2026, 9, 25), "b": "12", "extra": "x"}),
        (4, {"a": "t", "b": "3.5", "extra": ""}),
    ]
    with pytest.raises(TableError) as exc:
        table_read(b"not a zip", filename="t.xlsx", columns=["a"])
    assert exc.value.errors == ["row 1: 无法读取 .xlsx 文件（文件已损坏或不是 Excel 工作簿）"]


def test_formula_like_text_is_escaped_for_spreadsheets_and_read_back_unchanged():
    from common.tables import csv_safe

    assert csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_safe("-5") == "'-5" and csv_safe("正常文本") == "正常文本" and csv_safe(3) == 3
    rows = read("a,b\n'=1+1,'正常\n".encode())
    assert rows[0].values == {"a": "=1+1", "b": "'正常"}
