"""Writes about agencies: upserting the tree from a file (`import_agencies`, SPEC §9) or code.

A parent may come later in the file than its children: the whole file is checked first (every
code known, levels valid, no cycles), then written in one transaction, parents before children.
Re-running the same file changes nothing (upsert by code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from common import tables
from common.tables import row_error

from .models import Agency, AgencyLevel

AGENCY_COLUMNS = [
    "code",
    "name",
    "parent_code",
    "level",
    "address",
    "phone",
    "review_body",
    "court",
]
_FIELD_MAX = {
    name: Agency._meta.get_field(name).max_length
    for name in ["code", "name", "address", "phone", "review_body", "court"]
}

MSG_NOT_CSV = "机关文件须为 .csv"
MSG_REQUIRED = "{column}：此项为必填项"
MSG_TOO_LONG = "{column}：不能超过{n}个字符"
MSG_LEVEL = "level：层级须为 city、district、town 或 department，填写的是“{value}”"
MSG_DUPLICATE = "code：机关代码“{code}”与第 {other} 行重复"
MSG_PARENT_UNKNOWN = "parent_code：上级机关代码“{code}”在文件和系统中都不存在"
MSG_PARENT_SELF = "parent_code：上级机关不能是本机关"
MSG_CYCLE = "parent_code：上级机关关系形成循环（{chain}）"


class AgencyImportFailed(tables.TableError):
    """The agencies file cannot be imported; `errors` lists every problem as `row N: ...`."""


@dataclass
class AgencyRow:
    line: int
    code: str
    parent_code: str
    values: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # a malformed row (`common.tables`), reported with the others


@dataclass
class AgencyImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def agency_file_read(path: str | Path) -> list[AgencyRow]:
    """Read an agencies CSV (`common.tables`); raises AgencyImportFailed listing every problem."""
    try:
        table = tables.table_read(
            path,
            columns=AGENCY_COLUMNS,
            suffixes=(".csv",),
            messages={"bad_type": MSG_NOT_CSV},
            keep_malformed=True,
        )
    except tables.TableError as exc:
        raise AgencyImportFailed(exc.errors) from exc
    return [
        AgencyRow(row.line, "", "", {}, row.problem)
        if row.problem
        else AgencyRow(row.line, row.values["code"], row.values["parent_code"], row.values)
        for row in table
    ]


def agency_rows_check(rows: list[AgencyRow]) -> None:
    """Every problem of every row, parents resolved over the whole file and the database."""
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.problem:
            problems.append((row.line, row.problem))
            continue
        v = row.values
        for column in ("code", "name", "level"):
            if not v.get(column):
                problems.append((row.line, MSG_REQUIRED.format(column=column)))
        for column, n in _FIELD_MAX.items():
            if len(v.get(column, "")) > n:
                problems.append((row.line, MSG_TOO_LONG.format(column=column, n=n)))
        if v.get("level") and v["level"] not in AgencyLevel.values:
            problems.append((row.line, MSG_LEVEL.format(value=v["level"])))
        if row.code:
            if row.code in seen:
                problems.append(
                    (row.line, MSG_DUPLICATE.format(code=row.code, other=seen[row.code]))
                )
            seen.setdefault(row.code, row.line)

    in_file = {row.code: row for row in rows if row.code}
    # The tree as it will stand: the database's parents, overridden by the file's.
    parent_of: dict[str, str] = {
        code: parent or "" for code, parent in Agency.objects.values_list("code", "parent__code")
    }
    parent_of.update({code: row.parent_code for code, row in in_file.items()})
    for row in rows:
        if not row.parent_code:
            continue
        if row.parent_code == row.code:
            problems.append((row.line, MSG_PARENT_SELF))
        elif row.parent_code not in parent_of:
            problems.append((row.line, MSG_PARENT_UNKNOWN.format(code=row.parent_code)))
        else:
            chain, current = [row.code], row.parent_code
            while current:
                if current in chain:
                    problems.append(
                        (row.line, MSG_CYCLE.format(chain=" → ".join([*chain, current])))
                    )
                    break
                chain.append(current)
                current = parent_of.get(current, "")
    if problems:
        problems.sort(key=lambda p: p[0])
        raise AgencyImportFailed([row_error(line, message) for line, message in problems])


def agency_upsert(*, code: str, parent: Agency | None, **values) -> tuple[Agency, str]:
    """Create or update one agency by code; returns (agency, 'created'|'updated'|'unchanged')."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        return Agency.objects.create(code=code, parent=parent, **values), "created"
    changed = [name for name, value in values.items() if getattr(agency, name) != value]
    if agency.parent_id != (parent.id if parent else None):
        agency.parent = parent
        changed.append("parent")
    for name in changed:
        if name != "parent":
            setattr(agency, name, values[name])
    if not changed:
        return agency, "unchanged"
    agency.save(update_fields=changed)
    return agency, "updated"


@transaction.atomic
def agencies_import_rows(rows: list[AgencyRow]) -> AgencyImportResult:
    """Check every row, then upsert them parents first (all or nothing)."""
    agency_rows_check(rows)
    result = AgencyImportResult()
    by_code = {row.code: row for row in rows}
    done: dict[str, Agency] = {}

    def depth(row: AgencyRow) -> int:
        n, current = 0, row.parent_code
        while current in by_code:
            n, current = n + 1, by_code[current].parent_code
        return n

    for row in sorted(rows, key=depth):
        parent = None
        if row.parent_code:
            parent = done.get(row.parent_code) or Agency.objects.get(code=row.parent_code)
        values = {
            name: row.values[name] for name in AGENCY_COLUMNS if name not in ("code", "parent_code")
        }
        agency, status = agency_upsert(code=row.code, parent=parent, **values)
        done[row.code] = agency
        setattr(result, status, getattr(result, status) + 1)
    return result


def agencies_import_file(path: str | Path) -> AgencyImportResult:
    return agencies_import_rows(agency_file_read(path))
