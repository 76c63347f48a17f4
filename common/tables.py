"""Reading a table given by a user: a UTF-8 .csv (with or without BOM) or the first sheet of an
.xlsx, into rows keyed by the header. Every import of the product uses this one reader, so rows
are numbered the same way everywhere: N is the file's line where the record starts (a quoted
CSV cell may span lines; for .xlsx the sheet row), the header being row 1. Blank lines are
skipped but keep their numbers.

Before anything is parsed the file's size and, for .xlsx, its compression ratio (the sizes its
zip directory declares, which bound what is decompressed) are checked against the limits in
settings (IMPORT_MAX_BYTES, IMPORT_MAX_RATIO, IMPORT_MAX_ROWS); rows are read as a stream, the
header checked first, and reading stops as soon as the row limit is passed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings

MESSAGES = {
    "empty": "文件为空（缺少表头）",
    "no_rows": "文件没有数据行",
    "missing_columns": "缺少列：{columns}",
    "too_many_cells": "本行的单元格多于表头的列数",
    "not_utf8": "文件不是 UTF-8 编码（请另存为“CSV UTF-8”）",
    "bad_xlsx": "无法读取 .xlsx 文件（文件已损坏或不是 Excel 工作簿）",
    "bad_type": "不支持的文件类型“{suffix}”，请使用 .csv 或 .xlsx",
    "too_large": "文件过大（{size}），上限为 {limit}",
    "zip_ratio": (
        "文件解压后达 {size}，是文件本身的 {ratio} 倍（上限 {limit} 倍），疑为“压缩炸弹”，不予读取"
    ),
    "too_many_rows": "数据行多于 {limit} 行，请拆分为多个文件后分别导入",
    "bad_row": "本行无法读取（{error}）",
}

# Defaults of the limits (settings override them).
MAX_BYTES = 20 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 100_000


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES),
        getattr(settings, "IMPORT_MAX_RATIO", MAX_RATIO),
        getattr(settings, "IMPORT_MAX_ROWS", MAX_ROWS),
    )


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class TableError(Exception):
    """The table cannot be read; `errors` lists every problem as `row N: problem`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors

    def report(self) -> str:
        """What an import command prints: nothing was imported, then every problem."""
        return f"导入失败，未导入任何数据（共 {len(self.errors)} 处错误）：\n" + "\n".join(
            self.errors
        )


@dataclass
class TableRow:
    line: int
    values: dict[str, Any]
    # Set (and `values` left empty) for a row that cannot be read as a record of the table, when
    # the caller asked to keep such rows (`keep_malformed`) so as to report them with the rest.
    problem: str = ""


def row_error(line: int, problem: str) -> str:
    return f"row {line}: {problem}"


def cell_value(value: Any) -> Any:
    """Normalise a cell: text stripped, Excel dates to dates, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# A spreadsheet runs a CSV cell that starts with one of these as a formula. Exports write such
# text with a leading apostrophe (shown as text, not run); this reader takes the apostrophe off,
# so an export imports back unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A cell value as written to a CSV file meant to be opened in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


Record = tuple[int, list[Any] | str]  # (line, cells) or (line, problem)


def _csv_records(data: bytes, *, comments: bool, messages: dict) -> Iterator[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError([row_error(1, messages["not_utf8"])]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # this record only; the reader goes on with the next line
            start, previous_end = previous_end + 1, reader.line_num
            yield start, messages["bad_row"].format(error=exc)
            continue
        start, previous_end = previous_end + 1, reader.line_num
        if comments and cells and cells[0].lstrip().startswith("#"):
            continue
        yield start, [cell_value(_csv_unescape(c)) for c in cells]


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _xlsx_check(data: bytes, *, max_ratio: int, max_rows: int, messages: dict) -> None:
    """The package's declared sizes against the ratio limit, and the row count the first sheet
    declares against the row limit, before any XML is parsed. zipfile never decompresses more
    than an entry declares, so the declared sizes bound the work."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            if unpacked > max(len(data), 1) * max_ratio:
                raise TableError(
                    [
                        row_error(
                            1,
                            messages["zip_ratio"].format(
                                size=_size(unpacked),
                                ratio=unpacked // max(len(data), 1),
                                limit=max_ratio,
                            ),
                        )
                    ]
                )
            sheets = sorted(
                n for n in package.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)
            )
            if sheets:
                with package.open(sheets[0]) as sheet:
                    match = _DIMENSION.search(sheet.read(4096))
                if match and int(match.group(1)) > max_rows + 1:
                    raise TableError(
                        [row_error(1, messages["too_many_rows"].format(limit=max_rows))]
                    )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError([row_error(1, messages["bad_xlsx"])]) from exc


