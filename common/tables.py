"""Reading a table given by a user: a UTF-8 .csv (with or without BOM) or the first sheet of an
.xlsx, into rows keyed by the header. Every import of the product uses this one reader, so rows
are numbered the same way everywhere: N is the file's line where the record starts (a quoted
CSV cell may span lines; for .xlsx the sheet row), the header being row 1. Blank lines are
skipped but keep their numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MESSAGES = {
    "empty": "文件为空（缺少表头）",
    "no_rows": "文件没有数据行",
    "missing_columns": "缺少列：{columns}",
    "too_many_cells": "本行的单元格多于表头的列数",
    "not_utf8": "文件不是 UTF-8 编码（请另存为“CSV UTF-8”）",
    "bad_xlsx": "无法读取 .xlsx 文件（文件已损坏或不是 Excel 工作簿）",
    "bad_type": "不支持的文件类型“{suffix}”，请使用 .csv 或 .xlsx",
}


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


def _csv_records(data: bytes, *, comments: bool, messages: dict) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError([row_error(1, messages["not_utf8"])]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[Any]]] = []
    previous_end = 0
    for cells in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if comments and cells and cells[0].lstrip().startswith("#"):
            continue
        records.append((start, [cell_value(_csv_unescape(c)) for c in cells]))
    return records


def _xlsx_records(data: bytes, *, messages: dict) -> list[tuple[int, list[Any]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError([row_error(1, messages["bad_xlsx"])]) from exc
    try:
        return [
            (line, [cell_value(c) for c in cells])
            for line, cells in enumerate(
                workbook.worksheets[0].iter_rows(values_only=True), start=1
            )
        ]
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
) -> list[TableRow]:
    """Rows of the table with at least `columns` (extra columns are kept, unnamed ones ignored).

    `source` is a path or the file's bytes (then `filename` gives its type). Raises TableError
    for a file of another type, an unreadable or empty file, missing columns, a row longer than
    the header, or no data rows. `messages` overrides entries of MESSAGES."""
    messages = {**MESSAGES, **(messages or {})}
    if isinstance(source, bytes):
        data, name = source, filename or ""
    else:
        path = Path(source)
        data, name = path.read_bytes(), filename or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        raise TableError([row_error(1, messages["bad_type"].format(suffix=suffix or name))])
    if suffix == ".xlsx":
        records = _xlsx_records(data, messages=messages)
    else:
        records = _csv_records(data, comments=comments, messages=messages)
    records = [(line, cells) for line, cells in records if any(c != "" for c in cells)]
    if not records:
        raise TableError([row_error(1, messages["empty"])])
    header_line, header = records[0]
    header = [str(h).strip() for h in header]
    missing = [name for name in columns if name not in header]
    if missing:
        raise TableError(
            [row_error(header_line, messages["missing_columns"].format(columns=", ".join(missing)))]
        )
    rows: list[TableRow] = []
    errors: list[str] = []
    for line, cells in records[1:]:
        if any(c != "" for c in cells[len(header) :]):
            errors.append(row_error(line, messages["too_many_cells"]))
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