def _xlsx_records(data: bytes, *, messages: dict) -> Iterator[Record]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError([row_error(1, messages["bad_xlsx"])]) from exc
    line = 0
    try:
        for line, cells in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield line, [cell_value(c) for c in cells]
    except Exception as exc:  # a malformed row ends the sheet's stream: said on its line
        yield line + 1, messages["bad_row"].format(error=f"{type(exc).__name__}: {exc}")
    finally:
        workbook.close()


def table_read(
    source: str | Path | bytes,
    *,
    columns: Sequence[str],
    filename: str | None = None,
    suffixes: Sequence[str] = (".csv", ".xlsx"),
    comments: bool = False,
    messages: dict[str, str] | None = None,
    keep_malformed: bool = False,
) -> list[TableRow]:
    """Rows of the table with at least `columns` (extra columns are kept, unnamed ones ignored).

    `source` is a path or the file's bytes (then `filename` gives its type). Raises TableError
    for a file of another type, too large or too compressed, an unreadable or empty file,
    missing columns (checked before any data row is read), more rows than the limit, or no data
    rows. A row that cannot be read as a record (longer than the header, malformed) is an error
    of its line, every one reported; with `keep_malformed` such rows are returned with their
    `problem` set instead, for the caller to report with its own row checks. `messages`
    overrides entries of MESSAGES."""
    messages = {**MESSAGES, **(messages or {})}
    max_bytes, max_ratio, max_rows = _limits()
    if isinstance(source, bytes):
        data, name = source, filename or ""
    else:
        path = Path(source)
        name = filename or path.name
        size = path.stat().st_size
        if size > max_bytes:
            raise TableError(
                [
                    row_error(
                        1, messages["too_large"].format(size=_size(size), limit=_size(max_bytes))
                    )
                ]
            )
        data = path.read_bytes()
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        raise TableError([row_error(1, messages["bad_type"].format(suffix=suffix or name))])
    if len(data) > max_bytes:
        raise TableError(
            [
                row_error(
                    1, messages["too_large"].format(size=_size(len(data)), limit=_size(max_bytes))
                )
            ]
        )
    if suffix == ".xlsx":
        _xlsx_check(data, max_ratio=max_ratio, max_rows=max_rows, messages=messages)
        records = _xlsx_records(data, messages=messages)
    else:
        records = _csv_records(data, comments=comments, messages=messages)
    try:
        return _rows(records, columns=columns, messages=messages, max_rows=max_rows,
                     keep_malformed=keep_malformed)  # fmt: skip
    finally:
        records.close()


def _rows(
    records: Iterator[Record],
    *,
    columns: Sequence[str],
    messages: dict,
    max_rows: int,
    keep_malformed: bool,
) -> list[TableRow]:
    header_line, header = 0, None
    errors: list[str] = []
    for line, cells in records:  # the header first: the first non-blank record
        if isinstance(cells, str):
            raise TableError([row_error(line, cells)])
        if any(c != "" for c in cells):
            header_line, header = line, [str(h).strip() for h in cells]
            break
    if header is None:
        raise TableError([row_error(1, messages["empty"])])
    missing = [name for name in columns if name not in header]
    if missing:
        raise TableError(
            [row_error(header_line, messages["missing_columns"].format(columns=", ".join(missing)))]
        )
    rows: list[TableRow] = []
    count = 0
    for line, cells in records:
        problem = ""
        if isinstance(cells, str):
            problem = cells
        elif not any(c != "" for c in cells):
            continue
        elif any(c != "" for c in cells[len(header) :]):
            problem = messages["too_many_cells"]
        count += 1
        if count > max_rows:
            raise TableError([row_error(line, messages["too_many_rows"].format(limit=max_rows))])
        if problem:
            if keep_malformed:
                rows.append(TableRow(line, {}, problem))
            else:
                errors.append(row_error(line, problem))
            continue
        values = {
            name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name
        }
        rows.append(TableRow(line, values))
    if errors:
        raise TableError(errors)
    if not rows:
        raise TableError([row_error(header_line + 1, messages["no_rows"])])
    return rows
